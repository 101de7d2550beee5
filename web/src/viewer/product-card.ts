/**
 * The featured product's call-to-action card, and when to show it.
 *
 * Live, the card follows the video: it appears on the player's timed-metadata cue, so the
 * viewer sees it when the host shows the product. The WebSocket says it first (the video runs
 * a few seconds behind); if no cue follows within the player's distance behind live plus a
 * margin (a stream without cues), the card shows anyway. A late joiner gets it from the
 * snapshot at once. `data-shown-by` on the card says which of the three showed it ("cue" once
 * the video reaches a product the room announced).
 */
import type { Product } from "../api";
import { formatPrice } from "../dom";
import type { ProductCard } from "../protocol";
import { el, mark } from "./el";
import { productImage, productLink } from "./products";

// When the player's latency is unknown (not playing yet): longer than it plays behind live
// (IVS low latency: 2–5 s; the local stand-in's 2 s segments: 6–9 s, measured in
// tests/e2e/test_timed_metadata.py), so the cue wins when there is one.
export const CUE_GRACE_MS = 10_000;
const CUE_MARGIN_MS = 2_000;
const MIN_GRACE_MS = 3_000;
const MAX_GRACE_MS = 15_000;

/** How long to wait for the cue of an announced product, given how far behind live the video
 * plays (null: unknown). */
export function cueGraceMs(behindLiveMs: number | null): number {
  if (behindLiveMs === null || !Number.isFinite(behindLiveMs) || behindLiveMs <= 0) return CUE_GRACE_MS;
  return Math.min(MAX_GRACE_MS, Math.max(MIN_GRACE_MS, behindLiveMs + CUE_MARGIN_MS));
}

type ShownBy = "cue" | "room" | "snapshot";

type Shown = Pick<ProductCard, "sku" | "name" | "price" | "currency" | "image_url"> &
  Partial<Pick<ProductCard, "product_url" | "in_stock">>;

/** The cue's JSON text as a product, or null for any other (or malformed) cue. */
export function parseProductCue(text: string): Shown | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== "object" || data === null) return null;
  const cue = data as Record<string, unknown>;
  if (cue.type !== "product" || typeof cue.sku !== "string" || cue.sku === "") return null;
  const field = (name: string) => (typeof cue[name] === "string" ? (cue[name] as string) : "");
  return { sku: cue.sku, name: field("name") || cue.sku, price: field("price"), currency: field("currency"), image_url: field("image_url") };
}

export class FeaturedProduct {
  private shownSku: string | null = null;
  private dismissedSku: string | null = null;
  private pending: { product: ProductCard; timer: number } | null = null;
  /** The show's catalog from the REST API: complete where a cue carries only a summary. */
  catalog = new Map<string, Product>();

  /** How far behind live the video plays, in ms, when the player knows (viewer.ts sets it). */
  behindLiveMs: () => number | null = () => null;

  constructor(private readonly card: HTMLElement) {}

  /** The snapshot's featured product: shown at once unless the viewer dismissed it. */
  fromSnapshot(product: ProductCard | null): void {
    this.cancelPending();
    if (!product) return this.hide();
    if (product.sku !== this.dismissedSku) this.show(product, "snapshot");
  }

  /** A live `featured` update: the host featured it now, the cue follows with the video. */
  fromUpdate(product: ProductCard): void {
    if (this.dismissedSku === product.sku) this.dismissedSku = null; // featured again: a new moment
    if (this.shownSku === product.sku) return; // the cue was faster
    this.cancelPending();
    const timer = window.setTimeout(() => {
      this.pending = null;
      this.show(product, "room");
    }, cueGraceMs(this.behindLiveMs()));
    this.pending = { product, timer };
  }

  /** The player's metadata cue text: the moment the product is on screen. */
  fromCue(text: string): void {
    const cue = parseProductCue(text);
    if (!cue || cue.sku === this.dismissedSku) return;
    if (cue.sku === this.shownSku) {
      this.card.dataset.shownBy = "cue"; // shown early by the room: the video is there now
      return;
    }
    const announced = this.pending?.product.sku === cue.sku ? this.pending.product : null;
    this.cancelPending();
    this.show(announced ? { ...cue, ...announced } : cue, "cue");
  }

  dismiss(): void {
    this.dismissedSku = this.shownSku;
    this.hide();
  }

  private show(summary: Shown, shownBy: ShownBy): void {
    const product = { ...summary, ...this.catalog.get(summary.sku) };
    this.shownSku = product.sku;
    mark("featuredSku", product.sku);
    const cta =
      product.in_stock === false
        ? el("span", { class: "sold-out", text: "Sold out" })
        : productLink(product.product_url ?? "", "Shop now", product.name, "cta");
    const dismiss = el("button", { class: "icon-button dismiss", attrs: { type: "button", "aria-label": "Hide this product" } });
    dismiss.addEventListener("click", () => this.dismiss());
    this.card.replaceChildren(
      ...[
        productImage(product.image_url, 64, "card-image"),
      el(
        "div",
        { class: "card-text" },
        el("span", { class: "eyebrow", text: "Featured now" }),
        el("h2", { class: "card-name", text: product.name }),
        el("span", { class: "price", text: product.price ? formatPrice(product.price, product.currency) : "" }),
      ),
        cta,
        dismiss,
      ].filter((part) => part !== null),
    );
    this.card.dataset.sku = product.sku;
    this.card.dataset.shownBy = shownBy;
    this.card.hidden = false;
  }

  private hide(): void {
    this.shownSku = null;
    this.card.hidden = true;
    this.card.replaceChildren();
    delete this.card.dataset.sku;
    delete this.card.dataset.shownBy;
    mark("featuredSku", null);
  }

  private cancelPending(): void {
    if (this.pending) window.clearTimeout(this.pending.timer);
    this.pending = null;
  }
}
