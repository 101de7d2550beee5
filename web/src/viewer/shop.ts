/**
 * Shopping on the viewer page: the live catalog, the cart (Vitrine's or, embedded, the host
 * page's), the variant picker, the cart drawer, the pushed promo banner, the checkout and the
 * embed's events. viewer.ts hands it the show, its status and the room's frames.
 *
 * Test contract (on <body>): data-cart-count, data-promo-code, data-embedded (vitrine|host).
 */
import { ApiError, CartsApi, ShowsApi, type CheckoutResult, type Product, type Show, type ShowStatus } from "../api";
import { byId } from "../dom";
import type { CartSyncData, CheckoutData } from "../embed/messages";
import { EMBED_API_VERSION } from "../embed/messages";
import type { PromoBanner, Update } from "../protocol";
import { cartErrorMessage, CartStore, type Viewer } from "./cart";
import { CartDrawer, type Placed } from "./cart-drawer";
import { Catalog, variantLabel } from "./catalog";
import { CheckoutTab } from "./checkout-tab";
import { EmbedBridge } from "./embed-bridge";
import { el, mark } from "./el";
import { productItem } from "./products";
import { PromoBannerView } from "./promo-banner";
import { serverNow } from "./server-clock";
import { load, save } from "./storage";
import { VariantPicker, type Choice } from "./variant-picker";

/** The statuses in which a cart can be filled (functions/cart/actions/carts.py: SELLING). */
const SELLING = new Set<ShowStatus>(["scheduled", "live", "ended", "replay_published"]);
const OPENS_IN_KEY = "vitrine.checkoutOpensIn";
const TOAST_MS = 4_000;

type StockUpdate = Extract<Update, { kind: "stock" }>;

function stockOf(product: Product): StockUpdate {
  return {
    kind: "stock",
    product_sku: product.sku,
    in_stock: product.in_stock,
    variants: product.variants.map(({ sku, available, stock_state, badge }) => ({ sku, available, stock_state, badge })),
  };
}

/** The cart as the embed's `vitrine:cart-sync` tells it to the host page. */
function syncOf(store: CartStore): CartSyncData {
  const cart = store.open ? store.cart : null;
  if (!cart) return { count: 0, lines: [] };
  return {
    count: cart.item_count,
    total: cart.total,
    currency: cart.currency,
    lines: cart.lines.map((line) => ({
      variant_sku: line.sku,
      name: line.name,
      variant: line.variant,
      quantity: line.quantity,
      price: line.unit_price,
      currency: line.currency,
    })),
  };
}

export interface ShopSettings {
  apiUrl: string;
  allowedOrigins: string[];
  viewer: Viewer;
}

export class Shop {
  readonly catalog = new Catalog();
  private readonly picker: VariantPicker;
  private readonly banner: PromoBannerView;
  private store: CartStore | null = null;
  private drawer: CartDrawer | null = null;
  private bridge: EmbedBridge | null = null;
  private shows: ShowsApi | null = null;
  private status: ShowStatus | null = null;
  private startsAt = 0;
  private pendingPromo: string | null = null;
  private toastTimer: number | undefined;
  /** Called when what the page can sell changes (the featured card re-renders). */
  onSellingChange: () => void = () => {};

  constructor() {
    this.picker = new VariantPicker(byId<HTMLDialogElement>("variant-picker"), this.catalog, (choice) => this.add(choice));
    this.banner = new PromoBannerView(byId<HTMLButtonElement>("promo-banner"), (code) => void this.promoTapped(code));
    this.catalog.onChange(() => this.renderProducts());
    byId("cart-button").addEventListener("click", () => this.drawer?.open());
  }

  get selling(): boolean {
    return this.store !== null && this.status !== null && SELLING.has(this.status);
  }

