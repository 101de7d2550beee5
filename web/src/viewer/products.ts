/** The show's products: the shop sheet's list, the tiles of the products to come, the lookup. */
import type { Product } from "../api";
import { formatPrice, safeHttpUrl, safeImageUrl } from "../dom";
import { el } from "./el";

/** The product's image, or a neutral placeholder when it has none (or an unsafe one). */
export function productImage(imageUrl: string, size: number, className = "product-image"): HTMLElement {
  const source = safeImageUrl(imageUrl);
  if (!source) return el("div", { class: `${className} placeholder`, attrs: { "aria-hidden": "true" } });
  const image = el("img", { class: className, attrs: { alt: "" } });
  image.src = source;
  image.width = size;
  image.height = size;
  image.decoding = "async";
  return image;
}

/** A link that opens the brand's product page in a new tab; null without a safe URL. */
export function productLink(productUrl: string, label: string, name: string, className: string): HTMLAnchorElement | null {
  // An empty URL would resolve to this very page: no link rather than a link to nowhere.
  const href = productUrl.trim() === "" ? null : safeHttpUrl(productUrl);
  if (!href) return null;
  const link = el("a", { class: className, text: label, attrs: { target: "_blank", rel: "noopener", "aria-label": `${label}: ${name}` } });
  link.href = href;
  return link;
}

export function productItem(product: Product): HTMLLIElement {
  const text = el(
    "div",
    { class: "product-text" },
    el("h3", { text: product.name }),
    el("p", { class: "price", text: formatPrice(product.price, product.currency) }),
    !product.in_stock && el("p", { class: "sold-out", text: "Sold out" }),
    productLink(product.product_url, "View product", product.name, "product-link"),
  );
  return el("li", { class: "product", data: { sku: product.sku } }, productImage(product.image_url, 96), text);
}

/** A compact tile for the products to come (before the show) and the show's products (after). */
export function productTile(product: Product): HTMLLIElement {
  return el(
    "li",
    { class: "product-tile", data: { sku: product.sku } },
    productImage(product.image_url, 120, "tile-image"),
    el("span", { class: "tile-name", text: product.name }),
    el("span", { class: "price", text: formatPrice(product.price, product.currency) }),
  );
}
