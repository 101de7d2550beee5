/**
 * Creating and editing a show: title, host, description, start (typed in the staff member's
 * zone, sent as an aware time), duration, cover image, and how it repeats (a picker that
 * builds the RRULE). Once the show exists: the API's next occurrences, the rundown
 * (rundown-editor.ts) and cancelling it. A show that has started keeps its schedule: only its
 * rundown changes. Test contract: `data-show-id` (empty for a new show) on #show-editor.
 */
import { byId, safeImageUrl } from "../../dom";
import { confirmAction } from "../confirm";
import { h } from "../h";
import type { Toasts } from "../toasts";
import { type CatalogApi, opensRoom, refusalText, type ShowChanges, type ShowDraft, type StaffShow } from "./api";
import { clearErrors, field, formError, groupError, input, integerOrText, select, showErrors, textarea, uid, valueOf, whileBusy } from "./form";
import {
  buildRule,
  dayName,
  describeRule,
  type Frequency,
  localWeekday,
  MAX_COUNT,
  MAX_INTERVAL,
  parseRule,
  type Recurrence,
  WEEKDAYS,
  type Weekday,
} from "./recurrence";
import { RundownEditor } from "./rundown-editor";
import { STATUS_LABELS } from "./shows";
import { awareIso, formatWhen, localDate, localInputValue, timeZone } from "./time";

const DEFAULT_DURATION_MINUTES = 40;
const UNITS: Record<Frequency, [one: string, many: string]> = {
  DAILY: ["day", "days"],
  WEEKLY: ["week", "weeks"],
  MONTHLY: ["month", "months"],
};

export interface ShowEditorOptions {
  /** The brand's IANA zone (config.json's timeZone), where the API repeats a new show's rule. */
  timeZone: string;
  onSaved: (show: StaffShow) => void;
  onClose: () => void;
}

export class ShowEditor {
  private readonly root = byId("show-editor");
  private readonly form = byId<HTMLFormElement>("show-form");
  private readonly heading = byId("show-editor-heading");
  private readonly status = byId("show-editor-status");
  private readonly rundown: RundownEditor;
  private show: StaffShow | null = null;
  /** A rule the picker cannot express (from elsewhere): kept unless the host picks another. */
  private customRule: string | null = null;

  constructor(
    private readonly api: CatalogApi,
    private readonly toasts: Toasts,
    private readonly options: ShowEditorOptions,
  ) {
    this.rundown = new RundownEditor(api, toasts, (show) => this.saved(show, false));
    byId("show-editor-back").addEventListener("click", () => void this.close());
    byId("cancel-show").addEventListener("click", () => void this.cancelShow());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
  }

  /** A new show (null) or an existing one, as the list had it: re-read for its products. */
  async open(show: StaffShow | null): Promise<void> {
    this.show = show;
    this.fill(show);
    this.form.querySelector<HTMLInputElement>("input:not([disabled])")?.focus();
    if (!show) return;
    try {
      const fresh = await this.api.getShow(show.show_id);
      if (this.show?.show_id === fresh.show_id) this.saved(fresh, false);
    } catch (error) {
      this.toasts.show(`The show could not be loaded: ${refusalText(error)}`, { kind: "error" });
    }
  }

  /** Leaves the editor, after a confirmation when the rundown has unsaved changes. */
  async close(): Promise<boolean> {
    if (this.rundown.hasUnsavedChanges()) {
      const leave = await confirmAction(
        "Leave without saving the rundown?",
        "The new order of the products is lost.",
        "Leave",
        "Stay",
      );
      if (!leave) return false;
    }
    this.show = null;
    this.options.onClose();
    return true;
  }

  // --- rendering ------------------------------------------------------------------------------

  private fill(show: StaffShow | null): void {
    this.root.dataset.showId = show?.show_id ?? "";
    this.heading.textContent = show ? show.title : "New show";
    this.renderStatus(show);
    this.form.replaceChildren(...this.formFields(show));
    // A listed show comes without its products: the rundown waits for the show itself.
    delete this.root.dataset.rundownFor;
    this.renderSide(show, false);
  }

  private renderStatus(show: StaffShow | null): void {
    this.status.hidden = show === null;
    this.status.textContent = show ? (STATUS_LABELS[show.status] ?? show.status) : "";
    this.status.dataset.status = show?.status ?? "";
  }

  /** The API answered with the show as it is now. */
  private saved(show: StaffShow, refill: boolean): void {
    this.show = show;
    this.root.dataset.showId = show.show_id;
    this.heading.textContent = show.title;
    this.renderStatus(show);
    if (refill) this.form.replaceChildren(...this.formFields(show));
    this.renderSide(show);
    this.options.onSaved(show);
  }