  /** The show is known: the cart (restored from an earlier visit) and, embedded, the events. */
  start(settings: ShopSettings, params: URLSearchParams): void {
    this.shows = new ShowsApi(settings.apiUrl);
    this.bridge = EmbedBridge.connect(settings.allowedOrigins, params);
    const hostKeepsCart = this.bridge?.cart === "host";
    const store = new CartStore(new CartsApi(settings.apiUrl), settings.viewer, hostKeepsCart);
    this.store = store;
    this.drawer = new CartDrawer(byId<HTMLDialogElement>("cart-drawer"), store, this.catalog, {
      checkout: () => this.checkout(),
      hostCheckout: () => this.hostCheckout(),
    });
    store.onChange(() => this.cartChanged());
    if (this.bridge) this.listenToHost(this.bridge, settings.viewer.showId);
    void store.restore();
    this.onSellingChange();
    this.renderProducts();
  }

  showLoaded(show: Show): void {
    this.startsAt = Date.parse(show.starts_at);
    this.catalog.set(show.products);
  }

  setStatus(status: ShowStatus): void {
    const before = this.selling;
    this.status = status;
    if (this.selling !== before) {
      this.onSellingChange();
      this.renderProducts();
    }
  }

  promo(promo: PromoBanner | null): void {
    this.banner.show(promo);
  }

  stock(update: StockUpdate): void {
    this.catalog.applyStock(update);
  }

  /** "Add to cart" on a card or in the shop sheet: one plain variant is added at once. */
  addToCart(productSku: string): void {
    const product = this.catalog.get(productSku);
    if (!product) return;
    byId<HTMLDialogElement>("products").close();
    const [only, ...others] = product.variants;
    if (only && others.length === 0 && only.size === "" && only.colour === "") {
      void this.add({ product, variant: only, quantity: 1 }).then((error) => {
        if (error) this.toast(error);
      });
      return;
    }
    this.picker.open(productSku);
  }

  /** Resolves to the message to show, or null once added. */
  private async add({ product, variant, quantity }: Choice): Promise<string | null> {
    const store = this.store;
    if (!store) return "The shop is not ready yet: try again in a moment.";
    const mode = this.status === "live" ? "live" : "replay";
    // Live, Vitrine's cart counts the offset on the show's own clock (the server's); the host
    // page gets this estimate from the scheduled start. The page plays no replay (yet): 0.
    const offset = mode === "live" && Number.isFinite(this.startsAt) ? Math.max(0, (serverNow() - this.startsAt) / 1000) : 0;
    if (store.hostKeepsCart && this.bridge) {
      this.bridge.post("vitrine:add-to-cart", {
        show_id: store.showId,
        sku: product.sku,
        variant_sku: variant.sku,
        storefront_id: variant.storefront_id || variant.sku,
        name: product.name,
        variant: variantLabel(variant),
        quantity,
        price: variant.price,
        currency: product.currency,
        mode,
        offset_seconds: Math.round(offset),
      });
      this.toast("Added to your cart", true);
      return null;
    }
    try {
      await store.add({ product_sku: product.sku, sku: variant.sku, quantity, mode, offset_seconds: 0 });
    } catch (error) {
      if (error instanceof ApiError && error.code === "out_of_stock") {
        void this.refreshStock();
        const label = variantLabel(variant);
        return cartErrorMessage(error).replace(variant.sku, label ? `${product.name} (${label})` : product.name);
      }
      return cartErrorMessage(error);
    }
    this.toast("Added to your cart", true);
    if (this.pendingPromo && !store.cart?.promo_code) void this.applyPromo(this.pendingPromo, false);
    return null;
  }

  /** The banner's code: copied, and applied to the cart (or once the cart holds something). */
  private async promoTapped(code: string): Promise<void> {
    let copied = false;
    try {
      await navigator.clipboard.writeText(code);
      copied = true;
    } catch {
      // no clipboard (an insecure page, a refusal): applying it is what matters
    }
    const store = this.store;
    if (store?.hostKeepsCart) {
      this.toast(copied ? `${code} copied: use it at checkout` : `Use ${code} at checkout`);
      return;
    }
    if (!store?.open || !store.cart?.lines.length) {
      this.pendingPromo = code;
      this.toast(`${copied ? `${code} copied. ` : ""}It applies when you add something to your cart.`);
      return;
    }
    await this.applyPromo(code, true);
  }

