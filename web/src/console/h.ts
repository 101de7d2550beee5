/** A tiny element builder: server text goes in as text nodes, never as HTML. */

type Child = Node | string | number | null | undefined | false;
type Props = {
  class?: string;
  text?: string;
  dataset?: Record<string, string>;
  attrs?: Record<string, string>;
  on?: Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>;
};

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [key, value] of Object.entries(props.dataset ?? {})) element.dataset[key] = value;
  for (const [key, value] of Object.entries(props.attrs ?? {})) element.setAttribute(key, value);
  for (const [type, listener] of Object.entries(props.on ?? {})) {
    if (listener) element.addEventListener(type, listener);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "number" ? String(child) : child);
  }
  return element;
}

/** A `type="button"` button (a bare <button> inside a form would submit it). */
export function button(label: string, onClick: (event: Event) => void, className = ""): HTMLButtonElement {
  const element = h("button", { class: className, text: label, attrs: { type: "button" } });
  element.addEventListener("click", onClick);
  return element;
}

/** "12:04" in the staff member's locale; the raw string if it is not a date. */
export function clock(at: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(date);
}

/** "1,234" in the staff member's locale. */
export function count(value: number): string {
  return new Intl.NumberFormat().format(value);
}
