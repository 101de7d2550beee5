/**
 * Hearts: the viewer's taps are batched (at most one `react` frame a second, carrying the count)
 * and the room's aggregated reactions float up the side of the video.
 */
import type { Reaction } from "../protocol";

const SEND_EVERY_MS = 1_000;
const MAX_COUNT = 50; // the server's bound on one frame's count
const MAX_FLOATING = 24; // a storm of hearts stays a handful of elements

export class ReactionBatcher {
  private pending = 0;
  private lastSent = 0;
  private timer: number | undefined;

  constructor(private readonly send: (reaction: Reaction, count: number) => boolean) {}

  tap(): void {
    this.pending += 1;
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastSent + SEND_EVERY_MS - performance.now());
    this.timer = window.setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    const count = Math.min(this.pending, MAX_COUNT);
    // Not connected: the taps are lost, as a reaction means nothing a minute later.
    this.send("like", count);
    this.pending -= count;
    this.lastSent = performance.now();
    if (this.pending > 0) this.timer = window.setTimeout(() => this.flush(), SEND_EVERY_MS);
  }
}

export class Bursts {
  constructor(private readonly layer: HTMLElement) {}

  /** Floats up to `count` reactions (a few, however large the count), staggered. */
  burst(reaction: Reaction, count: number): void {
    const shown = Math.min(count, 8);
    for (let index = 0; index < shown; index += 1) {
      window.setTimeout(() => this.float(reaction), index * 120 + Math.random() * 80);
    }
  }

  float(reaction: Reaction): void {
    if (document.hidden || this.layer.childElementCount >= MAX_FLOATING) return;
    const heart = document.createElement("span");
    heart.className = `burst burst-${reaction}`;
    heart.style.setProperty("--drift", `${Math.round((Math.random() - 0.5) * 48)}px`);
    heart.style.setProperty("--scale", (0.8 + Math.random() * 0.5).toFixed(2));
    heart.addEventListener("animationend", () => heart.remove());
    window.setTimeout(() => heart.remove(), 4_000); // animations off: still cleaned up
    this.layer.append(heart);
  }
}
