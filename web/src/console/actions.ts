/**
 * Sends staff actions with a unique `ref` and matches the server's `ack` or `error` to them: the
 * button that sent one stays disabled until its answer, and the answer is shown as a toast.
 */
import type { AckFrame, ErrorFrame, StaffAction } from "../protocol";
import type { Toasts } from "./toasts";

export type ConsoleAction = StaffAction | { action: "chat"; text: string; ref?: string };

/** After this long without an answer the button is released and the moderator told. */
const ANSWER_TIMEOUT_MS = 15_000;

const DONE: Record<ConsoleAction["action"], string> = {
  chat: "Sent",
  delete_message: "Message deleted",
  pin_message: "Message pinned",
  unpin_message: "Message unpinned",
  answer_question: "Answer posted",
  mute_viewer: "Viewer muted",
  unmute_viewer: "Viewer unmuted",
  ban_viewer: "Viewer banned",
  unban_viewer: "Viewer unbanned",
  set_blocklist: "Blocklist saved",
  set_slow_mode: "Slow mode changed",
  feature_product: "Product featured",
  mark_chapter: "Chapter marked",
  open_poll: "Poll opened",
  close_poll: "Poll closed",
  open_contest: "Contest opened",
  draw_contest: "Contest drawn",
  arm_show: "Show armed: start streaming in OBS",
  end_show: "Stream stopping: the show ends when IVS confirms",
};

/** Acks whose `detail` is a sentence for people; the others carry ids or timestamps. */
const READABLE_DETAIL = new Set<ConsoleAction["action"]>([
  "ban_viewer",
  "set_blocklist",
  "feature_product",
  "draw_contest",
  "arm_show",
  "end_show",
]);

/** What a moderator should read for the server's stable error codes. */
const ERRORS: Record<string, string> = {
  forbidden: "Your role cannot do this",
  not_found: "Not found (already deleted or closed?)",
  conflict: "Not possible right now",
  show_not_live: "The show is not live",
  invalid_frame: "The server refused the request",
  invalid_text: "The text is not accepted",
  blocked_word: "The text contains a blocked word",
  slow_mode: "Slow mode: wait a moment",
  rate_limited: "Too fast: wait a moment",
  muted: "You are muted",
  banned: "You are banned",
  unavailable: "The service is busy: try again",
};

export interface SendOptions {
  /** Disabled while the action is pending. */
  buttons?: HTMLButtonElement[];
  /** The ack toast's text (defaults to a sentence per action). */
  done?: string;
  onAck?: (ack: AckFrame) => void;
  onError?: (error: ErrorFrame) => void;
  /** A second button on the ack toast, e.g. Undo. */
  undo?: { label: string; run: () => void };
  /** No toast on ack (the effect is visible anyway, e.g. a chat line). */
  quiet?: boolean;
}

interface Pending {
  action: ConsoleAction["action"];
  options: SendOptions;
  timer: number;
}

export class StaffActions {
  private readonly pending = new Map<string, Pending>();
  private sequence = 0;
  private readonly session = Math.random().toString(36).slice(2, 8);

  constructor(
    private readonly send: (frame: ConsoleAction) => boolean,
    private readonly toasts: Toasts,
  ) {}

  /** Sends `frame`; false (and a toast) when the socket is not open. */
  run(frame: ConsoleAction, options: SendOptions = {}): boolean {
    this.sequence += 1;
    const ref = `${frame.action}-${this.session}-${this.sequence}`;
    if (!this.send({ ...frame, ref })) {
      this.toasts.show("Not connected: the action was not sent", { kind: "error" });
      return false;
    }
    for (const element of options.buttons ?? []) {
      element.disabled = true;
      element.setAttribute("aria-busy", "true");
    }
    const timer = window.setTimeout(() => {
      this.settle(ref);
      this.toasts.show(`No answer from the server for “${DONE[frame.action]}”: check before retrying`, {
        kind: "error",
        ref,
      });
    }, ANSWER_TIMEOUT_MS);
    this.pending.set(ref, { action: frame.action, options, timer });
    return true;
  }

  isPending(action: ConsoleAction["action"]): boolean {
    return [...this.pending.values()].some((pending) => pending.action === action);
  }

  /** Handles an ack or error frame; true when it answered one of ours. */
  answer(frame: AckFrame | ErrorFrame): boolean {
    const pending = frame.ref ? this.settle(frame.ref) : undefined;
    if (frame.type === "ack") {
      if (!pending) return false;
      pending.options.onAck?.(frame);
      if (!pending.options.quiet) {
        const text = pending.options.done ?? DONE[pending.action];
        const detail = READABLE_DETAIL.has(pending.action) ? frame.detail : "";
        this.toasts.show(detail ? `${text} · ${detail}` : text, {
          kind: "ack",
          ref: frame.ref ?? "",
          ...(pending.options.undo ? { action: pending.options.undo } : {}),
        });
      }
      return true;
    }
    pending?.options.onError?.(frame);
    this.toasts.show(describeError(frame), { kind: "error", ...(frame.ref ? { ref: frame.ref } : {}) });
    return pending !== undefined;
  }

  /** The connection dropped: nothing pending will be answered. */
  abandonAll(): void {
    for (const ref of [...this.pending.keys()]) this.settle(ref);
  }

  private settle(ref: string): Pending | undefined {
    const pending = this.pending.get(ref);
    if (!pending) return undefined;
    this.pending.delete(ref);
    window.clearTimeout(pending.timer);
    for (const element of pending.options.buttons ?? []) {
      element.disabled = false;
      element.removeAttribute("aria-busy");
    }
    return pending;
  }
}

export function describeError(frame: ErrorFrame): string {
  const headline = ERRORS[frame.error] ?? `Refused (${frame.error})`;
  const retry = frame.retry_after_seconds ? ` (retry in ${Math.ceil(frame.retry_after_seconds)} s)` : "";
  return frame.detail ? `${headline}: ${frame.detail}${retry}` : `${headline}${retry}`;
}
