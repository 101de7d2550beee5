/**
 * The chat: messages deduplicated by id, newest at the bottom, with its own scroll that stays
 * at the bottom unless the viewer scrolled up (then a "new messages" chip brings them back).
 */
import type { MessageView, StaffRole } from "../protocol";
import { el } from "./el";

const KEEP = 200; // a long show's chat is trimmed from the top: the DOM stays small
const BOTTOM_SLACK_PX = 32;

const ROLE_LABELS: Record<StaffRole, string> = {
  host: "Host",
  moderator: "Moderator",
  admin: "Team",
};

/** The author, their role badge and the question label: shared by the chat and the pinned bar. */
export function authorLine(message: MessageView): HTMLSpanElement {
  const line = el("span", { class: "author-line" }, el("span", { class: "author", text: message.author_name }));
  if (message.author_role) {
    line.append(el("span", { class: `role-badge role-${message.author_role}`, text: ROLE_LABELS[message.author_role] }));
  }
  if (message.kind === "question") line.append(el("span", { class: "kind-label", text: "Question" }));
  return line;
}

export class ChatView {
  private readonly byId = new Map<string, HTMLLIElement>();
  private stickToBottom = true;
  private scrollQueued = false;
  /** The viewer's own id, to mark their messages. */
  viewerId = "";

  constructor(
    private readonly list: HTMLElement,
    private readonly chip: HTMLButtonElement,
  ) {
    list.addEventListener(
      "scroll",
      () => {
        this.stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < BOTTOM_SLACK_PX;
        if (this.stickToBottom) chip.hidden = true;
      },
      { passive: true },
    );
    chip.addEventListener("click", () => {
      this.stickToBottom = true;
      this.scrollToEnd();
    });
  }

  /** The room's last messages, as a snapshot gives them (oldest first): the truth after a gap. */
  reset(messages: readonly MessageView[]): void {
    this.list.replaceChildren();
    this.byId.clear();
    this.stickToBottom = true;
    for (const message of messages) this.add(message);
  }

  add(message: MessageView): void {
    if (this.byId.has(message.message_id)) return; // fan-out may deliver a message twice
    const item = this.render(message);
    this.byId.set(message.message_id, item);
    this.list.append(item);
    while (this.byId.size > KEEP) {
      const first = this.list.firstElementChild as HTMLLIElement | null;
      if (!first) break;
      this.byId.delete(first.dataset.messageId ?? "");
      first.remove();
    }
    if (this.stickToBottom) this.queueScroll();
    else this.chip.hidden = false;
  }

  remove(messageId: string): void {
    this.byId.get(messageId)?.remove();
    this.byId.delete(messageId);
  }

  text(messageId: string): string | null {
    return this.byId.get(messageId)?.querySelector(".text")?.textContent ?? null;
  }

  private render(message: MessageView): HTMLLIElement {
    const classes = ["message", `kind-${message.kind}`];
    if (message.author_role) classes.push("from-staff");
    if (message.author_id === this.viewerId) classes.push("mine");
    const item = el("li", { class: classes.join(" "), data: { messageId: message.message_id } });
    if (message.kind === "answer") {
      const question = message.reply_to ? this.text(message.reply_to) : null;
      item.append(el("span", { class: "reply-to", text: question ? `Answer to “${question}”` : "Answer" }));
    }
    item.append(authorLine(message), " ", el("span", { class: "text", text: message.text }));
    return item;
  }

  /** One scroll per frame, however many messages an updates frame carried. */
  private queueScroll(): void {
    if (this.scrollQueued) return;
    this.scrollQueued = true;
    requestAnimationFrame(() => {
      this.scrollQueued = false;
      this.scrollToEnd();
    });
  }

  private scrollToEnd(): void {
    this.list.scrollTop = this.list.scrollHeight;
    this.chip.hidden = true;
  }
}

/** The pinned message above the chat; hidden when nothing is pinned. */
export function renderPinned(container: HTMLElement, message: MessageView | null): void {
  container.hidden = message === null;
  if (!message) {
    container.replaceChildren();
    delete container.dataset.messageId;
    return;
  }
  container.dataset.messageId = message.message_id;
  container.replaceChildren(
    el("span", { class: "pin-label", text: "Pinned" }),
    el("p", {}, authorLine(message), " ", el("span", { class: "text", text: message.text })),
  );
}
