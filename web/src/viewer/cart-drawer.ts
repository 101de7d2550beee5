/**
 * The cart drawer: a bottom sheet over the video with the cart's lines (variant, price,
 * quantity stepper, remove), how long the units stay reserved, the promo code, the totals and
 * the checkout. Embedded in a host page that keeps the cart, it lists the host's lines and the
 * checkout is the host's. `data-state` on the sheet: empty | open | placed | host.
 */
import type { Cart, CartLine, CheckoutResult } from "../api";
import { formatPrice, safeHttpUrl } from "../dom";
import type { CartSyncData } from "../embed/messages";
import { cartErrorMessage, type CartStore } from "./cart";
import type { Catalog } from "./catalog";
import { el } from "./el";
import { productImage } from "./products";
import { clockText, serverNow } from "./server-clock";
import { MAX_QUANTITY, stepper } from "./variant-picker";

export interface Placed {
  result: CheckoutResult;
  /** The checkout already opened (a new tab, or the host page took the viewer there). */
  opened: boolean;
}

export interface DrawerActions {
  /** Sells the cart and takes the viewer to the storefront. */
  checkout(): Promise<Placed>;
  /** Host mode: the host page's checkout. */
  hostCheckout(): void;
}

const EXPIRY_RECHECK_MS = 2_000;

type Area = "lines" | "promo" | "checkout";

function money(amount: string, currency: string): string {
  return formatPrice(amount, currency);
}

export class CartDrawer {
  private busy: string | null = null; // the line sku, "promo" or "checkout" being changed
  private errors: Record<Area, string> = { lines: "", promo: "", checkout: "" };
  private placed: Placed | null = null;
  private notice = "";
  private ticker: number | undefined;
  private holdEndsAt = 0;
  private expiryChecked = 0; // the hold end already checked with the server
  private readonly holdTimer = el("span", { class: "hold-timer", attrs: { role: "timer" } });

  constructor(
    private readonly sheet: HTMLDialogElement,
    private readonly store: CartStore,
    private readonly catalog: Catalog,
    private readonly actions: DrawerActions,
  ) {
    sheet.addEventListener("click", (event) => {
      if (event.target === sheet) sheet.close();
    });
    sheet.addEventListener("close", () => {
      window.clearInterval(this.ticker);
      if (this.placed) this.placed = null; // the next opening shows the (new) cart
      this.errors = { lines: "", promo: "", checkout: "" };
      this.notice = "";
    });
    store.onChange(() => this.render());
    catalog.onChange(() => this.render());
  }

  open(): void {
    this.render();
    if (!this.sheet.open) this.sheet.showModal();
  }

  /** A promo applied from the banner: its outcome is shown where the code is. */
  promoResult(error: string): void {
    this.errors.promo = error;
    this.render();
  }

  private async run(busy: string, area: Area, change: () => Promise<unknown>): Promise<void> {
    if (this.busy) return;
    this.busy = busy;
    this.errors[area] = "";
    this.render();
    try {
      await change();
    } catch (error) {
      this.errors[area] = cartErrorMessage(error);
    } finally {
      this.busy = null;
      this.render();
    }
  }

  private async checkout(): Promise<void> {
    await this.run("checkout", "checkout", async () => {
      this.placed = await this.actions.checkout();
    });
  }

  private render(): void {
    window.clearInterval(this.ticker);
    const focused = (document.activeElement as HTMLElement | null)?.dataset.focusKey;
    const close = el("button", { class: "icon-button dismiss", attrs: { type: "button", "aria-label": "Close" } });
    close.addEventListener("click", () => this.sheet.close());
    const count = this.store.count;
    const head = el(
      "header",
      { class: "sheet-head" },
      el("h2", { text: "Your cart", attrs: { id: "cart-heading" } }),
      count > 0 && el("span", { class: "cart-count", text: `${count} ${count === 1 ? "item" : "items"}` }),
      close,
    );
    let body: (Node | null)[];
    if (this.placed) body = this.placedView(this.placed);
    else if (this.store.hostKeepsCart) body = this.hostView(this.store.hostCart);
    else if (this.store.cart?.status === "open" && this.store.cart.lines.length > 0) body = this.cartView(this.store.cart);
    else body = this.emptyView();
    this.sheet.replaceChildren(head, ...body.filter((part) => part !== null));
    if (focused) this.sheet.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
  }

  private emptyView(): Node[] {
    this.sheet.dataset.state = "empty";
    return [
      this.notice ? el("p", { class: "cart-notice", text: this.notice, attrs: { role: "status" } }) : el("span"),
      el("p", { class: "cart-empty", text: "Your cart is empty. Tap “Add to cart” on a product to reserve it while you watch." }),
    ];
  }