  /** The next occurrences, the rundown (once the show's products are known), cancelling. */
  private renderSide(show: StaffShow | null, withProducts = true): void {
    const occurrences = byId("next-occurrences");
    const card = byId("occurrences-card");
    card.hidden = !show || show.next_occurrences.length === 0;
    if (show) {
      byId("occurrences-rule").textContent = describeRule(show.recurrence_rule, show.starts_at, show.time_zone);
      occurrences.replaceChildren(
        ...show.next_occurrences.map((at) => h("li", {}, h("time", { text: formatWhen(at), attrs: { datetime: at } }))),
      );
    }
    const rundown = byId("rundown-card");
    rundown.hidden = !show || !opensRoom(show) || (!withProducts && this.root.dataset.rundownFor !== show.show_id);
    // Opened once per show: saving the show's details keeps the order being edited.
    if (show && !rundown.hidden && this.root.dataset.rundownFor !== show.show_id) {
      this.root.dataset.rundownFor = show.show_id;
      this.rundown.open(show);
    }
    byId("cancel-card").hidden = show?.status !== "scheduled";
  }

  private formFields(show: StaffShow | null): HTMLElement[] {
    const started = show !== null && show.status !== "scheduled";
    const title = input("title", { maxlength: "120", value: show?.title ?? "" });
    const fields: HTMLElement[] = [];
    if (started) {
      fields.push(
        h("p", { class: "notice hc-small", text: `This show is ${STATUS_LABELS[show.status]?.toLowerCase() ?? show.status}: its schedule cannot change any more, its rundown can while it is live.` }),
      );
    }
    const body = h("fieldset", { class: "hc-plain-fieldset" });
    body.disabled = started;
    body.append(field("Title", title, { required: true }));
    if (!show) {
      const showId = input("show_id", { maxlength: "64", spellcheck: "false", autocapitalize: "off" });
      // Suggested from the title until the host types one; one suffix per form, so the id
      // does not reshuffle on every key.
      const tail = Math.random().toString(36).slice(2, 6);
      showId.dataset.suggested = "true";
      showId.addEventListener("input", () => delete showId.dataset.suggested);
      title.addEventListener("input", () => {
        if (showId.dataset.suggested === "true") showId.value = slug(title.value, tail);
      });
      body.append(field("Show ID", showId, { required: true, hint: "In the viewers' link (…/?show=ID); it cannot change later." }));
    }
    const starts = input("starts_at", { type: "datetime-local", value: localInputValue(show?.starts_at ?? defaultStart()) });
    const duration = input("duration_minutes", {
      type: "number",
      inputmode: "numeric",
      min: "5",
      max: "480",
      step: "5",
      value: String(show?.duration_minutes ?? DEFAULT_DURATION_MINUTES),
    });
    const description = textarea("description", { maxlength: "2000" });
    description.value = show?.description ?? "";
    const cover = input("cover_image_url", { type: "url", placeholder: "https://…", value: show?.cover_image_url ?? "" });
    const preview = h("img", { class: "hc-cover-preview", attrs: { alt: "Cover preview", hidden: "" } });
    const showPreview = (): void => {
      const typed = cover.value.trim();
      const source = typed ? safeImageUrl(typed) : null;
      preview.hidden = !source;
      if (source) preview.src = source;
    };
    cover.addEventListener("change", showPreview);
    showPreview();
    body.append(
      field("Host", input("host_name", { maxlength: "80", value: show?.host_name ?? "", placeholder: "Who presents it" })),
      field("Description", description),
      h(
        "div",
        { class: "hc-field-grid" },
        field("Starts", starts, { required: true, hint: `Your time (${timeZone()}).` }),
        field("Duration (minutes)", duration, { hint: "5 to 480" }),
      ),
      field("Cover image URL", cover),
      preview,
      this.recurrenceFields(show, starts),
    );
    fields.push(body, formError());
    if (!started) {
      fields.push(
        h("div", { class: "hc-form-buttons" }, h("button", { text: show ? "Save show" : "Create show", attrs: { type: "submit" } })),
      );
    }
    return fields;
  }

  // --- the recurrence picker ------------------------------------------------------------------

