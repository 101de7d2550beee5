/** The show's products: the shop sheet's list, the tiles of the products to come, the lookup. */
import type { Product } from "../api";
import { formatPrice, safeHttpUrl, safeImageUrl } from "../dom";
import { productBadge, soldOut } from "./catalog";
import { el } from "./el";

/** The product's image, or a neutral placeholder when it has none (or an unsafe one). */
export function productImage(imageUrl: string, size: number, className = "product-image"): HTMLElement {
  // An empty URL would resolve to this very page: a placeholder, not a broken image.
  const source = imageUrl.trim() === "" ? null : safeImageUrl(imageUrl);
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

/** A product of the shop sheet; `onAdd` (null: the show sells nothing now) opens its picker. */
export function productItem(product: Product, onAdd: ((productSku: string) => void) | null): HTMLLIElement {
  const gone = soldOut(product);
  const badge = productBadge(product);
  let add: HTMLButtonElement | null = null;
  if (onAdd && !gone && product.variants.length > 0) {
    add = el("button", { class: "add-small", text: "Add to cart", attrs: { type: "button", "aria-label": `Add to cart: ${product.name}` } });
    add.addEventListener("click", () => onAdd(product.sku));
  }
  const text = el(
    "div",
    { class: "product-text" },
    el("h3", { text: product.name }),
    el("p", { class: "price", text: formatPrice(product.price, product.currency) }),
    gone ? el("p", { class: "sold-out", text: "Sold out" }) : badge && el("p", { class: "stock-badge low", text: badge }),
    productLink(product.product_url, "View product", product.name, "product-link"),
    add,
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