  private async applyPromo(code: string, showDrawer: boolean): Promise<void> {
    const store = this.store;
    if (!store) return;
    this.pendingPromo = null;
    let error = "";
    try {
      await store.applyPromo(code);
    } catch (refused) {
      error = cartErrorMessage(refused);
    }
    this.drawer?.promoResult(error);
    if (showDrawer) this.drawer?.open();
    else if (error) this.toast(error);
  }

  /** The tab opens at the tap (browsers allow no later one); the URL follows the sale. */
  private async checkout(): Promise<Placed> {
    const store = this.store;
    if (!store) throw new ApiError("the shop is not ready yet", 0, "not_ready");
    const framed = window.parent !== window;
    // An iframe never navigates itself: a new tab, or the host page takes the viewer there.
    const sameTab = !framed && load(OPENS_IN_KEY) === "same_tab";
    const tab = sameTab ? null : CheckoutTab.open();
    let result: CheckoutResult;
    try {
      result = await store.checkout();
    } catch (error) {
      tab?.close();
      throw error;
    }
    save(OPENS_IN_KEY, result.opens_in);
    let opened = true;
    if (tab) tab.go(result.checkout_url);
    else if (!framed) location.assign(result.checkout_url);
    else opened = this.bridge !== null; // the host page redirects (embed.js), or the viewer taps the link
    this.bridge?.post("vitrine:checkout", this.checkoutData(store, result, !tab && framed));
    return { result, opened };
  }

  private checkoutData(store: CartStore, result: CheckoutResult, redirect: boolean): CheckoutData {
    return {
      show_id: store.showId,
      order_id: result.order_id,
      checkout_url: result.checkout_url,
      opens_in: result.opens_in,
      total: result.total,
      currency: result.currency,
      redirect,
    };
  }

  private hostCheckout(): void {
    if (!this.store || !this.bridge) return;
    this.bridge.post("vitrine:checkout", { show_id: this.store.showId, redirect: false });
  }

  private listenToHost(bridge: EmbedBridge, showId: string): void {
    mark("embedded", bridge.cart);
    bridge.on("vitrine:cart-sync", (sync) => {
      if (this.store?.hostKeepsCart) this.store.syncFromHost(sync);
    });
    bridge.on("vitrine:products", ({ products }) => this.catalog.applyOverrides(products, bridge.cart === "host"));
    bridge.post("vitrine:ready", { version: EMBED_API_VERSION, show_id: showId, cart: bridge.cart });
  }

  private cartChanged(): void {
    const store = this.store;
    if (!store) return;
    const count = store.count;
    mark("cartCount", count);
    byId("cart-count").textContent = String(count);
    const button = byId("cart-button");
    button.hidden = count === 0;
    button.setAttribute("aria-label", `Your cart: ${count} ${count === 1 ? "item" : "items"}`);
    if (!store.hostKeepsCart) this.bridge?.post("vitrine:cart-sync", syncOf(store));
  }

  /** The stock as stored now, after the API refused units the page believed available. */
  private async refreshStock(): Promise<void> {
    const showId = this.store?.showId;
    if (!this.shows || !showId) return;
    try {
      const show = await this.shows.getShow(showId);
      for (const product of show.products) this.catalog.applyStock(stockOf(product));
    } catch (error) {
      console.warn("[vitrine] the stock could not be refreshed", error);
    }
  }

  private renderProducts(): void {
    const onAdd = this.selling ? (sku: string) => this.addToCart(sku) : null;
    byId("product-list").replaceChildren(...this.catalog.all().map((product) => productItem(product, onAdd)));
  }

  private toast(text: string, withCart = false): void {
    const toast = byId("shop-toast");
    window.clearTimeout(this.toastTimer);
    const parts: Node[] = [el("span", { text })];
    if (withCart) {
      const view = el("button", { class: "toast-action", text: "View cart", attrs: { type: "button" } });
      view.addEventListener("click", () => {
        toast.hidden = true;
        this.drawer?.open();
      });
      parts.push(view);
    }
    toast.replaceChildren(...parts);
    toast.hidden = false;
    this.toastTimer = window.setTimeout(() => (toast.hidden = true), TOAST_MS);
  }
}
