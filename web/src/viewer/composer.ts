/**
 * The composer: chat or "ask a question", the display name asked once before the first
 * message, slow mode, and the server's refusals (the text comes back: nothing typed is lost).
 */
import type { ErrorFrame } from "../protocol";
import { displayName, MAX_NAME_CHARACTERS, saveDisplayName } from "./storage";

type Sendable = { action: "chat" | "ask"; text: string; ref: string };

const MAX_TEXT_CHARACTERS = 500;

const REFUSALS: Record<string, string> = {
  slow_mode: "Slow mode is on: wait a moment before your next message.",
  rate_limited: "You are sending messages too quickly. Try again in a moment.",
  blocked_word: "This message contains a word that is not allowed here.",
  invalid_text: "This message cannot be sent. Check it and try again.",
  show_not_live: "The chat opens when the live starts.",
  muted: "You are muted for now.",
  banned: "You can no longer take part in this chat.",
};

function characters(text: string): number {
  return [...text].length;
}

export interface ComposerParts {
  form: HTMLFormElement;
  input: HTMLInputElement;
  ask: HTMLButtonElement;
  send: HTMLButtonElement;
  hint: HTMLElement;
  nameSheet: HTMLDialogElement;
  nameForm: HTMLFormElement;
  nameInput: HTMLInputElement;
  nameError: HTMLElement;
}

export class Composer {
  private asking = false;
  private counter = 0;
  private readonly pending = new Map<string, Sendable>();
  private waitingForName: Sendable | null = null;
  private closedReason = "";
  private cooldownUntil = 0;
  private cooldownTimer: number | undefined;
  slowModeSeconds = 0;
  isStaff = false;

  constructor(
    private readonly parts: ComposerParts,
    private readonly transmit: (frame: Sendable) => boolean,
    /** The name is part of the connection: the room reconnects with it, then calls `joined`. */
    private readonly onNameChosen: (name: string) => void,
  ) {
    parts.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    parts.ask.addEventListener("click", () => this.setAsking(!this.asking));
    parts.input.addEventListener("input", () => this.setHint(""));
    parts.nameForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.chooseName();
    });
    parts.nameSheet.addEventListener("close", () => {
      if (!displayName()) this.restore(this.waitingForName);
    });
    parts.nameSheet.addEventListener("click", (event) => {
      if (event.target === parts.nameSheet) parts.nameSheet.close(); // the backdrop
    });
    parts.nameSheet.querySelector("[data-close]")?.addEventListener("click", () => parts.nameSheet.close());
  }

  /** Why the chat is closed to this viewer ("" when open): banned, muted, the show ended. */
  setClosed(reason: string): void {
    this.closedReason = reason;
    const { input, send, ask } = this.parts;
    input.disabled = reason !== "";
    ask.disabled = reason !== "";
    send.disabled = reason !== "" || Date.now() < this.cooldownUntil;
    input.placeholder = reason || (this.asking ? "Ask the host a question…" : "Say something…");
    if (reason) this.parts.form.dataset.closed = "";
    else delete this.parts.form.dataset.closed;
  }

  /** The connection (re)joined the room: a message held for the name can go now. */
  joined(): void {
    const held = this.waitingForName;
    if (held && displayName()) {
      this.waitingForName = null;
      this.dispatch(held);
    }
  }

  /** An error frame: true when it answered one of this composer's frames. */
  refused(error: ErrorFrame): boolean {
    const frame = error.ref ? this.pending.get(error.ref) : undefined;
    if (!frame) return false;
    this.pending.delete(frame.ref);
    this.restore(frame);
    if (error.error === "slow_mode" && error.retry_after_seconds) this.cooldown(error.retry_after_seconds);
    this.setHint(REFUSALS[error.error] ?? (error.detail || "The message could not be sent."));
    return true;
  }

  /** An ack for one of this composer's frames. */
  acknowledged(ref: string | null): void {
    if (ref) this.pending.delete(ref);
  }

  private setAsking(asking: boolean): void {
    this.asking = asking;
    this.parts.ask.setAttribute("aria-pressed", String(asking));
    this.parts.form.classList.toggle("asking", asking);
    this.setClosed(this.closedReason);
  }

  private submit(): void {
    if (this.closedReason) return;
    const text = this.parts.input.value.trim();
    if (text === "") return;
    if (characters(text) > MAX_TEXT_CHARACTERS) {
      this.setHint(`Messages are limited to ${MAX_TEXT_CHARACTERS} characters.`);
      return;
    }
    this.counter += 1;
    const frame: Sendable = { action: this.asking ? "ask" : "chat", text, ref: `m${this.counter}` };
    if (!displayName()) {
      this.waitingForName = frame;
      this.askForName();
      return;
    }
    this.dispatch(frame);
  }

  private dispatch(frame: Sendable): void {
    if (!this.transmit(frame)) {
      this.restore(frame);
      this.setHint("Not connected right now: your message is kept, send it again in a moment.");
      return;
    }
    this.pending.set(frame.ref, frame);
    if (this.parts.input.value.trim() === frame.text) this.parts.input.value = "";
    if (frame.action === "ask") {
      this.setAsking(false);
      this.setHint("Question sent: the team answers in the chat.");
    }
    if (this.slowModeSeconds > 0 && !this.isStaff) this.cooldown(this.slowModeSeconds);
  }

  /** Puts a refused or unsent message back in the input, unless the viewer typed another. */
  private restore(frame: Sendable | null): void {
    if (!frame) return;
    const { input } = this.parts;
    if (input.value.trim() === "" || input.value.trim() === frame.text) {
      input.value = frame.text;
      if (frame.action === "ask") this.setAsking(true);
    }
  }

  private cooldown(seconds: number): void {
    this.cooldownUntil = Date.now() + seconds * 1000;
    window.clearInterval(this.cooldownTimer);
    const { send } = this.parts;
    const tick = () => {
      const left = Math.ceil((this.cooldownUntil - Date.now()) / 1000);
      if (left <= 0) {
        window.clearInterval(this.cooldownTimer);
        send.removeAttribute("data-wait");
        this.setClosed(this.closedReason);
        return;
      }
      send.dataset.wait = String(left);
      send.disabled = true;
    };
    tick();
    this.cooldownTimer = window.setInterval(tick, 250);
  }

  /** The room refused the chosen name (e.g. it poses as staff): ask again, saying why. */
  nameRefused(reason: string): void {
    saveDisplayName("");
    this.askForName(reason);
  }

  private askForName(reason = ""): void {
    const { nameSheet, nameInput, nameError } = this.parts;
    nameError.textContent = reason;
    nameInput.value = "";
    nameSheet.showModal();
    nameInput.focus();
  }

  private chooseName(): void {
    const { nameSheet, nameInput, nameError } = this.parts;
    const name = nameInput.value.trim().replace(/\s+/g, " ");
    if (name === "") {
      nameError.textContent = "Choose a name to chat.";
      return;
    }
    if (characters(name) > MAX_NAME_CHARACTERS) {
      nameError.textContent = `Up to ${MAX_NAME_CHARACTERS} characters.`;
      return;
    }
    saveDisplayName(name);
    nameSheet.close();
    this.onNameChosen(name); // the held message stays in the input until it is sent
  }

  private setHint(text: string): void {
    this.parts.hint.textContent = text;
    this.parts.hint.hidden = text === "";
  }
}
