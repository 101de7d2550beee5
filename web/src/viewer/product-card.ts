/**
 * The featured product's call-to-action card, and when to show it.
 *
 * Live, the card follows the video: it appears on the player's timed-metadata cue, so the
 * viewer sees it when the host shows the product. The WebSocket says it first (the video runs
 * a few seconds behind); if no cue follows within the player's distance behind live plus a
 * margin (a stream without cues), the card shows anyway. A late joiner gets it from the
 * snapshot at once. `data-shown-by` on the card says which of the three showed it ("cue" once
 * the video reaches a product the room announced).
 *
 * With the show's catalog (variants and their live stock), the card's call to action is "Add to
 * cart" and its badge follows the stock; without it, a link to the brand's product page.
 */
import { formatPrice } from "../dom";
import type { ProductCard } from "../protocol";
import { productBadge, soldOut, type Catalog } from "./catalog";
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
  private summary: Shown | null = null;
  private shownBy: ShownBy = "room";

  /** How far behind live the video plays, in ms, when the player knows (viewer.ts sets it). */
  behindLiveMs: () => number | null = () => null;
  /** Whether carts can be filled now (the show sells), set by the page. */
  selling: () => boolean = () => false;

  constructor(
    private readonly card: HTMLElement,
    /** The show's catalog from the REST API: complete where a cue carries only a summary. */
    private readonly catalog: Catalog,
    private readonly onAddToCart: (productSku: string) => void,
  ) {
    catalog.onChange((sku) => {
      if (this.summary && (sku === null || sku === this.summary.sku)) this.show(this.summary, this.shownBy);
    });
  }

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

  /** Re-shows the card with what the page knows now (the show sells, or stops selling). */
  refresh(): void {
    if (this.summary) this.show(this.summary, this.shownBy);
  }

  private show(summary: Shown, shownBy: ShownBy): void {
    this.summary = summary;
    this.shownBy = shownBy;
    const known = this.catalog.get(summary.sku);
    const product = { ...summary, ...known };
    this.shownSku = product.sku;
    mark("featuredSku", product.sku);
    const gone = known ? soldOut(known) : product.in_stock === false;
    const badge = known ? productBadge(known) : gone ? "Sold out" : null;
    let cta: HTMLElement | null;
    if (gone) {
      cta = el("span", { class: "sold-out", text: "Sold out" });
    } else if (known && known.variants.length > 0 && this.selling()) {
      // A short label with the cart icon: the product's name keeps the room on a phone.
      cta = el("button", { class: "cta add-cta", text: "Add", attrs: { type: "button", "aria-label": `Add to cart: ${product.name}` } });
      cta.addEventListener("click", () => this.onAddToCart(product.sku));
    } else {
      cta = productLink(product.product_url ?? "", "Shop now", product.name, "cta");
    }
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
        badge && !gone ? el("span", { class: "stock-badge low", text: badge }) : null,
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
    this.summary = null;
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