  private cartView(cart: Cart): (Node | null)[] {
    this.sheet.dataset.state = "open";
    const lines = el("ul", { class: "cart-lines" }, ...cart.lines.map((line) => this.lineView(line)));
    return [
      this.holdView(cart),
      this.notice ? el("p", { class: "cart-notice", text: this.notice, attrs: { role: "status" } }) : null,
      el("p", { class: "error", text: this.errors.lines, attrs: { role: "alert" } }),
      lines,
      this.promoView(cart),
      this.totalsView(cart),
      el("p", { class: "error", text: this.errors.checkout, attrs: { role: "alert" } }),
      this.checkoutButton(`Checkout · ${money(cart.total, cart.currency)}`, () => void this.checkout()),
    ];
  }

  /** "Reserved for you for 9:41": the earliest hold; at its end the server releases the units. */
  private holdView(cart: Cart): HTMLElement | null {
    const ends = cart.lines.map((line) => (line.held_until ? Date.parse(line.held_until) : NaN)).filter(Number.isFinite);
    if (ends.length === 0) return null;
    this.holdEndsAt = Math.min(...ends);
    const tick = () => {
      const left = this.holdEndsAt - serverNow();
      this.holdTimer.textContent = left > 0 ? clockText(left) : "0:00";
      if (left <= 0) {
        window.clearInterval(this.ticker);
        this.holdExpired(cart.lines.length);
      }
    };
    tick();
    this.ticker = window.setInterval(tick, 1000);
    return el("p", { class: "hold" }, "Reserved for you for ", this.holdTimer, el("span", { class: "hold-note", text: " · then back on sale" }));
  }

  private holdExpired(linesBefore: number): void {
    if (this.expiryChecked === this.holdEndsAt) return; // once per hold: the server decides
    this.expiryChecked = this.holdEndsAt;
    window.setTimeout(() => {
      this.store
        .refresh()
        .then((cart) => {
          if (cart && cart.lines.length < linesBefore) {
            this.notice = "Your reservation ran out: those items went back on sale. Add them again to reserve them.";
            this.render();
          }
        })
        .catch((error: unknown) => console.warn("[vitrine] the cart could not be refreshed", error));
    }, EXPIRY_RECHECK_MS);
  }

  private lineView(line: CartLine): HTMLLIElement {
    const busy = this.busy !== null;
    const variant = this.catalog.variant(line.product_sku, line.sku);
    // Units already held are the viewer's; more can be added while the variant has some left.
    const more = variant ? variant.available : MAX_QUANTITY;
    const max = Math.max(line.quantity, Math.min(MAX_QUANTITY, line.quantity + more));
    const labelId = `line-${line.sku}`;
    const remove = el("button", {
      class: "link-button remove",
      text: "Remove",
      attrs: { type: "button", "aria-label": `Remove ${line.name}`, "data-focus-key": `${line.sku}:remove` },
    });
    remove.disabled = busy;
    remove.addEventListener("click", () => void this.run(line.sku, "lines", () => this.store.remove(line.sku)));
    const stock =
      variant && variant.available <= 0
        ? "No more left"
        : variant?.stock_state === "low"
          ? `Only ${variant.available} more left`
          : "";
    return el(
      "li",
      { class: "cart-line", data: { sku: line.sku } },
      productImage(line.image_url, 56, "line-image"),
      el(
        "div",
        { class: "line-text" },
        el("h3", { text: line.name, attrs: { id: labelId } }),
        line.variant && el("span", { class: "line-variant", text: line.variant }),
        el("span", { class: "line-unit", text: `${money(line.unit_price, line.currency)} each` }),
        stock && el("span", { class: `stock-badge ${variant && variant.available <= 0 ? "sold_out" : "low"}`, text: stock }),
      ),
      el(
        "div",
        { class: "line-side" },
        el("span", { class: "line-total price", text: money(line.line_total, line.currency) }),
        stepper(line.quantity, max, (quantity) => void this.run(line.sku, "lines", () => this.store.setQuantity(line.sku, quantity)), labelId, busy),
        remove,
      ),
    );
  }

