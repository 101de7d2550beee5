/**
 * Times as staff type and read them: in their own time zone. The API stores and answers UTC,
 * and takes any aware ISO time, so a start typed at 19:00 in Paris is sent as
 * 2026-12-10T19:00:00+01:00.
 */

function pad(value: number, width = 2): string {
  return String(Math.trunc(Math.abs(value))).padStart(width, "0");
}

/** The staff member's time zone, e.g. "Europe/Paris". */
export function timeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
}

/** A UTC ISO time as a `datetime-local` value in this browser's zone ("" if unreadable). */
export function localInputValue(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The Date a `datetime-local` value means here, or null. */
export function localDate(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
  const date = new Date(year, month - 1, day, hour, minute);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A `datetime-local` value as an aware ISO time with this zone's offset at that moment (DST
 * included). Text that is not a time is returned as typed: the API says what is wrong with it.
 */
export function awareIso(value: string): string {
  const date = localDate(value);
  if (!date) return value;
  const offset = -date.getTimezoneOffset(); // minutes east of UTC
  const sign = offset >= 0 ? "+" : "-";
  return `${value}:00${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** "Thu 10 Dec 2026, 19:00" in the staff member's locale and zone. */
export function formatWhen(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(date);
}

/** "19:04:30", for countdowns' ends. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(date);
}

/** "4:05" left of a countdown (never negative). */
export function formatLeft(milliseconds: number): string {
  const total = Math.max(0, Math.ceil(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = pad(total % 60);
  return hours > 0 ? `${hours}:${pad(minutes)}:${seconds}` : `${minutes}:${seconds}`;
}

/** The YYYYMMDDTHHMMSSZ form RFC 5545 writes UTC times in. */
export function rfc5545Utc(date: Date): string {
  return (
    `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
  );
}

/** The Date of an RFC 5545 UTC time, or null. */
export function parseRfc5545Utc(text: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}
