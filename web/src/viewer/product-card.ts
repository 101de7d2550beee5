/**
 * The featured product's call-to-action card, and when to show it.
 *
 * Live, the card follows the video: it appears on the player's timed-metadata cue, so the
 * viewer sees it when the host shows the product. The WebSocket says it first (the video runs
 * a few seconds behind); if no cue follows within CUE_GRACE_MS (a stream without cues), the card
 * shows anyway. A late joiner gets it from the snapshot at once.
 */
import type { Product } from "../api";
import { formatPrice } from "../dom";
import type { ProductCard } from "../protocol";
import { el, mark } from "./el";
import { productImage, productLink } from "./products";

// Longer than the player plays behind live (IVS low latency: 2–5 s; the local stand-in's 2 s
// segments: ~6 s, measured in tests/e2e/test_timed_metadata.py), so the cue wins when there is one.
export const CUE_GRACE_MS = 10_000;

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

  constructor(private readonly card: HTMLElement) {}

  /** The snapshot's featured product: shown at once unless the viewer dismissed it. */
  fromSnapshot(product: ProductCard | null): void {
    this.cancelPending();
    if (!product) return this.hide();
    if (product.sku !== this.dismissedSku) this.show(product);
  }

  /** A live `featured` update: the host featured it now, the cue follows with the video. */
  fromUpdate(product: ProductCard): void {
    if (this.dismissedSku === product.sku) this.dismissedSku = null; // featured again: a new moment
    if (this.shownSku === product.sku) return; // the cue was faster
    this.cancelPending();
    const timer = window.setTimeout(() => {
      this.pending = null;
      this.show(product);
    }, CUE_GRACE_MS);
    this.pending = { product, timer };
  }

  /** The player's metadata cue text: the moment the product is on screen. */
  fromCue(text: string): void {
    const cue = parseProductCue(text);
    if (!cue || cue.sku === this.shownSku || cue.sku === this.dismissedSku) return;
    const announced = this.pending?.product.sku === cue.sku ? this.pending.product : null;
    this.cancelPending();
    this.show(announced ? { ...cue, ...announced } : cue);
  }

  dismiss(): void {
    this.dismissedSku = this.shownSku;
    this.hide();
  }

  private show(summary: Shown): void {
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
    this.card.hidden = false;
  }

  private hide(): void {
    this.shownSku = null;
    this.card.hidden = true;
    this.card.replaceChildren();
    delete this.card.dataset.sku;
    mark("featuredSku", null);
  }

  private cancelPending(): void {
    if (this.pending) window.clearTimeout(this.pending.timer);
    this.pending = null;
  }
}
