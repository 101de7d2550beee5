/**
 * The room as the console knows it: the join snapshot, then every update applied in order.
 * Pure data, no DOM: the panels read it after each frame.
 */
import type {
  ContestView,
  MessageView,
  PollView,
  ProductCard,
  PromoBanner,
  Reaction,
  ShowStatus,
  SnapshotFrame,
  Update,
  You,
} from "../protocol";

/** A long show's chat: older rows are dropped so the page stays light. */
export const MAX_MESSAGES = 400;
const PULSE_WINDOW_MS = 60_000;

export interface ChapterMark {
  title: string;
  offsetSeconds: number;
}

export class RoomState {
  joined = false;
  status: ShowStatus | null = null;
  you: You | null = null;
  viewers = 0;
  slowModeSeconds = 0;
  /** The brand's blocklist as the server has it (admins receive it in the snapshot). */
  blocklist: string[] | null = null;
  pinned: MessageView | null = null;
  featured: ProductCard | null = null;
  poll: PollView | null = null;
  contest: ContestView | null = null;
  /** The promo pushed to the room, and how far the server's clock is ahead of this one (ms). */
  promo: PromoBanner | null = null;
  promoClockOffsetMs = 0;
  /** By message_id, oldest first (a Map keeps insertion order). */
  readonly messages = new Map<string, MessageView>();
  /** Questions answered by an answer in the chat or by an acknowledged answer_question. */
  readonly answered = new Set<string>();
  /** Chapters marked since this console joined (the snapshot carries none). */
  chapters: ChapterMark[] = [];
  private reactionTaps: { at: number; taps: number }[] = [];

  applySnapshot(snapshot: SnapshotFrame): void {
    this.joined = true;
    this.status = snapshot.show.status;
    this.you = snapshot.you;
    this.viewers = snapshot.viewers;
    this.slowModeSeconds = snapshot.slow_mode_seconds;
    if (snapshot.blocklist) this.blocklist = snapshot.blocklist;
    this.pinned = snapshot.pinned;
    this.featured = snapshot.featured;
    this.poll = snapshot.poll;
    this.contest = snapshot.contest;
    this.setPromo(snapshot.promo ?? null);
    // The snapshot is the truth after a reconnection: what was deleted meanwhile disappears.
    this.messages.clear();
    for (const message of snapshot.messages) this.addMessage(message);
  }

  apply(update: Update, now: number = Date.now()): void {
    switch (update.kind) {
      case "message":
        this.addMessage(update.message);
        break;
      case "message_deleted":
        this.messages.delete(update.message_id);
        if (this.pinned?.message_id === update.message_id) this.pinned = null;
        break;
      case "pinned":
        this.pinned = update.message;
        break;
      case "reactions": {
        const taps = Object.values(update.counts).reduce((sum, value) => sum + (value ?? 0), 0);
        this.reactionTaps.push({ at: now, taps });
        break;
      }
      case "featured":
        this.featured = update.product;
        break;
      case "chapter":
        this.chapters = [...this.chapters, { title: update.title, offsetSeconds: update.offset_seconds }];
        break;
      case "poll":
        this.poll = update.poll;
        break;
      case "contest":
        this.contest = update.contest;
        break;
      case "show":
        this.status = update.status;
        break;
      case "viewers":
        this.viewers = update.count;
        break;
      case "slow_mode":
        this.slowModeSeconds = update.seconds;
        break;
      case "promo":
        this.setPromo(update.promo, now);
        break;
    }
  }

  /** A pushed promo; its countdown runs on the server's clock (`server_time` at the push). */
  setPromo(promo: PromoBanner | null, now: number = Date.now()): void {
    this.promo = promo;
    const serverTime = promo ? Date.parse(promo.server_time) : Number.NaN;
    this.promoClockOffsetMs = Number.isNaN(serverTime) ? 0 : serverTime - now;
  }

  /** Milliseconds the pushed promo has left on screen (0: none, or over). */
  promoLeftMs(now: number = Date.now()): number {
    if (!this.promo) return 0;
    const ends = Date.parse(this.promo.expires_at);
    return Number.isNaN(ends) ? 0 : Math.max(0, ends - (now + this.promoClockOffsetMs));
  }

  /** Reaction taps in the last minute: the room's pulse. */
  reactionsPerMinute(now: number = Date.now()): number {
    this.reactionTaps = this.reactionTaps.filter((entry) => now - entry.at < PULSE_WINDOW_MS);
    return this.reactionTaps.reduce((sum, entry) => sum + entry.taps, 0);
  }

  /** Questions, unanswered first, each group oldest first (the one waiting longest on top). */
  questions(): { message: MessageView; answers: MessageView[] }[] {
    const answers = new Map<string, MessageView[]>();
    for (const message of this.messages.values()) {
      if (message.kind === "answer" && message.reply_to) {
        answers.set(message.reply_to, [...(answers.get(message.reply_to) ?? []), message]);
      }
    }
    const questions = [...this.messages.values()]
      .filter((message) => message.kind === "question")
      .map((message) => ({ message, answers: answers.get(message.message_id) ?? [] }));
    const isAnswered = (entry: { message: MessageView }): boolean => this.isAnswered(entry.message.message_id);
    return [...questions.filter((entry) => !isAnswered(entry)), ...questions.filter(isAnswered)];
  }

  isAnswered(messageId: string): boolean {
    return this.answered.has(messageId);
  }

  unansweredCount(): number {
    let waiting = 0;
    for (const message of this.messages.values()) {
      if (message.kind === "question" && !this.isAnswered(message.message_id)) waiting += 1;
    }
    return waiting;
  }

  private addMessage(message: MessageView): void {
    // Deduplicated by id: a frame replayed after a reconnection changes nothing.
    if (this.messages.has(message.message_id)) return;
    this.messages.set(message.message_id, message);
    if (message.kind === "answer" && message.reply_to) this.answered.add(message.reply_to);
    while (this.messages.size > MAX_MESSAGES) {
      const oldest = this.messages.keys().next().value;
      if (oldest === undefined) break;
      this.messages.delete(oldest);
    }
  }
}