  private recurrenceFields(show: StaffShow | null, starts: HTMLInputElement): HTMLElement {
    const start = (): Date => localDate(starts.value) ?? new Date();
    const rule = show?.recurrence_rule ?? null;
    const zone = show?.time_zone ?? this.options.timeZone;
    const parsed = rule ? parseRule(rule, new Date(show?.starts_at ?? ""), zone) : null;
    this.customRule = rule && !parsed ? rule : null;

    const frequency = select("repeat.frequency", [
      ["", "Does not repeat"],
      ["DAILY", "Every day"],
      ["WEEKLY", "Every week"],
      ["MONTHLY", "Every month"],
    ]);
    if (this.customRule) frequency.append(new Option(`As set elsewhere: ${this.customRule}`, "custom"));
    frequency.value = this.customRule ? "custom" : (parsed?.frequency ?? "");
    const interval = input("repeat.interval", { type: "number", inputmode: "numeric", min: "1", max: String(MAX_INTERVAL), value: String(parsed?.interval ?? 1) });
    const intervalUnit = h("span", { class: "hc-suffix" });
    const days = h("div", { class: "hc-weekdays", attrs: { role: "group", "aria-label": "On these days" } });
    for (const day of WEEKDAYS) {
      const box = h("input", { attrs: { type: "checkbox", name: "repeat.day", value: day } });
      box.checked = parsed?.days.includes(day) ?? false;
      days.append(h("label", { class: "hc-day", attrs: { title: dayName(day, "long") } }, box, h("span", { text: dayName(day) })));
    }
    const end = select("repeat.end", [
      ["never", "Never"],
      ["count", "After a number of shows"],
      ["until", "On a date"],
    ]);
    end.value = parsed?.end.kind ?? "never";
    const times = input("repeat.count", { type: "number", inputmode: "numeric", min: "1", max: String(MAX_COUNT), value: parsed?.end.kind === "count" ? String(parsed.end.count) : "10" });
    const until = input("repeat.until", { type: "date", value: parsed?.end.kind === "until" ? parsed.end.date : "" });
    const preview = h("code", { class: "hc-rule-preview" });
    const summary = h("p", { class: "hc-field-hint", attrs: { "aria-live": "polite" } });

    const intervalField = field("Every", interval, { class: "hc-with-suffix" });
    intervalField.append(intervalUnit);
    const daysField = h("div", { class: "hc-field" }, h("span", { class: "hc-field-label", text: "On" }), days);
    const timesField = field("Shows in all", times);
    const untilField = field("Last show on", until);
    const endField = field("Ends", end);

    const update = (): void => {
      const chosen = frequency.value;
      const repeats = chosen === "DAILY" || chosen === "WEEKLY" || chosen === "MONTHLY";
      intervalField.hidden = endField.hidden = !repeats;
      daysField.hidden = chosen !== "WEEKLY";
      timesField.hidden = !repeats || end.value !== "count";
      untilField.hidden = !repeats || end.value !== "until";
      if (repeats) {
        const unit = UNITS[chosen];
        intervalUnit.textContent = Number(interval.value) === 1 ? unit[0] : unit[1];
      }
      const built = this.readRule();
      preview.textContent = built ?? "none";
      summary.replaceChildren(
        built ? describeRule(built, start().toISOString(), zone) : "A one-off show.",
        " · Rule: ",
        preview,
      );
    };
    frequency.addEventListener("change", () => {
      // A weekly show repeats on its own weekday until other days are ticked.
      if (frequency.value === "WEEKLY" && !days.querySelector("input:checked")) {
        const own = days.querySelector<HTMLInputElement>(`input[value="${localWeekday(start())}"]`);
        if (own) own.checked = true;
      }
      update();
    });
    for (const control of [interval, end, times, until, starts]) control.addEventListener("input", update);
    days.addEventListener("change", update);
    this.readRule = () => this.pickedRule(frequency, interval, days, end, times, until, start(), zone);
    const group = h(
      "fieldset",
      { class: "hc-group", dataset: { field: "recurrence_rule" } },
      h("legend", { text: "Repeats" }),
      groupError(),
      h("div", { class: "hc-field-grid" }, field("Frequency", frequency), intervalField),
      daysField,
      h("div", { class: "hc-field-grid" }, endField, timesField, untilField),
      summary,
    );
    group.id = uid("recurrence");
    update();
    return group;
  }

  /** The rule the picker shows now (recurrenceFields sets it for the form it builds). */
  private readRule: () => string | null = () => null;

