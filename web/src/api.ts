/** The REST API, typed as the Chalice app returns it (functions/cart): shows, carts, calendar.
 * Every refusal is JSON `{code, message, errors[]}`: `ApiError` carries the code to branch on
 * and the message to show. */

export type ShowStatus =
  | "scheduled"
  | "live"
  | "ended"
  | "cancelled"
  | "replay_processing"
  | "replay_published"
  | "replay_failed";

export type StockState = "in_stock" | "low" | "sold_out";

export interface Variant {
  sku: string;
  size: string;
  colour: string;
  /** Decimal string in major units, e.g. "49.90": the variant's override, else the product's. */
  price: string;
  available: number;
  stock_state: StockState;
  /** "In stock", "Only 3 left", "Sold out". */
  badge: string;
  storefront_id: string;
}

export interface Product {
  sku: string;
  name: string;
  description: string;
  /** Decimal string in major units, e.g. "49.90". */
  price: string;
  currency: string;
  in_stock: boolean;
  image_url: string;
  product_url: string;
  variants: Variant[];
}

export interface Show {
  show_id: string;
  title: string;
  description: string;
  host_name: string;
  status: ShowStatus;
  starts_at: string;
  duration_minutes: number;
  recurrence_rule: string | null;
  products: Product[];
}

export type ViewingMode = "live" | "replay";

export interface CartLine {
  product_sku: string;
  /** The variant's sku: the line's key. */
  sku: string;
  name: string;
  /** "42 · Blue", or "" for a product without variants. */
  variant: string;
  image_url: string;
  quantity: number;
  unit_price: string;
  line_total: string;
  currency: string;
  /** When the reservation lapses (ISO time); null once checked out. */
  held_until: string | null;
}

export interface Cart {
  cart_id: string;
  show_id: string;
  status: "open" | "checked_out";
  lines: CartLine[];
  item_count: number;
  currency: string;
  subtotal: string;
  discount: string;
  total: string;
  promo_code: string | null;
  promo_label: string | null;
  /** Why the code takes nothing off now ("LIVE20 has expired"); null while it applies. */
  promo_problem: string | null;
  hold_seconds: number;
  order_id: string | null;
}

export interface CheckoutResult {
  order_id: string;
  /** The brand's storefront, holding the cart's lines: where the viewer pays. */
  checkout_url: string;
  opens_in: "new_tab" | "same_tab";
  total: string;
  currency: string;
}

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
    /** The API's stable code (`out_of_stock`, `promo_expired`, …); "network" when unreachable. */
    readonly code = "http_error",
  ) {
    super(message);
  }
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

class RestClient {
  protected readonly base: string;

  constructor(apiUrl: string) {
    this.base = apiUrl.replace(/\/+$/, "");
  }

  protected async call<T>(method: Method, path: string, body?: object): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new ApiError(`cannot reach the API: ${String(error)}`, 0, "network");
    }
    if (!response.ok) throw await refusal(method, path, response);
    return (await response.json()) as T;
  }
}

async function refusal(method: Method, path: string, response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { code?: unknown; message?: unknown };
    if (typeof body.message === "string" && typeof body.code === "string") {
      return new ApiError(body.message, response.status, body.code);
    }
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  return new ApiError(`${method} ${path}: HTTP ${response.status}`, response.status);
}

export class ShowsApi extends RestClient {
  async listShows(status: ShowStatus): Promise<Show[]> {
    const body = await this.call<{ shows: Show[] }>("GET", `/shows?status=${encodeURIComponent(status)}`);
    return body.shows;
  }

  getShow(showId: string): Promise<Show> {
    return this.call<Show>("GET", `/shows/${encodeURIComponent(showId)}`);
  }

  /** The show a viewer lands on without `?show=`: the first live one, else the next scheduled. */
  async defaultShow(): Promise<Show | null> {
    for (const status of ["live", "scheduled"] as const) {
      const [first] = await this.listShows(status);
      if (first) return first;
    }
    return null;
  }

  /** Add-to-calendar links; each counts a `calendar.added` with its traffic source. */
  calendarLinks(showId: string, viewerId: string, source: string): { ics: string; google: string } {
    const query = new URLSearchParams({ source, viewer_id: viewerId }).toString();
    const show = `${this.base}/shows/${encodeURIComponent(showId)}`;
    return { ics: `${show}/calendar.ics?${query}`, google: `${show}/calendar/google?${query}` };
  }
}

export interface LineRequest {
  product_sku: string;
  sku: string;
  quantity: number;
  mode: ViewingMode;
  offset_seconds: number;
}

/** A viewer's cart: anonymous, its id is the key to it. */
export class CartsApi extends RestClient {
  create(showId: string, viewerId: string, trafficSource: string): Promise<Cart> {
    return this.call<Cart>("POST", "/carts", { show_id: showId, viewer_id: viewerId, traffic_source: trafficSource });
  }

  get(cartId: string): Promise<Cart> {
    return this.call<Cart>("GET", this.path(cartId));
  }

  add(cartId: string, line: LineRequest): Promise<Cart> {
    return this.call<Cart>("POST", `${this.path(cartId)}/lines`, line);
  }

  /** 0 removes the line. */
  setQuantity(cartId: string, sku: string, quantity: number): Promise<Cart> {
    return this.call<Cart>("PUT", `${this.path(cartId)}/lines/${encodeURIComponent(sku)}`, { quantity });
  }

  remove(cartId: string, sku: string): Promise<Cart> {
    return this.call<Cart>("DELETE", `${this.path(cartId)}/lines/${encodeURIComponent(sku)}`);
  }

  applyPromo(cartId: string, code: string): Promise<Cart> {
    return this.call<Cart>("POST", `${this.path(cartId)}/promo`, { code });
  }

  removePromo(cartId: string): Promise<Cart> {
    return this.call<Cart>("DELETE", `${this.path(cartId)}/promo`);
  }

  checkout(cartId: string): Promise<CheckoutResult> {
    return this.call<CheckoutResult>("POST", `${this.path(cartId)}/checkout`);
  }

  private path(cartId: string): string {
    return `/carts/${encodeURIComponent(cartId)}`;
  }
}