  private promoView(cart: Cart): HTMLElement {
    if (cart.promo_code) {
      const remove = el("button", {
        class: "link-button",
        text: "Remove",
        attrs: { type: "button", "aria-label": `Remove the code ${cart.promo_code}`, "data-focus-key": "promo:remove" },
      });
      remove.disabled = this.busy !== null;
      remove.addEventListener("click", () => void this.run("promo", "promo", () => this.store.removePromo()));
      return el(
        "div",
        { class: cart.promo_problem ? "promo-applied promo-lapsed" : "promo-applied" },
        el("span", { class: "promo-code", text: cart.promo_code }),
        cart.promo_problem
          ? el("span", { class: "promo-label promo-problem", text: cart.promo_problem })
          : el("span", { class: "promo-label", text: cart.promo_label ?? "" }),
        remove,
        el("p", { class: "error", text: this.errors.promo, attrs: { role: "alert" } }),
      );
    }
    const input = el("input", {
      attrs: {
        id: "promo-input",
        name: "promo",
        type: "text",
        maxlength: "32",
        autocomplete: "off",
        autocapitalize: "characters",
        spellcheck: "false",
        enterkeyhint: "done",
        placeholder: "Promo code",
        "data-focus-key": "promo:input",
      },
    });
    const apply = el("button", { class: "secondary", text: this.busy === "promo" ? "Applying…" : "Apply", attrs: { type: "submit" } });
    apply.disabled = this.busy !== null;
    const form = el(
      "form",
      { class: "promo-form", attrs: { novalidate: "" } },
      el("label", { class: "visually-hidden", text: "Promo code", attrs: { for: "promo-input" } }),
      input,
      apply,
      el("p", { class: "error", text: this.errors.promo, attrs: { role: "alert", id: "promo-error" } }),
    );
    if (this.errors.promo) input.setAttribute("aria-describedby", "promo-error");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const code = input.value.trim();
      if (!code) {
        this.errors.promo = "Type a promo code first.";
        this.render();
        return;
      }
      void this.run("promo", "promo", () => this.store.applyPromo(code));
    });
    return form;
  }

  private totalsView(cart: Cart): HTMLElement {
    const row = (label: string, value: string, className = "") =>
      el("div", { class: `total-row ${className}` }, el("dt", { text: label }), el("dd", { text: value }));
    return el(
      "dl",
      { class: "totals" },
      row("Subtotal", money(cart.subtotal, cart.currency)),
      Number(cart.discount) > 0 && row(cart.promo_code ? `Discount (${cart.promo_code})` : "Discount", `−${money(cart.discount, cart.currency)}`, "discount"),
      row("Total", money(cart.total, cart.currency), "grand"),
    );
  }

  private checkoutButton(text: string, onClick: () => void): HTMLButtonElement {
    const button = el("button", {
      class: "primary checkout",
      text: this.busy === "checkout" ? "Opening the checkout…" : text,
      attrs: { type: "button", "data-focus-key": "checkout" },
    });
    button.disabled = this.busy !== null;
    button.addEventListener("click", onClick);
    return button;
  }

  private placedView({ result, opened }: Placed): Node[] {
    this.sheet.dataset.state = "placed";
    const href = safeHttpUrl(result.checkout_url);
    const link = href
      ? el("a", { class: "primary checkout-link", text: opened ? "Open the checkout again" : "Go to the checkout", attrs: { href, target: "_blank", rel: "noopener" } })
      : null;
    const done = el("button", { class: "secondary", text: "Keep watching", attrs: { type: "button" } });
    done.addEventListener("click", () => this.sheet.close());
    return [
      el(
        "div",
        { class: "placed" },
        el("p", { class: "placed-title", text: "Your order is ready to pay" }),
        el("p", {
          text: opened
            ? `Finish paying ${money(result.total, result.currency)} at the shop: the checkout has opened.`
            : `Finish paying ${money(result.total, result.currency)} at the shop.`,
        }),
        el("p", { class: "order-id", text: `Order ${result.order_id}` }),
      ),
      ...[link, done].filter((part) => part !== null),
    ];
  }

  private hostView(cart: CartSyncData | null): Node[] {
    this.sheet.dataset.state = "host";
    const lines = cart?.lines ?? [];
    if (!cart || cart.count === 0) return this.emptyView();
    const items = lines.map((line) =>
      el(
        "li",
        { class: "cart-line host-line", data: { sku: line.variant_sku } },
        el(
          "div",
          { class: "line-text" },
          el("h3", { text: line.name }),
          line.variant && el("span", { class: "line-variant", text: line.variant }),
          el("span", { class: "line-unit", text: `Quantity ${line.quantity}` }),
        ),
        line.price && line.currency ? el("span", { class: "line-total price", text: money(line.price, line.currency) }) : el("span"),
      ),
    );
    const total = cart.total && cart.currency ? ` · ${money(cart.total, cart.currency)}` : "";
    return [
      el("ul", { class: "cart-lines" }, ...items),
      this.checkoutButton(`Checkout${total}`, () => this.actions.hostCheckout()),
    ];
  }
}
