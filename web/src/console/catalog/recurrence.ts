/**
 * The recurrence picker's model and the RFC 5545 RRULE it stands for, in the subset the API
 * accepts (functions/cart/logic/shows.py): FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY (weekly),
 * COUNT or UNTIL.
 *
 * The API expands a rule from the show's start in the brand's time zone (`vitrine:timeZone`,
 * config.json's `timeZone`), so BYDAY names the brand's weekdays. The picker speaks the staff
 * member's: for a brand in UTC, a Thursday 00:30 in Paris is a Wednesday, and the rule says
 * WE. Both directions shift by the start's own day in the brand's zone.
 */
import { parseRfc5545Utc, rfc5545Utc } from "./time";

export type Frequency = "DAILY" | "WEEKLY" | "MONTHLY";
export type Weekday = "MO" | "TU" | "WE" | "TH" | "FR" | "SA" | "SU";
export const WEEKDAYS: readonly Weekday[] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
export const MAX_INTERVAL = 99;
export const MAX_COUNT = 999;

export type RecurrenceEnd = { kind: "never" } | { kind: "count"; count: number } | { kind: "until"; date: string };

export interface Recurrence {
  frequency: Frequency;
  /** 1: every day/week/month; 2: every other one… */
  interval: number;
  /** Weekly only: the staff member's weekdays. */
  days: Weekday[];
  /** `until.date` is YYYY-MM-DD in the staff member's calendar (the last day included). */
  end: RecurrenceEnd;
}

/** The staff member's weekday of `date`. */
export function localWeekday(date: Date): Weekday {
  return WEEKDAYS[(date.getDay() + 6) % 7] as Weekday;
}

/** How many days the brand's `zone` is ahead of local time at `start`: 0, 1 or -1. */
function zoneDayShift(start: Date, zone: string): number {
  const local = Date.UTC(start.getFullYear(), start.getMonth(), start.getDate());
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric" }).formatToParts(start);
  const part = (type: string): number => Number(parts.find((item) => item.type === type)?.value);
  const there = Date.UTC(part("year"), part("month") - 1, part("day"));
  return Math.round((there - local) / 86_400_000);
}

function shiftDay(day: Weekday, by: number): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + by + 7) % 7] as Weekday;
}

/** The RRULE for `recurrence` of a show starting at `start`, for a brand in `zone`. */
export function buildRule(recurrence: Recurrence, start: Date, zone: string): string {
  const parts = [`FREQ=${recurrence.frequency}`];
  if (recurrence.interval > 1) parts.push(`INTERVAL=${recurrence.interval}`);
  if (recurrence.frequency === "WEEKLY" && recurrence.days.length > 0) {
    const shift = zoneDayShift(start, zone);
    const days = WEEKDAYS.filter((day) => recurrence.days.includes(day)).map((day) => shiftDay(day, shift));
    parts.push(`BYDAY=${WEEKDAYS.filter((day) => days.includes(day)).join(",")}`);
  }
  if (recurrence.end.kind === "count") parts.push(`COUNT=${recurrence.end.count}`);
  if (recurrence.end.kind === "until") {
    const [year, month, day] = recurrence.end.date.split("-").map(Number) as [number, number, number];
    // The whole last day counts, in the staff member's zone.
    parts.push(`UNTIL=${rfc5545Utc(new Date(year, month - 1, day, 23, 59, 59))}`);
  }
  return parts.join(";");
}

/**
 * The picker's reading of `rule` for a show starting at `start` (a brand in `zone`), or null
 * when the rule says something the picker cannot (e.g. BYDAY on a monthly rule): it is then
 * kept as it is.
 */
export function parseRule(rule: string, start: Date, zone: string): Recurrence | null {
  const values = new Map<string, string>();
  for (const part of rule.split(";")) {
    const [key, value] = part.split("=");
    if (!key || value === undefined || values.has(key)) return null;
    values.set(key, value);
  }
  const frequency = values.get("FREQ");
  if (frequency !== "DAILY" && frequency !== "WEEKLY" && frequency !== "MONTHLY") return null;
  const interval = Number(values.get("INTERVAL") ?? "1");
  if (!Number.isInteger(interval) || interval < 1) return null;
  let days: Weekday[] = [];
  const byday = values.get("BYDAY");
  if (byday !== undefined) {
    if (frequency !== "WEEKLY") return null;
    const brandDays = byday.split(",");
    if (!brandDays.every((day): day is Weekday => (WEEKDAYS as readonly string[]).includes(day))) return null;
    const shift = zoneDayShift(start, zone);
    days = brandDays.map((day) => shiftDay(day, -shift));
  }
  let end: RecurrenceEnd = { kind: "never" };
  const count = values.get("COUNT");
  const until = values.get("UNTIL");
  if (count !== undefined && until !== undefined) return null;
  if (count !== undefined) {
    const times = Number(count);
    if (!Number.isInteger(times) || times < 1) return null;
    end = { kind: "count", count: times };
  }
  if (until !== undefined) {
    const last = parseRfc5545Utc(until);
    if (!last) return null;
    const date = `${last.getFullYear()}-${String(last.getMonth() + 1).padStart(2, "0")}-${String(last.getDate()).padStart(2, "0")}`;
    end = { kind: "until", date };
  }
  for (const key of values.keys()) {
    if (!["FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL"].includes(key)) return null;
  }
  return { frequency, interval, days: WEEKDAYS.filter((day) => days.includes(day)), end };
}

const DAY_NAMES: Record<Weekday, number> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 0 };

/** "Thu" in the staff member's language. */
export function dayName(day: Weekday, width: "short" | "long" = "short"): string {
  // 2024-01-07 is a Sunday: add the day's index to get a date that falls on it.
  const date = new Date(2024, 0, 7 + DAY_NAMES[day]);
  return new Intl.DateTimeFormat(undefined, { weekday: width }).format(date);
}

/** "Weekly on Thu, Fri", "Every 2 weeks on Mon, until 1 Mar 2027", "Monthly, 6 times". */
export function describeRule(rule: string | null, startIso: string, zone: string): string {
  if (!rule) return "One-off";
  const start = new Date(startIso);
  const recurrence = Number.isNaN(start.getTime()) ? null : parseRule(rule, start, zone);
  if (!recurrence) return rule;
  const unit = { DAILY: ["Daily", "days"], WEEKLY: ["Weekly", "weeks"], MONTHLY: ["Monthly", "months"] }[recurrence.frequency];
  let text = recurrence.interval > 1 ? `Every ${recurrence.interval} ${unit[1]}` : (unit[0] as string);
  if (recurrence.frequency === "WEEKLY") {
    const days = recurrence.days.length > 0 ? recurrence.days : [localWeekday(start)];
    text += ` on ${days.map((day) => dayName(day)).join(", ")}`;
  }
  if (recurrence.frequency === "MONTHLY") text += ` on day ${start.getDate()}`;
  if (recurrence.end.kind === "count") text += `, ${recurrence.end.count} times`;
  if (recurrence.end.kind === "until") {
    const [year, month, day] = recurrence.end.date.split("-").map(Number) as [number, number, number];
    const last = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(year, month - 1, day));
    text += `, until ${last}`;
  }
  return text;
}
