/**
 * The promo code the moderator pushed: code, label and a countdown on the server's clock; a tap
 * copies the code and applies it to the cart. It disappears at `expires_at`, for everyone.
 * `data-promo-code` on <body> names the code shown.
 */
import type { PromoBanner } from "../protocol";
import { el, mark } from "./el";
import { clockText, serverNow, syncServerClock } from "./server-clock";

export class PromoBannerView {
  promo: PromoBanner | null = null;
  private expiresAt = 0;
  private ticker: number | undefined;
  private readonly countdown = el("span", { class: "promo-countdown", attrs: { role: "timer" } });

  constructor(
    private readonly banner: HTMLButtonElement,
    onTap: (code: string) => void,
  ) {
    banner.addEventListener("click", () => {
      if (this.promo) onTap(this.promo.code);
    });
  }

  /** The snapshot's promo (null: none) or a `promo` update. */
  show(promo: PromoBanner | null): void {
    window.clearInterval(this.ticker);
    if (promo) syncServerClock(promo.server_time);
    this.promo = promo;
    this.expiresAt = promo ? Date.parse(promo.expires_at) : 0;
    if (!promo || !(this.expiresAt > serverNow())) return this.hide();
    const label = promo.label && promo.label !== promo.code ? promo.label : "";
    this.banner.replaceChildren(
      el("span", { class: "promo-tag", attrs: { "aria-hidden": "true" } }),
      el(
        "span",
        { class: "promo-text" },
        el("span", { class: "promo-code", text: promo.code }),
        label && el("span", { class: "promo-label", text: label }),
      ),
      el("span", { class: "promo-side" }, this.countdown, el("span", { class: "promo-action", text: "Tap to apply" })),
    );
    this.banner.setAttribute("aria-label", `Promo code ${promo.code}${label ? `, ${label}` : ""}: tap to apply it to your cart`);
    this.banner.hidden = false;
    mark("promoCode", promo.code);
    this.tick();
    this.ticker = window.setInterval(() => this.tick(), 1000);
  }

  private tick(): void {
    const left = this.expiresAt - serverNow();
    if (left <= 0) return this.hide();
    this.countdown.textContent = `${clockText(left)} left`;
  }

  private hide(): void {
    window.clearInterval(this.ticker);
    this.promo = null;
    this.banner.hidden = true;
    this.banner.replaceChildren();
    mark("promoCode", null);
  }
}
