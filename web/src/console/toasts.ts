/** Short-lived messages at the bottom of the screen: the server's ack and error answers. */
import { button, h } from "./h";

export type ToastKind = "ack" | "error" | "info";

export interface ToastOptions {
  kind?: ToastKind;
  /** The `ref` of the action this toast answers (tests and screen readers can match them). */
  ref?: string;
  /** A second button, e.g. Undo after a mute. */
  action?: { label: string; run: () => void };
  durationMs?: number;
}

const MAX_TOASTS = 2;

export class Toasts {
  constructor(private readonly region: HTMLElement) {}

  /** Drops every toast: an Undo must never act on a room the console has left. */
  clear(): void {
    this.region.replaceChildren();
  }

  show(text: string, options: ToastOptions = {}): HTMLElement {
    const kind = options.kind ?? "info";
    const toast = h("div", {
      class: `hc-toast hc-toast-${kind}`,
      dataset: { toastKind: kind, ...(options.ref ? { ref: options.ref } : {}) },
      attrs: { role: kind === "error" ? "alert" : "status" },
    });
    const close = (): void => toast.remove();
    toast.append(h("span", { class: "hc-toast-text", text }));
    if (options.action) {
      const { label, run } = options.action;
      toast.append(button(label, () => (close(), run()), "toast-action"));
    }
    toast.append(
      h("button", {
        class: "hc-toast-close",
        text: "×",
        attrs: { type: "button", "aria-label": "Dismiss" },
        on: { click: close },
      }),
    );
    this.region.append(toast);
    while (this.region.children.length > MAX_TOASTS) this.region.firstElementChild?.remove();
    // Errors stay longer: the moderator must be able to read why an action failed.
    window.setTimeout(close, options.durationMs ?? (kind === "error" ? 8_000 : options.action ? 6_000 : 2_500));
    return toast;
  }
}
