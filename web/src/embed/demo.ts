/**
 * The embed demo (web/embed-demo.html): a made-up brand's product page that mounts a show with
 * embed.js and keeps its own bag from the embed's events, as a brand's site would (host mode).
 * `?show=` picks the show, `?vitrine=` the Vitrine origin (default: this one), `?cart=vitrine`
 * leaves the cart to Vitrine (the bag then mirrors Vitrine's cart).
 */
import "./demo.css";
import type { AddToCartData, CartSyncData, CheckoutData } from "./messages";

interface BagLine {
  variant_sku: string;
  name: string;
  variant: string;
  quantity: number;
  price: string;
  currency: string;
}

const params = new URLSearchParams(location.search);
const show = params.get("show") || "demo-show";
const vitrine = new URL(params.get("vitrine") || location.origin).origin;
const cartMode = params.get("cart") === "vitrine" ? "vitrine" : "host";
const bag = new Map<string, BagLine>();

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`no #${id}`);
  return element as T;
}

function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

function item(...parts: (string | Node)[]): HTMLLIElement {
  const li = document.createElement("li");
  li.append(...parts);
  return li;
}

function span(text: string, className: string): HTMLSpanElement {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

function bagSync(): CartSyncData {
  const lines = [...bag.values()];
  const total = lines.reduce((sum, line) => sum + Number(line.price) * line.quantity, 0);
  return {
    count: lines.reduce((sum, line) => sum + line.quantity, 0),
    total: total.toFixed(2),
    currency: lines[0]?.currency ?? "EUR",
    lines: lines.map(({ variant_sku, name, variant, quantity, price, currency }) => ({ variant_sku, name, variant, quantity, price, currency })),
  };
}

function render(sync: CartSyncData): void {
  const lines = sync.lines ?? [];
  document.body.dataset.cartCount = String(sync.count);
  byId("mini-cart-count").textContent = String(sync.count);
  byId("mini-cart-empty").hidden = sync.count > 0;
  byId("mini-cart-lines").replaceChildren(
    ...lines.map((line) => {
      const li = item(
        span(line.name, "line-name"),
        span(line.variant ? `${line.variant} · ×${line.quantity}` : `×${line.quantity}`, "line-meta"),
        span(line.price && line.currency ? money(Number(line.price) * line.quantity, line.currency) : "", "line-price"),
      );
      li.dataset.variantSku = line.variant_sku;
      li.dataset.quantity = String(line.quantity);
      return li;
    }),
  );
  byId("mini-cart-total").textContent = sync.total && sync.currency ? money(Number(sync.total), sync.currency) : "—";
}

function log(type: string, detail: unknown): void {
  const entry = item(span(type, "event-type"), span(JSON.stringify(detail), "event-detail"));
  entry.dataset.type = type;
  byId("event-log").prepend(entry);
}

/** Host mode: the bag is this site's; the show is told so its cart button shows the count. */
function added(line: AddToCartData): void {
  const known = bag.get(line.variant_sku);
  bag.set(line.variant_sku, {
    variant_sku: line.variant_sku,
    name: line.name,
    variant: line.variant,
    quantity: (known?.quantity ?? 0) + line.quantity,
    price: line.price,
    currency: line.currency,
  });
  const sync = bagSync();
  render(sync);
  window.Vitrine?.send("vitrine:cart-sync", sync);
}

function checkout(detail: CheckoutData): void {
  const note = byId("checkout-note");
  note.hidden = false;
  note.textContent = detail.order_id
    ? `Order ${detail.order_id} handed to the storefront.`
    : "This is where the brand's own checkout would open.";
}

document.addEventListener("vitrine:ready", (event) => {
  log("vitrine:ready", (event as CustomEvent).detail);
  if (cartMode === "host") window.Vitrine?.send("vitrine:cart-sync", bagSync());
});
document.addEventListener("vitrine:add-to-cart", (event) => {
  const detail = (event as CustomEvent<AddToCartData>).detail;
  log("vitrine:add-to-cart", detail);
  if (cartMode === "host") added(detail);
});
document.addEventListener("vitrine:cart-sync", (event) => {
  const detail = (event as CustomEvent<CartSyncData>).detail;
  log("vitrine:cart-sync", detail);
  if (cartMode === "vitrine") render(detail); // Vitrine keeps the cart: mirror it
});
document.addEventListener("vitrine:checkout", (event) => {
  const detail = (event as CustomEvent<CheckoutData>).detail;
  log("vitrine:checkout", detail);
  checkout(detail);
});
byId("bag-checkout").addEventListener("click", () => checkout({ show_id: show, redirect: false }));
byId("mini-cart-button").addEventListener("click", () => byId("mini-cart").scrollIntoView({ behavior: "smooth" }));

// The embed itself: what a brand pastes, with this demo's show and Vitrine origin.
const script = document.createElement("script");
script.src = new URL("/embed.js", vitrine).href;
script.async = true;
script.dataset.vitrineShow = show;
script.dataset.vitrineCart = cartMode;
script.dataset.vitrineTarget = "#live";
script.dataset.vitrineLoading = "eager";
byId("snippet").textContent =
  `<script src="${script.src}" data-vitrine-show="${show}"` +
  `${cartMode === "host" ? ' data-vitrine-cart="host"' : ""} data-vitrine-target="#live" async></script>`;
document.body.append(script);
render(bagSync());
