/**
 * The room's promo card (Engage tab): the code on screen now with its countdown, and a push of
 * another code (or the same again, for longer) over the REST API. Every staff role may push.
 * Test contract: `data-promo-code` on #promo-card while a code is on screen.
 */
import { byId } from "../dom";
import { type CatalogApi, type Promo, refusalText } from "./catalog/api";
import { clearErrors, showErrors } from "./catalog/form";
import { discountText, PUSH_DURATIONS, pushableTo, pushToRoom } from "./catalog/push";
import { formatLeft } from "./catalog/time";
import type { RoomContext } from "./context";
import { h } from "./h";
import { canUse } from "./roles";

export class PromoPanel {
  private readonly card = byId("promo-card");
  private readonly form = byId<HTMLFormElement>("promo-push-form");
  private readonly code = byId<HTMLSelectElement>("promo-push-code");
  private readonly duration = byId<HTMLSelectElement>("promo-push-duration");
  private readonly onScreen = byId("promo-live");
  private promos: Promo[] | null = null;
  private loadError = "";
  private ticker: number | null = null;

  constructor(
    private readonly ctx: RoomContext,
    private readonly api: CatalogApi,
    private readonly show: { show_id: string; title: string },
  ) {
    this.duration.replaceChildren(...PUSH_DURATIONS.map(([seconds, label]) => new Option(label, String(seconds))));
    this.duration.value = "300";
    byId("promo-reload").addEventListener("click", () => void this.load());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.push();
    });
  }

  start(): void {
    void this.load();
  }

  stop(): void {
    if (this.ticker !== null) window.clearInterval(this.ticker);
    this.ticker = null;
  }

  render(): void {
    this.card.hidden = !canUse(this.ctx.role(), "push_promo");
    this.renderOnScreen();
    // The countdown moves every second while a code is on screen, without a full refresh.
    const counting = this.ctx.state.promoLeftMs() > 0;
    if (counting && this.ticker === null) this.ticker = window.setInterval(() => this.renderOnScreen(), 1_000);
    if (!counting && this.ticker !== null) this.stop();
  }

  private renderOnScreen(): void {
    const state = this.ctx.state;
    const left = state.promoLeftMs();
    const promo = state.promo;
    if (!promo || left <= 0) {
      this.onScreen.hidden = true;
      delete this.card.dataset.promoCode;
      return;
    }
    this.card.dataset.promoCode = promo.code;
    this.onScreen.hidden = false;
    const remaining = formatLeft(left);
    const shown = this.onScreen.querySelector(".hc-promo-left");
    if (shown && this.onScreen.dataset.code === promo.code) {
      shown.textContent = remaining;
      return;
    }
    this.onScreen.dataset.code = promo.code;
    this.onScreen.replaceChildren(
      h("span", { class: "hc-state-tag is-open", text: "On screen" }),
      h("strong", { class: "hc-promo-code", text: promo.code }),
      h("span", { class: "muted", text: promo.label }),
      h("span", { class: "hc-promo-left", text: remaining, attrs: { title: "Left on screen" } }),
    );
  }

  private async load(): Promise<void> {
    this.code.disabled = true;
    this.code.replaceChildren(new Option("Loading the codes…", ""));
    try {
      this.promos = await this.api.listPromos();
      this.loadError = "";
    } catch (error) {
      this.promos = null;
      this.loadError = refusalText(error);
    }
    this.renderCodes();
  }

  private renderCodes(): void {
    const submit = this.form.querySelector<HTMLButtonElement>("button[type=submit]");
    const hint = byId("promo-push-hint");
    const codes = (this.promos ?? [])
      .filter((promo) => pushableTo(promo, this.show.show_id))
      // This show's own codes first, then the brand-wide ones.
      .sort((a, b) => Number(b.show_id !== null) - Number(a.show_id !== null) || a.code.localeCompare(b.code));
    const chosen = this.code.value;
    this.code.replaceChildren(
      ...codes.map((promo) => new Option(`${promo.code} · ${discountText(promo)}${promo.show_id ? " · this show" : ""}`, promo.code)),
    );
    if (codes.some((promo) => promo.code === chosen)) this.code.value = chosen;
    const usable = codes.length > 0;
    this.code.disabled = !usable;
    if (submit) submit.disabled = !usable;
    if (this.promos === null) {
      this.code.append(new Option("Codes unavailable", ""));
      hint.replaceChildren(h("span", { class: "error", text: `The codes could not be loaded: ${this.loadError}` }));
    } else if (!usable) {
      this.code.append(new Option("No code for this show", ""));
      hint.textContent = "Hosts and admins create codes in Promos.";
    } else {
      hint.textContent =
        this.ctx.state.status === "live"
          ? "Viewers see a banner with a countdown; the code stops working when it ends."
          : "The show is not live yet: viewers waiting in the room see the banner, a live-only code works once the show is live.";
    }
  }

  private async push(): Promise<void> {
    const code = this.code.value;
    if (!code) return;
    const submit = this.form.querySelector<HTMLButtonElement>("button[type=submit]");
    clearErrors(this.form);
    try {
      const promo = await pushToRoom(this.api, this.ctx.toasts, this.show, code, Number(this.duration.value), submit ? [submit] : []);
      // The room's own update follows through the chat; until then the API's answer is shown.
      const current = this.ctx.state.promo;
      const newer = !current || current.code !== promo.code || Date.parse(current.expires_at) < Date.parse(promo.ends_at ?? "");
      if (promo.ends_at && newer) {
        this.ctx.state.setPromo({
          code: promo.code,
          label: promo.label || discountText(promo),
          expires_at: promo.ends_at,
          server_time: new Date().toISOString(),
        });
      }
      this.promos = (this.promos ?? []).map((known) => (known.code === promo.code ? promo : known));
      this.renderCodes();
      this.ctx.refresh();
    } catch (error) {
      showErrors(this.form, error);
    }
  }
}
