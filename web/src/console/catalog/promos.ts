/**
 * The Promos screen: every code with its uses, a form to create one (percent or amount off;
 * live only, live and replay, or a time window; one show or every show; a usage limit), and
 * per code a push to a live or upcoming show's room. Hosts and admins create codes, every
 * staff role pushes them. Test contract: `data-state` on #promos, `li[data-code]` rows.
 */
import { byId } from "../../dom";
import { button, clock, count, h } from "../h";
import type { Toasts } from "../toasts";
import { type CatalogApi, type Promo, type PromoDraft, type PromoScope, refusalText, type StaffShow } from "./api";
import { clearErrors, field, formError, groupError, input, integerOrText, select, showErrors, valueOf, whileBusy } from "./form";
import { discountText, durationSelect, isUsedUp, pushToRoom } from "./push";
import { awareIso, formatWhen } from "./time";

const SCOPES: [PromoScope, string, string][] = [
  ["live", "During the live only", "Valid while the show is live."],
  ["live_and_replay", "Live and replay", "Valid live and in the show's replay."],
  ["window", "Between two dates", "Valid from a start to an end, live or replay."],
];

export interface PromosScreenOptions {
  mayCreate: boolean;
  /** Live and upcoming shows (the rooms one can push to), and replays for per-show codes. */
  shows: () => Promise<{ rooms: StaffShow[]; all: StaffShow[] }>;
}

export class PromosScreen {
  private readonly root = byId("promos");
  private readonly list = byId<HTMLUListElement>("promo-list");
  private readonly form = byId<HTMLFormElement>("promo-form");
  private readonly newButton = byId<HTMLButtonElement>("new-promo");
  private readonly status = byId("promos-status");
  private promos: Promo[] = [];
  private rooms: StaffShow[] = [];
  private allShows: StaffShow[] = [];
  /** The code whose push form is open (one at a time). */
  private pushing: string | null = null;

