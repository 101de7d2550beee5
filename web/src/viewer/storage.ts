/** localStorage that never throws: private modes and blocked storage just forget. */

/** Storage that lives for this page view only: where localStorage is refused (a third-party
 * iframe with third-party storage blocked, some private modes). */
class PageStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

let pageStorage: PageStorage | null = null;

/** localStorage, or (refused) a storage for this page view. */
export function storage(): Storage {
  try {
    const local = localStorage;
    local.getItem("vitrine.probe");
    return local;
  } catch {
    pageStorage ??= new PageStorage();
    return pageStorage;
  }
}

export function load(key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    return null;
  }
}

export function save(key: string, value: string): void {
  try {
    storage().setItem(key, value);
  } catch {
    // full: the value lives for this page view only
  }
}

export function forget(key: string): void {
  try {
    storage().removeItem(key);
  } catch {
    // nothing was kept
  }
}

const NAME_KEY = "vitrine.displayName";
export const MAX_NAME_CHARACTERS = 40;

/** The display name chosen once for the chat, or "" until the viewer picks one. */
export function displayName(): string {
  return load(NAME_KEY)?.trim() ?? "";
}

export function saveDisplayName(name: string): void {
  save(NAME_KEY, name);
}

/** A ban is remembered per show: the page stops reconnecting to a room that refuses it. */
export function isBanned(showId: string): boolean {
  return load(`vitrine.banned.${showId}`) === "1";
}

export function rememberBan(showId: string): void {
  save(`vitrine.banned.${showId}`, "1");
}
