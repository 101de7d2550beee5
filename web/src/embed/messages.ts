/**
 * The embed's postMessage events API (docs/embed.md): what the viewer page in the iframe and the
 * brand's page around it say to each other. Every message is `{type, data}`; each side checks
 * the other's origin (and window) before it reads one.
 */

export const EMBED_API_VERSION = 1;

/** Who keeps the cart: Vitrine's REST cart, or the brand's own site ("host"). */
export type CartOwner = "vitrine" | "host";

/** OUT, once the page can take messages. */
export interface ReadyData {
  version: number;
  show_id: string;
  cart: CartOwner;
}

/** OUT: the viewer added a product (in host mode, the host page adds it to its own cart). */
export interface AddToCartData {
  show_id: string;
  /** The product's sku. */
  sku: string;
  variant_sku: string;
  /** The brand's storefront id of the variant (its sku when the brand gave none). */
  storefront_id: string;
  name: string;
  /** "42 · Blue", or "". */
  variant: string;
  quantity: number;
  /** Decimal string in major units, e.g. "89.90". */
  price: string;
  currency: string;
  mode: "live" | "replay";
  /** Seconds into the show when the viewer added it. */
  offset_seconds: number;
}

export interface CartSyncLine {
  variant_sku: string;
  name: string;
  variant?: string;
  quantity: number;
  price?: string;
  currency?: string;
}

/** IN (the host's own cart, shown in the page's cart button and drawer) and OUT (Vitrine's
 * cart, for the host page's mini cart). */
export interface CartSyncData {
  count: number;
  total?: string;
  currency?: string;
  lines?: CartSyncLine[];
}

/** OUT: in Vitrine mode, the order handed to the storefront; in host mode, the viewer asked to
 * check out (the host page takes them to its checkout). */
export interface CheckoutData {
  show_id: string;
  order_id?: string;
  checkout_url?: string;
  opens_in?: "new_tab" | "same_tab";
  total?: string;
  currency?: string;
  /** The host page should take the viewer to `checkout_url` (the page could open no tab). */
  redirect: boolean;
}

export interface VariantOverride {
  sku: string;
  price?: string;
  available?: number;
}

/** IN: the host's own product data for the show's products, matched by sku. */
export interface ProductOverride {
  sku: string;
  name?: string;
  description?: string;
  image_url?: string;
  product_url?: string;
  /** Prices and stock are the host's only when it keeps the cart (host mode). */
  price?: string;
  currency?: string;
  variants?: VariantOverride[];
}

export interface ProductsData {
  products: ProductOverride[];
}

export interface OutMessages {
  "vitrine:ready": ReadyData;
  "vitrine:add-to-cart": AddToCartData;
  "vitrine:cart-sync": CartSyncData;
  "vitrine:checkout": CheckoutData;
}

export interface InMessages {
  "vitrine:products": ProductsData;
  "vitrine:cart-sync": CartSyncData;
}

export type OutType = keyof OutMessages;
export type InType = keyof InMessages;

/** One mounted embed, as embed.js keeps it in `window.Vitrine.embeds`. */
export interface Embed {
  show: string;
  element: HTMLElement;
  iframe: HTMLIFrameElement;
  /** Posts to this embed's page (queued until it said `vitrine:ready`). */
  send<K extends InType>(type: K, data: InMessages[K]): void;
}

/** `window.Vitrine` on a page with embed.js. */
export interface VitrineGlobal {
  embeds: Embed[];
  /** Sends to every embed on the page. */
  send<K extends InType>(type: K, data: InMessages[K]): void;
}

declare global {
  interface Window {
    Vitrine?: VitrineGlobal;
  }
}