  private pickedRule(
    frequency: HTMLSelectElement,
    interval: HTMLInputElement,
    days: HTMLElement,
    end: HTMLSelectElement,
    times: HTMLInputElement,
    until: HTMLInputElement,
    start: Date,
    zone: string,
  ): string | null {
    const chosen = frequency.value;
    if (chosen === "custom") return this.customRule;
    if (chosen !== "DAILY" && chosen !== "WEEKLY" && chosen !== "MONTHLY") return null;
    const picked = [...days.querySelectorAll<HTMLInputElement>("input:checked")].map((box) => box.value as Weekday);
    const recurrence: Recurrence = {
      frequency: chosen,
      interval: Math.max(1, Math.trunc(Number(interval.value) || 1)),
      days: picked,
      end:
        end.value === "count"
          ? { kind: "count", count: Math.max(1, Math.trunc(Number(times.value) || 1)) }
          : end.value === "until" && until.value
            ? { kind: "until", date: until.value }
            : { kind: "never" },
    };
    return buildRule(recurrence, start, zone);
  }

  // --- saving ---------------------------------------------------------------------------------

  private draft(): ShowDraft {
    const form = this.form;
    const draft: ShowDraft = {
      show_id: valueOf(form, "show_id"),
      title: valueOf(form, "title"),
      description: valueOf(form, "description"),
      host_name: valueOf(form, "host_name"),
      starts_at: awareIso(valueOf(form, "starts_at")),
      duration_minutes: integerOrText(valueOf(form, "duration_minutes")),
    };
    const rule = this.readRule();
    const cover = valueOf(form, "cover_image_url");
    if (rule) draft.recurrence_rule = rule;
    if (cover) draft.cover_image_url = cover;
    return draft;
  }

  /** Only what changed: two staff editing the same show do not undo each other's fields. */
  private changes(show: StaffShow): ShowChanges {
    const draft = this.draft();
    const changes: ShowChanges = {};
    if (draft.title !== show.title) changes.title = draft.title;
    if (draft.description !== show.description) changes.description = draft.description;
    if (draft.host_name !== show.host_name) changes.host_name = draft.host_name;
    if (Date.parse(draft.starts_at) !== Date.parse(show.starts_at)) changes.starts_at = draft.starts_at;
    if (draft.duration_minutes !== show.duration_minutes) changes.duration_minutes = draft.duration_minutes;
    // The API keeps a cover it is not given: an emptied field is sent as is, and refused.
    const cover = valueOf(this.form, "cover_image_url");
    if (cover !== show.cover_image_url) changes.cover_image_url = cover;
    const rule = draft.recurrence_rule ?? null;
    if (rule !== show.recurrence_rule) {
      if (rule) changes.recurrence_rule = rule;
      else changes.clear_recurrence = true;
    }
    return changes;
  }

  private async submit(): Promise<void> {
    const submit = this.form.querySelector<HTMLButtonElement>("button[type=submit]");
    const existing = this.show;
    clearErrors(this.form);
    try {
      if (existing) {
        const changes = this.changes(existing);
        if (Object.keys(changes).length === 0) {
          this.toasts.show("Nothing to save: the show is as it was", { kind: "info" });
          return;
        }
        const answer = await whileBusy(submit ? [submit] : [], () => this.api.updateShow(existing.show_id, changes));
        this.saved(answer, true);
        this.toasts.show(`${answer.title} saved`, { kind: "ack" });
      } else {
        const draft = this.draft();
        const answer = await whileBusy(submit ? [submit] : [], () => this.api.createShow(draft));
        this.saved(answer, true);
        this.toasts.show(`${answer.title} created: add its products to the rundown`, { kind: "ack" });
        byId("occurrences-card").scrollIntoView({ block: "nearest" });
      }
    } catch (error) {
      showErrors(this.form, error);
    }
  }

  private async cancelShow(): Promise<void> {
    const show = this.show;
    if (!show) return;
    const sure = await confirmAction(
      `Cancel “${show.title}”?`,
      "It leaves the upcoming shows and viewers can no longer join it. This cannot be undone.",
      "Cancel show",
      "Keep show",
    );
    if (!sure) return;
    const cancel = byId<HTMLButtonElement>("cancel-show");
    try {
      const answer = await whileBusy([cancel], () => this.api.cancelShow(show.show_id));
      this.options.onSaved(answer);
      this.toasts.show(`${answer.title} is cancelled`, { kind: "ack" });
      this.show = null;
      this.options.onClose();
    } catch (error) {
      this.toasts.show(`The show was not cancelled: ${refusalText(error)}`, { kind: "error" });
    }
  }
}

/** "Winter boots live!" → "winter-boots-live-3f9a": readable, and unique enough to not clash. */
export function slug(title: string, tail: string): string {
  const words = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/, "");
  return words ? `${words}-${tail}` : "";
}

/** Tomorrow at the next full hour: a sensible default to edit. */
function defaultStart(): string {
  const start = new Date(Date.now() + 24 * 3600_000);
  start.setMinutes(0, 0, 0);
  return start.toISOString();
}
