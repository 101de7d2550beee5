/**
 * The variant picker: a bottom sheet over the video to choose a size and/or colour and a
 * quantity. Sold-out variants are shown but cannot be chosen; the badges follow the room's live
 * stock updates while the sheet is open. `data-sku` on the sheet names the product.
 */
import type { Product, Variant } from "../api";
import { formatPrice } from "../dom";
import type { Catalog } from "./catalog";
import { productBadge, variantLabel } from "./catalog";
import { el } from "./el";
import { productImage, productLink } from "./products";

export const MAX_QUANTITY = 10; // functions/cart/logic/carts.py: units of one variant in a cart

export interface Choice {
  product: Product;
  variant: Variant;
  quantity: number;
}

type Dimension = "colour" | "size";
const DIMENSION_LABELS: Record<Dimension, string> = { colour: "Colour", size: "Size" };

function distinct(values: string[]): string[] {
  return [...new Set(values.filter((value) => value !== ""))];
}

/** The dimensions a viewer chooses among: those with more than one value (colour first). */
function dimensions(product: Product): Dimension[] {
  return (["colour", "size"] as const).filter((name) => distinct(product.variants.map((v) => v[name])).length > 1);
}

function matches(variant: Variant, chosen: Partial<Record<Dimension, string>>): boolean {
  return (Object.entries(chosen) as [Dimension, string][]).every(([name, value]) => variant[name] === value);
}

export class VariantPicker {
  private productSku: string | null = null;
  private chosen: Partial<Record<Dimension, string>> = {};
  private quantity = 1;
  private busy = false;
  private error = "";

  constructor(
    private readonly sheet: HTMLDialogElement,
    private readonly catalog: Catalog,
    /** Adds the choice to the cart; resolves to an error message, or null once added. */
    private readonly onAdd: (choice: Choice) => Promise<string | null>,
  ) {
    sheet.addEventListener("click", (event) => {
      if (event.target === sheet) sheet.close();
    });
    sheet.addEventListener("close", () => {
      this.productSku = null;
      delete sheet.dataset.sku;
    });
    catalog.onChange((sku) => {
      if (this.productSku && (sku === null || sku === this.productSku)) this.stockChanged();
    });
  }

  open(productSku: string): void {
    const product = this.catalog.get(productSku);
    if (!product) return;
    this.productSku = productSku;
    this.chosen = {};
    // One variant, or one value in a dimension: nothing to choose there.
    const only = product.variants.length === 1 ? product.variants[0] : undefined;
    if (only && only.available > 0) this.chosen = { colour: only.colour, size: only.size };
    this.quantity = 1;
    this.error = "";
    this.busy = false;
    this.sheet.dataset.sku = productSku;
    this.render();
    if (!this.sheet.open) this.sheet.showModal();
  }

  private get product(): Product | undefined {
    return this.productSku ? this.catalog.get(this.productSku) : undefined;
  }

  /** The variant the choices name, if every dimension is chosen. */
  private selected(product: Product): Variant | undefined {
    const names = dimensions(product);
    if (names.some((name) => this.chosen[name] === undefined)) return undefined;
    const chosen = Object.fromEntries(names.map((name) => [name, this.chosen[name]]));
    return product.variants.find((variant) => matches(variant, chosen));
  }

  private stockChanged(): void {
    const product = this.product;
    if (!product) return;
    const variant = this.selected(product);
    if (variant && variant.available <= 0 && !this.busy) {
      this.error = `${variantLabel(variant) || product.name} just sold out.`;
      const last = dimensions(product).at(-1);
      if (last) delete this.chosen[last];
    }
    this.render();
  }

  private choose(name: Dimension, value: string): void {
    this.chosen = { ...this.chosen, [name]: value };
    this.error = "";
    this.render();
  }

  private setQuantity(quantity: number): void {
    this.quantity = quantity;
    this.render();
  }

  private async add(): Promise<void> {
    const product = this.product;
    const variant = product && this.selected(product);
    if (!product || !variant || this.busy) return;
    this.busy = true;
    this.error = "";
    this.render();
    const error = await this.onAdd({ product, variant, quantity: this.quantity });
    this.busy = false;
    if (error === null) {
      this.sheet.close();
      return;
    }
    this.error = error;
    this.render();
  }

