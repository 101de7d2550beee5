/**
 * Pushing a promo code to a show's room (`POST /shows/{id}/promos/{code}/push`): viewers get a
 * banner with a countdown and the code stops working when it ends. Shared by the Promos screen
 * and the room's Engage tab; moderators may push.
 */
import { formatPrice } from "../../dom";
import type { Toasts } from "../toasts";
import type { CatalogApi, Promo, StaffShow } from "./api";
import { select, whileBusy } from "./form";
import { formatClock } from "./time";

/** The banner's length: functions/cart/logic/promos.py takes 30 s to an hour. */
export const PUSH_DURATIONS: [seconds: number, label: string][] = [
  [60, "1 minute"],
  [120, "2 minutes"],
  [300, "5 minutes"],
  [600, "10 minutes"],
  [900, "15 minutes"],
  [1800, "30 minutes"],
  [3600, "1 hour"],
];
const DEFAULT_PUSH_SECONDS = 300;

export function durationSelect(name = "duration_seconds"): HTMLSelectElement {
  const choice = select(name, PUSH_DURATIONS.map(([seconds, label]) => [String(seconds), label]));
  choice.value = String(DEFAULT_PUSH_SECONDS);
  return choice;
}

/** "-20 %", "-5,00 €": what the code takes off. */
export function discountText(promo: Promo): string {
  if (promo.kind === "percent") return `-${promo.value} %`;
  return `-${formatPrice((promo.value / 100).toFixed(2), promo.currency ?? "EUR")}`;
}

export function isUsedUp(promo: Promo): boolean {
  return promo.usage_limit !== null && promo.used >= promo.usage_limit;
}

/** Whether `promo` can be pushed to the room of `showId`. */
export function pushableTo(promo: Promo, showId: string): boolean {
  return (promo.show_id === null || promo.show_id === showId) && !isUsedUp(promo);
}

/** The push, its toast, and the promo as the API answered (its `ends_at` set), or null. */
export async function pushToRoom(
  api: CatalogApi,
  toasts: Toasts,
  show: Pick<StaffShow, "show_id" | "title">,
  code: string,
  seconds: number,
  buttons: HTMLButtonElement[],
): Promise<Promo> {
  const promo = await whileBusy(buttons, () => api.pushPromo(show.show_id, code, seconds));
  const until = promo.ends_at ? ` until ${formatClock(promo.ends_at)}` : "";
  toasts.show(`${promo.code} is on screen in ${show.title}${until}`, { kind: "ack" });
  return promo;
}
