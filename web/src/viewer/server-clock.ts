/**
 * The server's clock as this phone sees it: a pushed promo ends for everyone at once, so its
 * countdown runs on the server's time, not on the phone's (which may be minutes off).
 * The offset is learnt from frames that carry `server_time` (the promo banner's).
 */
let offsetMs = 0;

/** `serverTime`: when the server made the frame just received. */
export function syncServerClock(serverTime: string): void {
  const server = Date.parse(serverTime);
  if (Number.isFinite(server)) offsetMs = server - Date.now();
}

/** Now on the server's clock, in ms since the epoch. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** "4:59", "1:02:03"; "0:00" once past. */
export function clockText(ms: number): string {
  const left = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const seconds = String(left % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}
