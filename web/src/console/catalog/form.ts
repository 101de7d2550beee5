/**
 * Form building blocks for the catalog screens. A control's `name` is the API's field path
 * ("price", "variants.0.sku"), so the API's `errors[]` land next to the field they name; a
 * group of fields (a fieldset) carries the path in `data-field`. The API is the one judge of
 * what is valid: the forms are `novalidate` and send what was typed.
 */
import { ApiRefusal, refusalText } from "./api";
import { h } from "../h";

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

let sequence = 0;

/** A page-unique id: rows are added and removed, so ids cannot come from field names. */
export function uid(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

export function input(name: string, attrs: Record<string, string> = {}): HTMLInputElement {
  return h("input", { attrs: { name, autocomplete: "off", ...attrs } });
}

export function textarea(name: string, attrs: Record<string, string> = {}): HTMLTextAreaElement {
  return h("textarea", { attrs: { name, rows: "3", ...attrs } });
}

export function select(name: string, options: [value: string, label: string][], attrs: Record<string, string> = {}): HTMLSelectElement {
  const element = h("select", { attrs: { name, ...attrs } });
  element.append(...options.map(([value, label]) => new Option(label, value)));
  return element;
}

/** A label, its control, an optional hint and the slot where the API's error for it appears. */
export function field(label: string, control: Control, options: { hint?: string; required?: boolean; class?: string } = {}): HTMLElement {
  control.id ||= uid("f");
  const error = h("p", { class: "hc-field-error", attrs: { id: `${control.id}-error`, hidden: "" } });
  const described = [error.id];
  let hint: HTMLElement | null = null;
  if (options.hint) {
    hint = h("p", { class: "hc-field-hint", text: options.hint, attrs: { id: `${control.id}-hint` } });
    described.unshift(hint.id);
  }
  control.setAttribute("aria-describedby", described.join(" "));
  // Required fields are said so to assistive technology; the star is drawn by the style sheet.
  const caption = h("label", { class: options.required ? "is-required" : "", attrs: { for: control.id } }, label);
  if (options.required) control.setAttribute("aria-required", "true");
  return h("div", { class: `hc-field ${options.class ?? ""}`.trim() }, caption, control, hint, error);
}

/** The slot of a group (`data-field` on a fieldset): its error is shown after its legend. */
export function groupError(): HTMLElement {
  return h("p", { class: "hc-field-error hc-group-error", attrs: { hidden: "" } });
}

/** Where errors that name no field of the form appear (and the message of a plain refusal). */
export function formError(): HTMLElement {
  return h("p", { class: "hc-form-error", attrs: { role: "alert", hidden: "" } });
}

export function clearErrors(form: HTMLElement): void {
  for (const slot of form.querySelectorAll<HTMLElement>(".hc-field-error, .hc-form-error")) {
    slot.textContent = "";
    slot.hidden = true;
  }
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  for (const group of form.querySelectorAll(".is-invalid")) group.classList.remove("is-invalid");
}

/**
 * Shows a failed call in `form`: each field error next to its field (or its group), the rest
 * in the form's error line; the first field at fault gets the focus.
 */
export function showErrors(form: HTMLElement, error: unknown): void {
  clearErrors(form);
  const general: string[] = [];
  let first: HTMLElement | null = null;
  const fieldErrors = error instanceof ApiRefusal ? error.errors : [];
  for (const { field: path, message } of fieldErrors) {
    const target = locate(form, path);
    if (!target) {
      general.push(path === "body" ? message : `${path}: ${message}`);
      continue;
    }
    const slot = target.slot;
    slot.textContent = slot.textContent ? `${slot.textContent} · ${message}` : message;
    slot.hidden = false;
    if (target.control) target.control.setAttribute("aria-invalid", "true");
    else target.group?.classList.add("is-invalid");
    first ??= target.control ?? target.group?.querySelector<HTMLElement>("input, select, textarea, button") ?? null;
  }
  if (fieldErrors.length === 0) general.push(refusalText(error));
  const line = form.querySelector<HTMLElement>(".hc-form-error");
  if (line && general.length > 0) {
    line.textContent = general.join(" · ");
    line.hidden = false;
  }
  (first ?? line)?.focus?.();
}

/** The control named `path`, else the closest group of it ("variants.1.sku" → "variants.1"). */
function locate(form: HTMLElement, path: string): { slot: HTMLElement; control?: Control; group?: HTMLElement } | null {
  const control = form.querySelector<Control>(`[name="${CSS.escape(path)}"]`);
  const controlSlot = control ? form.querySelector<HTMLElement>(`#${CSS.escape(control.id)}-error`) : null;
  if (control && controlSlot) return { slot: controlSlot, control };
  const parts = path.split(".");
  for (let length = parts.length; length > 0; length -= 1) {
    const group = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(parts.slice(0, length).join("."))}"]`);
    const slot = group?.querySelector<HTMLElement>(":scope > .hc-group-error");
    if (group && slot) return { slot, group };
  }
  return null;
}

/** Disables the buttons while a call runs (and says so to assistive technology). */
export async function whileBusy<T>(buttons: HTMLButtonElement[], work: () => Promise<T>): Promise<T> {
  for (const button of buttons) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  }
  try {
    return await work();
  } finally {
    for (const button of buttons) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }
}

/** The form's text value of `name` (a radio group's checked one), trimmed ("" when absent). */
export function valueOf(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name);
  if (control instanceof RadioNodeList) return control.value.trim();
  return control instanceof HTMLInputElement || control instanceof HTMLSelectElement || control instanceof HTMLTextAreaElement
    ? control.value.trim()
    : "";
}

/** A whole number as typed, or the raw text for the API to refuse ("" stays ""). */
export function integerOrText(text: string): number | string {
  return /^-?\d+$/.test(text) ? Number(text) : text;
}
