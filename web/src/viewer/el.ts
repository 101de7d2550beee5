/** Builds elements from data without ever parsing HTML: every string becomes a text node. */

type Child = Node | string | null | undefined | false;

interface Props {
  class?: string;
  text?: string;
  attrs?: Record<string, string>;
  data?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  Object.assign(element.dataset, props.data ?? {});
  for (const child of children) if (child) element.append(child);
  return element;
}

/** A body attribute for tests and styling; `null` removes it. */
export function mark(name: string, value: string | number | null): void {
  if (value === null) delete document.body.dataset[name];
  else document.body.dataset[name] = String(value);
}
