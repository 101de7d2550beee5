/**
 * The room's notice for this viewer: banned, reconnecting or muted (in that order of
 * precedence), mirrored in `data-notice` (banned|reconnecting|muted|none).
 */
import { el, mark } from "./el";

export type NoticeKind = "banned" | "reconnecting" | "muted" | "none";

const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

export class RoomNotice {
  private banned = false;
  private reconnecting = false;
  private mutedUntil: Date | null = null;
  private unmuteTimer: number | undefined;
  /** Called whenever the notice changes (the composer follows it). */
  onChange: (kind: NoticeKind) => void = () => {};

  constructor(private readonly banner: HTMLElement) {
    this.render();
  }

  get kind(): NoticeKind {
    if (this.banned) return "banned";
    if (this.reconnecting) return "reconnecting";
    if (this.mutedUntil) return "muted";
    return "none";
  }

  get muted(): Date | null {
    return this.mutedUntil;
  }

  setBanned(): void {
    this.banned = true;
    this.render();
  }

  setReconnecting(reconnecting: boolean): void {
    this.reconnecting = reconnecting;
    this.render();
  }

  /** Muted until `until` (null: unmuted); the notice lifts itself when the time comes. */
  setMuted(until: Date | null): void {
    window.clearTimeout(this.unmuteTimer);
    this.mutedUntil = until && until.getTime() > Date.now() ? until : null;
    if (this.mutedUntil) {
      const wait = Math.min(this.mutedUntil.getTime() - Date.now() + 500, 2 ** 31 - 1);
      this.unmuteTimer = window.setTimeout(() => this.setMuted(null), wait);
    }
    this.render();
  }

  private render(): void {
    const kind = this.kind;
    mark("notice", kind);
    this.banner.dataset.kind = kind;
    this.banner.hidden = kind === "none";
    if (kind === "banned") {
      this.banner.replaceChildren(
        el("strong", { text: "You can no longer take part in this chat." }),
        " The moderators removed you from it. You can still watch the show.",
      );
    } else if (kind === "reconnecting") {
      this.banner.replaceChildren(el("span", { class: "spinner", attrs: { "aria-hidden": "true" } }), "Connection lost. Reconnecting…");
    } else if (kind === "muted" && this.mutedUntil) {
      this.banner.replaceChildren(
        el("strong", { text: "You are muted" }),
        ` until ${clock.format(this.mutedUntil)}. You can still watch and react.`,
      );
    } else {
      this.banner.replaceChildren();
    }
    this.onChange(kind);
  }
}