  constructor(
    private readonly api: CatalogApi,
    private readonly toasts: Toasts,
    private readonly options: PromosScreenOptions,
  ) {
    this.newButton.hidden = !options.mayCreate;
    byId("promos-readonly").hidden = options.mayCreate;
    this.newButton.addEventListener("click", () => this.toggleForm(this.form.hidden !== false));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.create();
    });
  }

  show(): void {
    void this.load();
  }

  private async load(): Promise<void> {
    this.root.dataset.state = "loading";
    if (this.promos.length === 0) this.status.textContent = "Loading the promo codes…";
    try {
      const promos = await this.api.listPromos();
      const shows = await this.options.shows();
      this.promos = promos.sort((a, b) => a.code.localeCompare(b.code));
      this.rooms = shows.rooms;
      this.allShows = shows.all;
      this.root.dataset.state = "ready";
      this.render();
    } catch (error) {
      this.root.dataset.state = "error";
      this.status.textContent = `The promo codes could not be loaded: ${refusalText(error)}`;
    }
  }

  private render(): void {
    this.list.replaceChildren(...this.promos.map((promo) => this.row(promo)));
    this.status.textContent =
      this.promos.length === 0
        ? this.options.mayCreate
          ? "No promo code yet: create the first one."
          : "No promo code yet."
        : `${count(this.promos.length)} ${this.promos.length === 1 ? "code" : "codes"}`;
  }

  private replace(promo: Promo): HTMLElement | null {
    const index = this.promos.findIndex((known) => known.code === promo.code);
    if (index >= 0) this.promos[index] = promo;
    else this.promos = [...this.promos, promo].sort((a, b) => a.code.localeCompare(b.code));
    this.render();
    return this.list.querySelector<HTMLElement>(`[data-code="${CSS.escape(promo.code)}"]`);
  }

  // --- a code ---------------------------------------------------------------------------------

  private row(promo: Promo): HTMLLIElement {
    const now = Date.now();
    const ends = promo.ends_at ? Date.parse(promo.ends_at) : null;
    const state = isUsedUp(promo)
      ? { tag: "Used up", tone: "is-off" }
      : ends !== null && ends <= now
        ? { tag: "Ended", tone: "is-off" }
        : ends !== null && promo.scope !== "window"
          ? { tag: `On screen until ${clock(promo.ends_at ?? "")}`, tone: "is-open" }
          : { tag: "Active", tone: "" };
    const uses = promo.usage_limit === null ? `${count(promo.used)} used` : `${count(promo.used)} of ${count(promo.usage_limit)} used`;
    const details = [scopeText(promo), this.showText(promo), uses];
    const actions: HTMLElement[] = [];
    const pushable = !isUsedUp(promo);
    if (pushable) {
      const toggle = button("Push to room", () => this.togglePush(promo.code), "hc-chip hc-chip-primary");
      toggle.setAttribute("aria-expanded", String(this.pushing === promo.code));
      toggle.setAttribute("aria-label", `Push ${promo.code} to a room`);
      actions.push(toggle);
    }
    return h(
      "li",
      { class: "hc-promo", dataset: { code: promo.code, endsAt: promo.ends_at ?? "" } },
      h(
        "div",
        { class: "hc-promo-main" },
        h(
          "p",
          { class: "hc-promo-head" },
          h("span", { class: "hc-promo-code", text: promo.code }),
          h("span", { class: "hc-promo-discount", text: discountText(promo) }),
          h("span", { class: `hc-state-tag ${state.tone}`, text: state.tag }),
        ),
        h("p", { class: "muted hc-small", text: details.join(" · ") }),
        promo.label ? h("p", { class: "hc-small" }, "Banner: ", h("strong", { text: promo.label })) : null,
      ),
      h("div", { class: "hc-promo-actions" }, ...actions),
      this.pushing === promo.code && pushable ? this.pushForm(promo) : null,
    );
  }

  private showText(promo: Promo): string {
    if (promo.show_id === null) return "Every show";
    const show = this.allShows.find((known) => known.show_id === promo.show_id);
    return `Only ${show?.title ?? promo.show_id}`;
  }

  private togglePush(code: string): void {
    this.pushing = this.pushing === code ? null : code;
    this.render();
    const row = this.list.querySelector<HTMLElement>(`[data-code="${CSS.escape(code)}"]`);
    (row?.querySelector<HTMLElement>(".hc-push-form select") ?? row?.querySelector<HTMLElement>(".hc-promo-actions button"))?.focus();
  }

  private pushForm(promo: Promo): HTMLFormElement {
    const rooms = this.rooms.filter((show) => promo.show_id === null || show.show_id === promo.show_id);
    const form = h("form", { class: "hc-push-form", attrs: { novalidate: "", "aria-label": `Push ${promo.code}` } });
    if (rooms.length === 0) {
      form.append(h("p", { class: "muted hc-small", text: "No live or upcoming show this code is valid in." }));
      return form;
    }
    const room = select(
      "show_id",
      rooms.map((show) => [show.show_id, show.status === "live" ? `● Live: ${show.title}` : `${show.title} · ${formatWhen(show.starts_at)}`]),
    );
    const duration = durationSelect();
    const submit = h("button", { text: "Push", attrs: { type: "submit" } });
    form.append(
      h("div", { class: "hc-field-grid" }, field("Room", room), field("Banner for", duration)),
      formError(),
      h("div", { class: "hc-form-buttons" }, submit, button("Close", () => this.togglePush(promo.code), "hc-ghost")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const show = rooms.find((known) => known.show_id === room.value);
      if (!show) return;
      clearErrors(form);
      try {
        const pushed = await pushToRoom(this.api, this.toasts, show, promo.code, Number(duration.value), [submit]);
        this.pushing = null;
        this.replace(pushed)?.querySelector<HTMLElement>(".hc-promo-actions button")?.focus();
      } catch (error) {
        showErrors(form, error);
      }
    });
    return form;
  }

  // --- creating a code ------------------------------------------------------------------------

  private toggleForm(open: boolean): void {
    this.form.hidden = !open;
    this.newButton.setAttribute("aria-expanded", String(open));
    this.newButton.textContent = open ? "Close the form" : "New promo";
    if (open) {
      this.buildForm();
      this.form.querySelector<HTMLInputElement>("input")?.focus();
    } else {
      this.newButton.focus();
    }
  }

  private buildForm(): void {
    const code = input("code", { maxlength: "32", autocapitalize: "characters", spellcheck: "false", placeholder: "LIVE20" });
    code.classList.add("hc-code-input");
    const kinds = radios("kind", [
      ["percent", "Percentage"],
      ["amount", "Fixed amount"],
    ]);
    const percent = field("Percent off", input("percent", { type: "number", inputmode: "numeric", min: "1", max: "90", placeholder: "20" }), { hint: "1 to 90" });
    const amount = field("Amount off", input("amount", { inputmode: "decimal", placeholder: "5.00" }));
    const currency = field("Currency", input("currency", { maxlength: "3", value: "EUR", autocapitalize: "characters" }));
    const kindGroup = h(
      "fieldset",
      { class: "hc-group", dataset: { field: "kind" } },
      h("legend", { text: "Discount" }),
      groupError(),
      kinds,
      h("div", { class: "hc-field-grid" }, percent, amount, currency),
    );
    const scopes = radios("scope", SCOPES.map(([value, label]) => [value, label]));
    const scopeHint = h("p", { class: "hc-field-hint" });
    const startsAt = field("From", input("starts_at", { type: "datetime-local" }));
    const endsAt = field("Until", input("ends_at", { type: "datetime-local" }));
    const scopeGroup = h(
      "fieldset",
      { class: "hc-group", dataset: { field: "scope" } },
      h("legend", { text: "Valid" }),
      groupError(),
      scopes,
      scopeHint,
      h("div", { class: "hc-field-grid" }, startsAt, endsAt),
    );
    const show = select("show_id", [
      ["", "Every show"],
      ...this.allShows.map((known): [string, string] => [known.show_id, `${known.title} · ${formatWhen(known.starts_at)}`]),
    ]);
    const update = (): void => {
      const kind = valueOf(this.form, "kind");
      percent.hidden = kind !== "percent";
      amount.hidden = currency.hidden = kind !== "amount";
      const scope = valueOf(this.form, "scope") as PromoScope;
      startsAt.hidden = endsAt.hidden = scope !== "window";
      scopeHint.textContent = SCOPES.find(([value]) => value === scope)?.[2] ?? "";
    };
    const submit = h("button", { text: "Create promo", attrs: { type: "submit" } });
    this.form.replaceChildren(
      h("h2", { text: "New promo code", attrs: { id: "promo-form-heading" } }),
      field("Code", code, { required: true, hint: "3 to 32 capital letters, digits, - or _: what viewers type." }),
      kindGroup,
      scopeGroup,
      h(
        "div",
        { class: "hc-field-grid" },
        field("Show", show),
        field("Usage limit", input("usage_limit", { type: "number", inputmode: "numeric", min: "1", placeholder: "No limit" }), { hint: "Checkouts with this code, in all." }),
      ),
      field("Banner text", input("label", { maxlength: "80", placeholder: "-20 % tonight only" }), { hint: "What the room's banner says; empty: the discount." }),
      formError(),
      h("div", { class: "hc-form-buttons" }, submit, button("Cancel", () => this.toggleForm(false), "hc-ghost")),
    );
    code.addEventListener("input", () => {
      const at = code.selectionStart;
      code.value = code.value.toUpperCase();
      code.setSelectionRange(at, at);
    });
    kindGroup.addEventListener("change", update);
    scopeGroup.addEventListener("change", update);
    update();
  }

  private draft(): PromoDraft {
    const form = this.form;
    const kind = valueOf(form, "kind") === "amount" ? "amount" : "percent";
    const scope = (valueOf(form, "scope") || "live") as PromoScope;
    const draft: PromoDraft = { code: valueOf(form, "code").toUpperCase(), kind, scope, label: valueOf(form, "label") };
    // Empty numbers go as typed: the API names the field that needs one.
    if (kind === "percent") draft.percent = integerOrText(valueOf(form, "percent"));
    else {
      draft.amount = valueOf(form, "amount");
      draft.currency = valueOf(form, "currency").toUpperCase();
    }
    if (scope === "window") {
      draft.starts_at = awareIso(valueOf(form, "starts_at"));
      draft.ends_at = awareIso(valueOf(form, "ends_at"));
    }
    const show = valueOf(form, "show_id");
    const limit = valueOf(form, "usage_limit");
    if (show) draft.show_id = show;
    if (limit) draft.usage_limit = integerOrText(limit);
    return draft;
  }

  private async create(): Promise<void> {
    const submit = this.form.querySelector<HTMLButtonElement>("button[type=submit]");
    const draft = this.draft();
    clearErrors(this.form);
    try {
      const created = await whileBusy(submit ? [submit] : [], () => this.api.createPromo(draft));
      this.toggleForm(false);
      const row = this.replace(created);
      row?.classList.add("is-new");
      row?.scrollIntoView({ block: "nearest" });
      this.toasts.show(`${created.code} created: ${discountText(created)}`, { kind: "ack" });
    } catch (error) {
      showErrors(this.form, error);
    }
  }
}

function scopeText(promo: Promo): string {
  if (promo.scope === "live") return "Live only";
  if (promo.scope === "live_and_replay") return "Live and replay";
  return `From ${formatWhen(promo.starts_at)} to ${formatWhen(promo.ends_at)}`;
}

/** A row of radio buttons named `name`, the first one checked. */
function radios(name: string, choices: [value: string, label: string][]): HTMLElement {
  return h(
    "div",
    { class: "hc-radios" },
    ...choices.map(([value, label], index) => {
      const radio = h("input", { attrs: { type: "radio", name, value } });
      radio.checked = index === 0;
      return h("label", { class: "hc-radio" }, radio, h("span", { text: label }));
    }),
  );
}
