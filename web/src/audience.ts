/** Who is watching, as the `$connect` query string describes it: anonymous id, device, source. */

export type Device = "mobile" | "tablet" | "desktop";

const VIEWER_KEY = "vitrine.viewerId";
const SOURCE_MAX = 64; // the server's limit on `source`

function randomId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // randomUUID needs a secure context; a LAN address over plain http is not one.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The viewer's anonymous id, created once and kept in `storage` (default localStorage). */
export function viewerId(storage?: Storage): string {
  try {
    // Read inside the try: a page framed by another site may be refused localStorage itself.
    storage ??= localStorage;
    const known = storage.getItem(VIEWER_KEY);
    if (known) return known;
    const fresh = `v-${randomId()}`;
    storage.setItem(VIEWER_KEY, fresh);
    return fresh;
  } catch {
    // Storage disabled (private mode, blocked cookies): an id for this page view only.
    return `v-${randomId()}`;
  }
}

export function deviceType(
  userAgent: string = navigator.userAgent,
  width: number = window.innerWidth,
): Device {
  const androidTablet = /Android/i.test(userAgent) && !/Mobile/i.test(userAgent);
  if (androidTablet || /iPad|Tablet|PlayBook|Silk/i.test(userAgent)) return "tablet";
  if (/Mobi|iPhone|iPod|Android|Windows Phone/i.test(userAgent)) return "mobile";
  if (width < 600) return "mobile";
  if (width < 1024 && navigator.maxTouchPoints > 1) return "tablet";
  return "desktop";
}

/** utm_source, else the referring site's host (not our own), else "direct". */
export function trafficSource(href: string = location.href, referrer: string = document.referrer): string {
  const page = new URL(href);
  const utm = page.searchParams.get("utm_source")?.trim();
  if (utm) return utm.slice(0, SOURCE_MAX);
  if (referrer) {
    try {
      const host = new URL(referrer).host;
      if (host && host !== page.host) return host.slice(0, SOURCE_MAX);
    } catch {
      // an unparsable referrer counts as none
    }
  }
  return "direct";
}
