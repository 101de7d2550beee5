/**
 * The viewer page inside a brand's page (web/src/embed/embed.ts mounts it in an iframe): the
 * postMessage events API, origin-checked both ways (docs/embed.md).
 *
 * The parent's origin comes from the browser (`location.ancestorOrigins`, else the referrer),
 * and must be one the brand allows (`allowedOrigins` in config.json). Messages go to that
 * origin only, and only messages from the parent window at that origin are read.
 */
import type {
  CartOwner,
  CartSyncData,
  CartSyncLine,
  InMessages,
  InType,
  OutMessages,
  OutType,
  ProductOverride,
  ProductsData,
  VariantOverride,
} from "../embed/messages";

const MAX_LINES = 100;
const MAX_PRODUCTS = 100;
const MAX_TEXT = 2000;

/** The origin of the page this one is framed in, as the browser reports it; null when unframed. */
export function parentOrigin(): string | null {
  if (window.parent === window) return null;
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0] ?? null;
  try {
    return document.referrer ? new URL(document.referrer).origin : null;
  } catch {
    return null;
  }
}

/** True when `origin` is one of `allowed` (or `allowed` holds "*"). */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  if (origin === "null" || origin === "") return false; // opaque: sandboxed or file pages
  return allowed.includes("*") || allowed.includes(origin);
}

type Handlers = { [K in InType]?: (data: InMessages[K]) => void };

export class EmbedBridge {
  private readonly handlers: Handlers = {};

  private constructor(
    readonly parentOrigin: string,
    /** The host page keeps the cart: add-to-cart goes to it, not to Vitrine's REST cart. */
    readonly cart: CartOwner,
  ) {
    window.addEventListener("message", (event) => this.receive(event));
  }

  /** The bridge to the parent page, or null when this page is not framed by an allowed origin. */
  static connect(allowed: readonly string[], params: URLSearchParams): EmbedBridge | null {
    const origin = parentOrigin();
    if (!origin) return null;
    if (!originAllowed(origin, allowed)) {
      console.warn(`[vitrine] embedded by ${origin}, which config.json's allowedOrigins does not list: no events`);
      return null;
    }
    return new EmbedBridge(origin, params.get("cart") === "host" ? "host" : "vitrine");
  }

  on<K extends InType>(type: K, handler: (data: InMessages[K]) => void): void {
    (this.handlers as Record<string, unknown>)[type] = handler;
  }

  post<K extends OutType>(type: K, data: OutMessages[K]): void {
    window.parent.postMessage({ type, data }, this.parentOrigin);
  }

  private receive(event: MessageEvent): void {
    if (event.source !== window.parent || event.origin !== this.parentOrigin) return;
    const message: unknown = event.data;
    if (typeof message !== "object" || message === null) return;
    const { type, data } = message as { type?: unknown; data?: unknown };
    if (type === "vitrine:cart-sync") {
      const sync = cartSync(data);
      if (sync) this.handlers["vitrine:cart-sync"]?.(sync);
    } else if (type === "vitrine:products") {
      const products = productsData(data);
      if (products) this.handlers["vitrine:products"]?.(products);
    }
  }
}

// --- what a host page sends, checked field by field (anything else is dropped) ----------------

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value.slice(0, MAX_TEXT) : undefined;
}

function price(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value.toFixed(2);
  return typeof value === "string" && /^\d{1,10}(\.\d{1,2})?$/.test(value) ? value : undefined;
}

function currency(value: unknown): string | undefined {
  return typeof value === "string" && /^[A-Z]{3}$/.test(value) ? value : undefined;
}

function count(value: unknown, max: number): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max ? value : undefined;
}

/** Every field of T, each possibly undefined. */
type Loose<T> = { [K in keyof T]-?: T[K] | undefined };

/** Keeps the defined fields only (the models have optional fields, not undefined ones). */
function defined<T extends object>(fields: Loose<T>): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

export function cartSync(value: unknown): CartSyncData | null {
  const data = record(value);
  const total = count(data?.count, 9_999);
  if (!data || total === undefined) return null;
  const lines: CartSyncLine[] = [];
  if (Array.isArray(data.lines)) {
    for (const item of data.lines.slice(0, MAX_LINES)) {
      const line = record(item);
      const sku = text(line?.variant_sku);
      const quantity = count(line?.quantity, 999);
      if (!line || !sku || quantity === undefined) continue;
      lines.push(
        defined<CartSyncLine>({
          variant_sku: sku,
          name: text(line.name) ?? sku,
          variant: text(line.variant),
          quantity,
          price: price(line.price),
          currency: currency(line.currency),
        }),
      );
    }
  }
  return defined<CartSyncData>({ count: total, total: price(data.total), currency: currency(data.currency), lines });
}

function variantOverride(value: unknown): VariantOverride | null {
  const data = record(value);
  const sku = text(data?.sku);
  if (!data || !sku) return null;
  return defined<VariantOverride>({ sku, price: price(data.price), available: count(data.available, 1_000_000) });
}

export function productsData(value: unknown): ProductsData | null {
  const data = record(value);
  if (!data || !Array.isArray(data.products)) return null;
  const products: ProductOverride[] = [];
  for (const item of data.products.slice(0, MAX_PRODUCTS)) {
    const product = record(item);
    const sku = text(product?.sku);
    if (!product || !sku) continue;
    const variants = Array.isArray(product.variants)
      ? product.variants.map(variantOverride).filter((variant) => variant !== null)
      : undefined;
    products.push(
      defined<ProductOverride>({
        sku,
        name: text(product.name),
        description: text(product.description),
        image_url: text(product.image_url),
        product_url: text(product.product_url),
        price: price(product.price),
        currency: currency(product.currency),
        variants,
      }),
    );
  }
  return { products };
}