  private render(): void {
    const product = this.product;
    if (!product) return;
    const focused = (document.activeElement as HTMLElement | null)?.dataset.focusKey;
    const names = dimensions(product);
    const variant = this.selected(product);
    const maxQuantity = Math.max(1, Math.min(MAX_QUANTITY, variant?.available ?? MAX_QUANTITY));
    this.quantity = Math.min(this.quantity, maxQuantity);
    const unitPrice = variant?.price ?? product.price;
    const badge = variant ? (variant.stock_state === "low" ? variant.badge : null) : productBadge(product);
    const close = el("button", { class: "icon-button dismiss", attrs: { type: "button", "aria-label": "Close" } });
    close.addEventListener("click", () => this.sheet.close());

    const rows = names.map((name, index) => this.row(product, name, index === names.length - 1));
    const missing = names.find((name) => this.chosen[name] === undefined);
    const addButton = el("button", {
      class: "primary add-button",
      text: this.busy
        ? "Adding…"
        : missing
          ? `Choose a ${DIMENSION_LABELS[missing].toLowerCase()}`
          : `Add to cart · ${formatPrice((Number(unitPrice) * this.quantity).toFixed(2), product.currency)}`,
      attrs: { type: "button", "data-focus-key": "add" },
    });
    addButton.disabled = this.busy || !variant || variant.available <= 0;
    addButton.addEventListener("click", () => void this.add());

    const details = productLink(product.product_url, "Product details", product.name, "details-link");
    this.sheet.replaceChildren(
      el(
        "header",
        { class: "picker-head" },
        productImage(product.image_url, 72, "picker-image"),
        el(
          "div",
          { class: "picker-title" },
          el("h2", { text: product.name, attrs: { id: "picker-name" } }),
          el("span", { class: "price", text: formatPrice(unitPrice, product.currency) }),
          badge && el("span", { class: `stock-badge ${badge === "Sold out" ? "sold_out" : "low"}`, text: badge }),
        ),
        close,
      ),
      ...rows,
      el(
        "div",
        { class: "picker-quantity" },
        el("span", { class: "picker-label", text: "Quantity", attrs: { id: "picker-quantity-label" } }),
        stepper(this.quantity, maxQuantity, (quantity) => this.setQuantity(quantity), "picker-quantity-label", this.busy),
      ),
      el("p", { class: "error", text: this.error, attrs: { role: "alert" } }),
      addButton,
      ...(details ? [details] : []),
    );
    if (focused) this.sheet.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
  }

  /** One dimension's chips. In the last dimension a chip is one variant (its own badge). */
  private row(product: Product, name: Dimension, last: boolean): HTMLElement {
    const values = distinct(product.variants.map((variant) => variant[name]));
    const others = Object.fromEntries(Object.entries(this.chosen).filter(([other]) => other !== name && dimensions(product).includes(other as Dimension)));
    const labelId = `picker-${name}`;
    const chips = values.map((value) => {
      const candidates = product.variants.filter((variant) => variant[name] === value && (!last || matches(variant, others)));
      const available = candidates.some((variant) => variant.available > 0);
      const variant = last && candidates.length === 1 ? candidates[0] : undefined;
      const badge = !available ? "Sold out" : variant?.stock_state === "low" ? variant.badge : "";
      const chosen = this.chosen[name] === value;
      const chip = el(
        "button",
        {
          class: `chip-option${chosen ? " chosen" : ""}`,
          attrs: { type: "button", "aria-pressed": String(chosen), "data-focus-key": `${name}:${value}` },
          data: { value, ...(variant ? { variantSku: variant.sku } : {}) },
        },
        el("span", { class: "chip-value", text: value }),
        badge && el("span", { class: `chip-badge ${available ? "low" : "sold_out"}`, text: badge }),
      );
      chip.disabled = !available || this.busy;
      chip.setAttribute("aria-label", badge ? `${DIMENSION_LABELS[name]} ${value}, ${badge}` : `${DIMENSION_LABELS[name]} ${value}`);
      chip.addEventListener("click", () => this.choose(name, value));
      return chip;
    });
    return el(
      "div",
      { class: "picker-row" },
      el("span", { class: "picker-label", text: DIMENSION_LABELS[name], attrs: { id: labelId } }),
      el("div", { class: "chip-options", attrs: { role: "group", "aria-labelledby": labelId } }, ...chips),
    );
  }
}

/** − n +, from 1 to `max`; `onChange` with the new quantity. */
export function stepper(
  quantity: number,
  max: number,
  onChange: (quantity: number) => void,
  labelledBy: string,
  disabled = false,
  min = 1,
): HTMLElement {
  const less = el("button", {
    class: "step",
    text: "−",
    attrs: { type: "button", "aria-label": "Decrease quantity", "data-focus-key": `${labelledBy}:less` },
  });
  const more = el("button", {
    class: "step",
    text: "+",
    attrs: { type: "button", "aria-label": "Increase quantity", "data-focus-key": `${labelledBy}:more` },
  });
  less.disabled = disabled || quantity <= min;
  more.disabled = disabled || quantity >= max;
  less.addEventListener("click", () => onChange(quantity - 1));
  more.addEventListener("click", () => onChange(quantity + 1));
  return el(
    "div",
    { class: "stepper", attrs: { role: "group", "aria-labelledby": labelledBy } },
    less,
    el("output", { class: "step-value", text: String(quantity), attrs: { "aria-live": "polite" } }),
    more,
  );
}
