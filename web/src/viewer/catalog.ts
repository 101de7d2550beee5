/**
 * The show's products and their variants' stock, kept live: loaded from `GET /shows/{id}`,
 * changed by the room's `stock` updates (carts reserve and release units) and, embedded, by the
 * host page's own product data. Every view that shows a badge listens to it.
 */
import type { Product, StockState, Variant } from "../api";
import type { ProductOverride } from "../embed/messages";
import type { Update } from "../protocol";

type StockUpdate = Extract<Update, { kind: "stock" }>;

const LOW_STOCK = 5; // functions/common/stock.py's threshold, for the host's own stock counts

export function stockState(available: number): StockState {
  if (available <= 0) return "sold_out";
  return available <= LOW_STOCK ? "low" : "in_stock";
}

export function stockBadge(available: number): string {
  const state = stockState(available);
  if (state === "sold_out") return "Sold out";
  return state === "low" ? `Only ${available} left` : "In stock";
}

/** "42 · Blue", "42", or "" for a product with one plain variant. */
export function variantLabel(variant: Pick<Variant, "size" | "colour">): string {
  return [variant.size, variant.colour].filter((part) => part !== "").join(" · ");
}

export function soldOut(product: Product): boolean {
  return !product.in_stock || product.variants.every((variant) => variant.available <= 0);
}

/** The card's stock line: "Sold out", "Only 3 left" when few remain in every size, else null. */
export function productBadge(product: Product): string | null {
  if (soldOut(product)) return "Sold out";
  const available = product.variants.filter((variant) => variant.available > 0);
  if (available.every((variant) => variant.stock_state === "low")) {
    return `Only ${available.reduce((sum, variant) => sum + variant.available, 0)} left`;
  }
  return null;
}

export class Catalog {
  private readonly products = new Map<string, Product>();
  private readonly listeners = new Set<(productSku: string | null) => void>();
  /** The host page's data, kept to apply again: it may come before the show's products. */
  private overrides: { products: ProductOverride[]; withPricesAndStock: boolean } | null = null;

  /** The show's products from the REST API. */
  set(products: Product[]): void {
    this.products.clear();
    for (const product of products) this.products.set(product.sku, structuredClone(product));
    if (this.overrides) this.override(this.overrides.products, this.overrides.withPricesAndStock);
    this.changed(null);
  }

  get(sku: string): Product | undefined {
    return this.products.get(sku);
  }

  all(): Product[] {
    return [...this.products.values()];
  }

  variant(productSku: string, variantSku: string): Variant | undefined {
    return this.products.get(productSku)?.variants.find((variant) => variant.sku === variantSku);
  }

  /** `listener(productSku)` after each change; null: everything changed. */
  onChange(listener: (productSku: string | null) => void): void {
    this.listeners.add(listener);
  }

  /** The room's `stock` update: a product's variants as stored after carts moved units. */
  applyStock(update: StockUpdate): void {
    const product = this.products.get(update.product_sku);
    if (!product) return;
    product.in_stock = update.in_stock;
    for (const stock of update.variants) {
      const variant = product.variants.find((candidate) => candidate.sku === stock.sku);
      if (!variant) continue;
      variant.available = stock.available;
      variant.stock_state = stock.stock_state;
      variant.badge = stock.badge;
    }
    // The host page's own stock, when it keeps the cart, stays the one shown.
    const hosts = this.overrides?.withPricesAndStock ? this.overrides.products.filter((o) => o.sku === product.sku) : [];
    this.override(hosts, true);
    this.changed(product.sku);
  }

  /** The host page's product data; its prices and stock only when it keeps the cart. */
  applyOverrides(overrides: ProductOverride[], withPricesAndStock: boolean): void {
    this.overrides = { products: overrides, withPricesAndStock };
    for (const sku of this.override(overrides, withPricesAndStock)) this.changed(sku);
  }

  /** The skus changed. */
  private override(overrides: ProductOverride[], withPricesAndStock: boolean): string[] {
    const changed = [];
    for (const override of overrides) {
      const product = this.products.get(override.sku);
      if (!product) continue;
      if (override.name) product.name = override.name;
      if (override.description !== undefined) product.description = override.description;
      if (override.image_url !== undefined) product.image_url = override.image_url;
      if (override.product_url !== undefined) product.product_url = override.product_url;
      if (withPricesAndStock) this.overridePricesAndStock(product, override);
      changed.push(product.sku);
    }
    return changed;
  }

  private overridePricesAndStock(product: Product, override: ProductOverride): void {
    if (override.currency) product.currency = override.currency;
    if (override.price) {
      for (const variant of product.variants) if (variant.price === product.price) variant.price = override.price;
      product.price = override.price;
    }
    for (const change of override.variants ?? []) {
      const variant = product.variants.find((candidate) => candidate.sku === change.sku);
      if (!variant) continue;
      if (change.price) variant.price = change.price;
      if (change.available !== undefined) {
        variant.available = change.available;
        variant.stock_state = stockState(change.available);
        variant.badge = stockBadge(change.available);
      }
    }
    product.in_stock = product.variants.some((variant) => variant.available > 0);
  }

  private changed(productSku: string | null): void {
    for (const listener of this.listeners) listener(productSku);
  }
}
