/**
 * The viewer's cart for this show: Vitrine's REST cart, or (embedded with `cart=host`) the
 * brand page's own cart, which this page only tells about additions and shows from its syncs.
 *
 * The REST cart's id is kept per show in localStorage and read again on reload; a cart that is
 * gone or checked out is forgotten and a new one opened with the next addition. Changes run one
 * at a time, in order: two taps never race each other.
 */
import { ApiError, CartsApi, type Cart, type CheckoutResult, type LineRequest } from "../api";
import type { CartSyncData } from "../embed/messages";
import { forget as forgetKey, load, save } from "./storage";

const cartKey = (showId: string) => `vitrine.cart.${showId}`;
const forget = (showId: string) => forgetKey(cartKey(showId));

function checkedOut(error: unknown): boolean {
  return error instanceof ApiError && error.code === "cart_checked_out";
}

function notFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** What to show the viewer when a cart request fails: the API's own words, or why it could not answer. */
export function cartErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong. Please try again.";
  if (error.code === "network") return "The shop cannot be reached right now. Check your connection and try again.";
  if (error.status >= 500) return "The shop is having trouble right now. Please try again in a moment.";
  const message = error.message.trim();
  return message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? "" : ".");
}

export interface Viewer {
  showId: string;
  viewerId: string;
  trafficSource: string;
}

export class CartStore {
  /** The REST cart (Vitrine mode); stays after checkout to show the order placed. */
  cart: Cart | null = null;
  /** The host page's cart as it last synced (host mode). */
  hostCart: CartSyncData | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly api: CartsApi,
    private readonly viewer: Viewer,
    /** Embedded by a host page that keeps its own cart. */
    readonly hostKeepsCart: boolean,
  ) {}

  get showId(): string {
    return this.viewer.showId;
  }

  /** Units in the cart: the REST cart's while it is open, or the host's. */
  get count(): number {
    if (this.hostKeepsCart) return this.hostCart?.count ?? 0;
    return this.cart?.status === "open" ? this.cart.item_count : 0;
  }

  get open(): boolean {
    return this.cart?.status === "open";
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** The cart this phone opened for the show before (a reload, a return): still usable? */
  async restore(): Promise<void> {
    if (this.hostKeepsCart) return;
    const cartId = load(cartKey(this.viewer.showId));
    if (!cartId) return;
    try {
      const cart = await this.api.get(cartId);
      if (cart.status === "open" && cart.show_id === this.viewer.showId) this.set(cart);
      else forget(this.viewer.showId);
    } catch (error) {
      if (notFound(error)) forget(this.viewer.showId);
      else console.warn("[vitrine] the cart could not be read", error);
    }
  }

  /** Reserves `line.quantity` units; opens (or replaces) the cart as needed. */
  add(line: LineRequest): Promise<Cart> {
    return this.serial(async () => {
      let cartId = this.open && this.cart ? this.cart.cart_id : await this.create();
      try {
        return this.set(await this.api.add(cartId, line));
      } catch (error) {
        if (!(await this.unusable(cartId, error))) throw error;
        cartId = await this.create(); // checked out in another tab, or gone: a new one
        return this.set(await this.api.add(cartId, line));
      }
    });
  }

  setQuantity(sku: string, quantity: number): Promise<Cart> {
    return this.change((cartId) => (quantity > 0 ? this.api.setQuantity(cartId, sku, quantity) : this.api.remove(cartId, sku)));
  }

  remove(sku: string): Promise<Cart> {
    return this.change((cartId) => this.api.remove(cartId, sku));
  }

  applyPromo(code: string): Promise<Cart> {
    return this.change((cartId) => this.api.applyPromo(cartId, code));
  }

  removePromo(): Promise<Cart> {
    return this.change((cartId) => this.api.removePromo(cartId));
  }

  /** The server's view of the cart now (a hold ran out, another tab changed it). */
  refresh(): Promise<Cart | null> {
    return this.serial(async () => {
      if (!this.cart) return null;
      try {
        return this.set(await this.api.get(this.cart.cart_id));
      } catch (error) {
        if (notFound(error)) this.drop();
        throw error;
      }
    });
  }

  /** Sells the cart: the next addition opens a new one. */
  checkout(): Promise<CheckoutResult> {
    return this.serial(async () => {
      if (!this.cart) throw new ApiError("the cart is empty", 409, "cart_empty");
      const cartId = this.cart.cart_id;
      const result = await this.api.checkout(cartId);
      forget(this.viewer.showId);
      this.cart = { ...this.cart, status: "checked_out", order_id: result.order_id };
      this.changed();
      return result;
    });
  }

  /** The host page's cart (host mode). */
  syncFromHost(sync: CartSyncData): void {
    this.hostCart = sync;
    this.changed();
  }

  private async create(): Promise<string> {
    const { showId, viewerId, trafficSource } = this.viewer;
    const cart = await this.api.create(showId, viewerId, trafficSource);
    save(cartKey(showId), cart.cart_id);
    this.set(cart);
    return cart.cart_id;
  }

  private change(request: (cartId: string) => Promise<Cart>): Promise<Cart> {
    return this.serial(async () => {
      if (!this.cart || !this.open) throw new ApiError("this cart has been checked out already", 409, "cart_checked_out");
      const cartId = this.cart.cart_id;
      try {
        return this.set(await request(cartId));
      } catch (error) {
        if (await this.unusable(cartId, error)) this.drop();
        throw error;
      }
    });
  }

  /** After a refusal: is the cart itself gone or sold? A 404 may name the promo code or the
   * line instead; the cart then answers with its state now. */
  private async unusable(cartId: string, error: unknown): Promise<boolean> {
    if (checkedOut(error)) return true;
    if (!notFound(error)) return false;
    try {
      const cart = await this.api.get(cartId);
      if (cart.status !== "open") return true;
      this.set(cart);
      return false;
    } catch (refused) {
      return notFound(refused);
    }
  }

  private drop(): void {
    forget(this.viewer.showId);
    this.cart = null;
    this.changed();
  }

  private set(cart: Cart): Cart {
    this.cart = cart;
    this.changed();
    return cart;
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
