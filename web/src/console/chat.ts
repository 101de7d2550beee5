/**
 * The live chat with per-message actions, the pinned message, the staff composer, and the
 * questions tab (unanswered first, one-tap answer).
 */
import type { MessageView } from "../protocol";
import { byId } from "../dom";
import { confirmAction } from "./confirm";
import type { RoomContext } from "./context";
import { button, clock, h } from "./h";

/** How close to the bottom (px) still counts as "reading the latest": new rows scroll into view. */
const STICKY_PX = 80;
const DEFAULT_MUTE_MINUTES = 5;

export class ChatPanel {
  private readonly list = byId<HTMLOListElement>("message-list");
  private readonly questionList = byId<HTMLOListElement>("question-list");
  private readonly newMessages = byId<HTMLButtonElement>("new-messages");
  private readonly rows = new Map<string, HTMLLIElement>();
  private readonly questionRows = new Map<string, HTMLLIElement>();

  constructor(private readonly ctx: RoomContext) {
    this.newMessages.addEventListener("click", () => this.scrollToLatest());
    this.list.addEventListener("scroll", () => {
      if (this.nearBottom()) this.newMessages.hidden = true;
    });
    const form = byId<HTMLFormElement>("chat-form");
    const input = byId<HTMLInputElement>("chat-text");
    const submit = form.querySelector<HTMLButtonElement>("button[type=submit]");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      // The text stays in the box until the server took it: a refused line loses nothing.
      ctx.actions.run(
        { action: "chat", text },
        {
          quiet: true,
          buttons: submit ? [submit] : [],
          onAck: () => {
            if (input.value.trim() === text) input.value = "";
            this.stickToBottom = true;
            ctx.refresh();
          },
        },
      );
    });
  }

  private stickToBottom = true;
  /** One line shows its actions at a time: tapping another one closes it. */
  private openRow: HTMLLIElement | null = null;

  private setOpen(row: HTMLLIElement, open: boolean): void {
    if (open && this.openRow && this.openRow !== row) this.setOpen(this.openRow, false);
    row.classList.toggle("is-open", open);
    row.querySelector(".hc-message-more")?.setAttribute("aria-expanded", String(open));
    this.openRow = open ? row : this.openRow === row ? null : this.openRow;
  }

  /** After an action on a line succeeded, its action bar has done its job. */
  private collapse(messageId: string): void {
    const row = this.rows.get(messageId);
    if (row) this.setOpen(row, false);
  }

  reset(): void {
    this.openRow = null;
    this.rows.clear();
    this.questionRows.clear();
    this.list.replaceChildren();
    this.questionList.replaceChildren();
    this.stickToBottom = true;
  }

  render(): void {
    const wasAtBottom = this.stickToBottom || this.nearBottom();
    const added = reconcile(this.list, this.rows, [...this.ctx.state.messages.values()], (message) =>
      this.messageRow(message),
    );
    for (const [id, row] of this.rows) this.decorate(row, id);
    this.renderPinned();
    this.renderQuestions();
    this.stickToBottom = false;
    if (wasAtBottom) this.scrollToLatest();
    else if (added > 0) this.newMessages.hidden = false;
  }

  private nearBottom(): boolean {
    return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < STICKY_PX;
  }

  private scrollToLatest(): void {
    this.list.scrollTop = this.list.scrollHeight;
    this.newMessages.hidden = true;
  }

  // --- one chat line -------------------------------------------------------------------

  private messageRow(message: MessageView): HTMLLIElement {
    const row = h("li", {
      class: "hc-message",
      dataset: { messageId: message.message_id, kind: message.kind, authorId: message.author_id },
    });
    if (message.author_role) row.dataset.authorRole = message.author_role;
    const toggle = h("button", {
      class: "hc-message-more",
      text: "⋯",
      attrs: { type: "button", "aria-label": "Actions", "aria-expanded": "false" },
    });
    const actions = h("div", {
      class: "hc-message-actions",
      attrs: { role: "group", "aria-label": `Actions for ${message.author_name}'s message` },
    });
    const setOpen = (open: boolean): void => this.setOpen(row, open);
    toggle.addEventListener("click", (event) => {
      event.stopPropagation();
      setOpen(!row.classList.contains("is-open"));
    });
    // One tap on the line shows its actions (a phone has no hover).
    row.addEventListener("click", (event) => {
      const target = event.target as HTMLElement;
      if (target.closest("button, input, textarea, form")) return;
      setOpen(!row.classList.contains("is-open"));
    });
    actions.append(...this.actionButtons(message, row));
    row.append(
      h(
        "div",
        { class: "hc-message-main" },
        this.messageHead(message),
        this.replyContext(message),
        h("p", { class: "hc-message-text", text: message.text }),
      ),
      toggle,
      actions,
    );
    return row;
  }

  private messageHead(message: MessageView): HTMLElement {
    return h(
      "p",
      { class: "hc-message-head" },
      h("span", { class: "hc-author", text: message.author_name }),
      message.author_role && h("span", { class: `hc-role-badge hc-role-${message.author_role}`, text: message.author_role }),
      message.kind === "question" && h("span", { class: "hc-kind-tag hc-kind-question", text: "Question" }),
      message.kind === "answer" && h("span", { class: "hc-kind-tag hc-kind-answer", text: "Answer" }),
      h("time", { class: "muted", text: clock(message.at), attrs: { datetime: message.at } }),
    );
  }

  private replyContext(message: MessageView): HTMLElement | null {
    if (!message.reply_to) return null;
    const question = this.ctx.state.messages.get(message.reply_to);
    const text = question ? `${question.author_name}: ${question.text}` : "an earlier question";
    return h("p", { class: "hc-reply-to muted hc-small", text: `↳ ${text}` });
  }

  private actionButtons(message: MessageView, row: HTMLLIElement): HTMLButtonElement[] {
    const { actions } = this.ctx;
    const id = message.message_id;
    const remove = button("Delete", () => actions.run({ action: "delete_message", message_id: id }, { buttons: [remove] }), "hc-chip hc-chip-danger");
    const pin = button(
      "Pin",
      () => {
        const pinned = this.ctx.state.pinned?.message_id === id;
        actions.run(pinned ? { action: "unpin_message" } : { action: "pin_message", message_id: id }, {
          buttons: [pin],
          onAck: () => this.collapse(id),
        });
      },
      "hc-chip",
    );
    pin.dataset.action = "pin";
    const buttons = [remove, pin];
    if (message.kind === "question") {
      buttons.push(button("Answer", () => this.openAnswer(row, message), "hc-chip hc-chip-primary"));
    }
    // Staff lines cannot be muted or banned; a viewer line can.
    if (!message.author_role && message.author_id !== this.ctx.state.you?.viewer_id) {
      buttons.push(this.muteButton(message), this.banButton(message));
    }
    return buttons;
  }

  private muteButton(message: MessageView): HTMLButtonElement {
    const mute = button(
      "Mute",
      () =>
        this.ctx.actions.run(
          { action: "mute_viewer", viewer_id: message.author_id, minutes: DEFAULT_MUTE_MINUTES },
          {
            buttons: [mute],
            done: `${message.author_name} muted for ${DEFAULT_MUTE_MINUTES} min`,
            undo: { label: "Undo", run: () => this.unmute(message.author_id, message.author_name) },
            onAck: (ack) => {
              const entry = this.moderatedEntry(message);
              // The ack carries the server's "until"; the local clock is the fallback.
              const until = Date.parse(ack.detail);
              entry.mutedUntil = Number.isNaN(until) ? Date.now() + DEFAULT_MUTE_MINUTES * 60_000 : until;
              this.collapse(message.message_id);
              this.ctx.refresh();
            },
          },
        ),
      "hc-chip",
    );
    mute.title = `Mute for ${DEFAULT_MUTE_MINUTES} minutes`;
    return mute;
  }

  private banButton(message: MessageView): HTMLButtonElement {
    const ban = button(
      "Ban",
      async () => {
        const sure = await confirmAction(
          `Ban ${message.author_name}?`,
          `“${message.text}” — they will no longer be able to chat, ask or react. You can unban them from Studio.`,
          "Ban viewer",
        );
        if (!sure) return;
        this.ctx.actions.run(
          { action: "ban_viewer", viewer_id: message.author_id },
          {
            buttons: [ban],
            done: `${message.author_name} banned`,
            onAck: () => {
              this.moderatedEntry(message).banned = true;
              this.collapse(message.message_id);
              this.ctx.refresh();
            },
          },
        );
      },
      "hc-chip hc-chip-danger",
    );
    return ban;
  }

  private moderatedEntry(message: MessageView) {
    const existing = this.ctx.moderated.get(message.author_id);
    if (existing) return existing;
    const entry = { viewerId: message.author_id, name: message.author_name, mutedUntil: null, banned: false };
    this.ctx.moderated.set(message.author_id, entry);
    return entry;
  }

  private unmute(viewerId: string, name: string): void {
    this.ctx.actions.run(
      { action: "unmute_viewer", viewer_id: viewerId },
      {
        done: `${name} unmuted`,
        onAck: () => {
          const entry = this.ctx.moderated.get(viewerId);
          if (entry) entry.mutedUntil = null;
          this.ctx.refresh();
        },
      },
    );
  }

  private decorate(row: HTMLLIElement, id: string): void {
    const moderated = this.ctx.moderated.get(row.dataset.authorId ?? "");
    const status = moderated?.banned
      ? "banned"
      : moderated?.mutedUntil && moderated.mutedUntil > Date.now()
        ? "muted"
        : "";
    if ((row.dataset.authorStatus ?? "") !== status) {
      if (status) row.dataset.authorStatus = status;
      else delete row.dataset.authorStatus;
      row.querySelector(".hc-author-status")?.remove();
      if (status) row.querySelector(".hc-author")?.after(h("span", { class: "hc-author-status", text: status }));
    }
    const pinned = this.ctx.state.pinned?.message_id === id;
    row.classList.toggle("is-pinned", pinned);
    const pin = row.querySelector<HTMLButtonElement>("[data-action=pin]");
    if (pin && !pin.disabled) pin.textContent = pinned ? "Unpin" : "Pin";
    if (row.dataset.kind === "question") row.classList.toggle("is-answered", this.ctx.state.isAnswered(id));
  }

  // --- answering --------------------------------------------------------------------------

  /** Opens the answer composer inside `row` (a chat line or a question card). */
  private openAnswer(row: HTMLLIElement, question: MessageView): void {
    const open = row.querySelector<HTMLTextAreaElement>(".hc-answer-form textarea");
    if (open) {
      open.focus();
      return;
    }
    const text = h("textarea", {
      attrs: { rows: "2", maxlength: "500", required: "", "aria-label": `Answer to ${question.author_name}` },
    });
    text.placeholder = `Answer ${question.author_name}…`;
    const submit = h("button", { text: "Post answer", attrs: { type: "submit" } });
    const form = h("form", { class: "hc-answer-form" });
    const close = (): void => form.remove();
    const post = (answer: string): void => {
      this.ctx.actions.run(
        { action: "answer_question", message_id: question.message_id, text: answer },
        {
          buttons: [submit, onAir],
          onAck: () => {
            this.ctx.state.answered.add(question.message_id);
            close();
            this.ctx.refresh();
          },
        },
      );
    };
    // The host often answers out loud: one tap records it without typing.
    const onAir = button("Answered on air", () => post("Answered live on air"), "hc-ghost");
    form.append(text, h("div", { class: "hc-answer-buttons" }, button("Cancel", close, "hc-ghost"), onAir, submit));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const answer = text.value.trim();
      if (answer) post(answer);
    });
    row.append(form);
    text.focus();
  }

  // --- pinned -------------------------------------------------------------------------------

  private renderPinned(): void {
    const box = byId("pinned");
    const pinned = this.ctx.state.pinned;
    box.hidden = pinned === null;
    if (!pinned) {
      box.replaceChildren();
      delete box.dataset.messageId;
      return;
    }
    if (box.dataset.messageId === pinned.message_id) return;
    box.dataset.messageId = pinned.message_id;
    const unpin = button("Unpin", () => this.ctx.actions.run({ action: "unpin_message" }, { buttons: [unpin] }), "hc-chip");
    box.replaceChildren(
      h("span", { class: "hc-pinned-label", text: "Pinned" }),
      h(
        "p",
        { class: "hc-pinned-text" },
        h("strong", { text: `${pinned.author_name}: ` }),
        pinned.text,
      ),
      unpin,
    );
  }

  // --- questions tab ------------------------------------------------------------------------

  private renderQuestions(): void {
    const questions = this.ctx.state.questions();
    reconcile(
      this.questionList,
      this.questionRows,
      questions.map((entry) => entry.message),
      (message) => this.questionRow(message),
    );
    for (const { message, answers } of questions) {
      const row = this.questionRows.get(message.message_id);
      if (!row) continue;
      const answered = this.ctx.state.isAnswered(message.message_id);
      row.classList.toggle("is-answered", answered);
      row.dataset.answered = String(answered);
      const list = row.querySelector(".hc-answers");
      list?.replaceChildren(
        ...answers.map((answer) =>
          h("li", {}, h("strong", { text: `${answer.author_name}: ` }), answer.text),
        ),
      );
      const status = row.querySelector(".hc-question-status");
      if (status) status.textContent = answered ? "Answered" : waitingFor(message.at);
    }
    if (questions.length === 0) {
      this.questionList.replaceChildren(
        h("li", { class: "hc-empty", text: "No question yet. Viewers' questions appear here, oldest unanswered first." }),
      );
      this.questionRows.clear();
    } else {
      this.questionList.querySelector(".hc-empty")?.remove();
    }
    const waiting = this.ctx.state.unansweredCount();
    const badge = byId("question-badge");
    badge.textContent = String(waiting);
    badge.hidden = waiting === 0;
  }

  private questionRow(message: MessageView): HTMLLIElement {
    const row = h("li", {
      class: "hc-question",
      dataset: { messageId: message.message_id, authorId: message.author_id },
    });
    const answer = button("Answer", () => this.openAnswer(row, message), "hc-chip hc-chip-primary");
    const pin = button("Pin", () => this.ctx.actions.run({ action: "pin_message", message_id: message.message_id }, { buttons: [pin] }), "hc-chip");
    const remove = button(
      "Delete",
      () => this.ctx.actions.run({ action: "delete_message", message_id: message.message_id }, { buttons: [remove] }),
      "hc-chip hc-chip-danger",
    );
    row.append(
      h(
        "p",
        { class: "hc-message-head" },
        h("span", { class: "hc-author", text: message.author_name }),
        h("time", { class: "muted", text: clock(message.at), attrs: { datetime: message.at } }),
        h("span", { class: "hc-question-status" }),
      ),
      h("p", { class: "hc-question-text", text: message.text }),
      h("ul", { class: "hc-answers" }),
      h("div", { class: "hc-message-actions", attrs: { role: "group", "aria-label": "Question actions" } }, answer, pin, remove),
    );
    return row;
  }
}

function waitingFor(at: string): string {
  const minutes = Math.floor((Date.now() - new Date(at).getTime()) / 60_000);
  if (!Number.isFinite(minutes) || minutes < 1) return "just asked";
  return `waiting ${minutes} min`;
}

/**
 * Makes `list` show one row per item, in order, reusing the rows it already has (an open answer
 * composer or action bar survives a refresh). Returns how many rows were created.
 */
function reconcile(
  list: HTMLElement,
  rows: Map<string, HTMLLIElement>,
  items: MessageView[],
  create: (item: MessageView) => HTMLLIElement,
): number {
  const wanted = new Set(items.map((item) => item.message_id));
  for (const [id, row] of rows) {
    if (!wanted.has(id)) {
      row.remove();
      rows.delete(id);
    }
  }
  let created = 0;
  let cursor = list.firstElementChild;
  for (const item of items) {
    let row = rows.get(item.message_id);
    if (!row) {
      row = create(item);
      rows.set(item.message_id, row);
      created += 1;
    }
    if (row === cursor) {
      cursor = cursor.nextElementSibling;
    } else {
      list.insertBefore(row, cursor);
    }
  }
  return created;
}
