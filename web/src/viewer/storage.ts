/** localStorage that never throws: private modes and blocked storage just forget. */

export function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function save(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // nothing to do: the value lives for this page view only
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
