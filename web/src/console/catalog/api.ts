/**
 * The REST API's catalog operations as staff call them (functions/cart/handlers): products and
 * their stock, shows and their rundown, promo codes. Every call carries the staff ID token
 * (`Authorization: Bearer …`, renewed when it is about to expire) and skips the HTTP cache: the
 * public show lists are cached for a few seconds, staff must see what they just changed.
 * A refusal is thrown as an ApiRefusal carrying the API's `{code, message, errors[]}`.
 */

import type { ShowStatus, StockState, Variant } from "../../api";

export type { ShowStatus, StockState };

/** What `GET /shows?status=` takes: three lists, or any one status. */
export type ShowListing = "live" | "upcoming" | "replays" | ShowStatus;

export interface VariantStock extends Variant {
  /** The staff counters: units ever put on sale, held in carts, sold. */
  stock?: number;
  reserved?: number;
  sold?: number;
}

export interface StaffProduct {
  sku: string;
  name: string;
  description: string;
  price: string;
  currency: string;
  in_stock: boolean;
  image_url: string;
  product_url: string;
  variants: VariantStock[];
}

export interface VariantDraft {
  sku: string;
  size: string;
  colour: string;
  price?: string;
  stock: number | string;
  storefront_id: string;
}

export interface ProductDraft {
  sku: string;
  name: string;
  description: string;
  price: string;
  currency: string;
  image_url?: string;
  product_url?: string;
  variants: VariantDraft[];
}

export type ProductChanges = Partial<Pick<ProductDraft, "name" | "description" | "price" | "image_url" | "product_url">>;

export interface StaffShow {
  show_id: string;
  title: string;
  description: string;
  host_name: string;
  status: ShowStatus;
  /** UTC, ISO 8601. */
  starts_at: string;
  duration_minutes: number;
  recurrence_rule: string | null;
  /** The brand's IANA zone: the rule repeats at the start's wall-clock time there. */
  time_zone: string;
  cover_image_url: string;
  /** The next start times, UTC (one for a one-off show to come, none once it started). */
  next_occurrences: string[];
  promo: { code: string; expires_at: string } | null;
  products: StaffProduct[];
}

/** A show whose room opens in the console: live, or to come. */
export type RoomShow = StaffShow & { status: "live" | "scheduled" };

export function opensRoom(show: StaffShow): show is RoomShow {
  return show.status === "live" || show.status === "scheduled";
}

export interface ShowDraft {
  show_id: string;
  title: string;
  description: string;
  host_name: string;
  /** Aware ISO time, e.g. 2026-12-10T19:00:00+01:00. */
  starts_at: string;
  duration_minutes: number | string;
  recurrence_rule?: string;
  cover_image_url?: string;
}

export type ShowChanges = Partial<Omit<ShowDraft, "show_id">> & { clear_recurrence?: boolean };

export type PromoKind = "percent" | "amount";
export type PromoScope = "live" | "live_and_replay" | "window";

export interface Promo {
  code: string;
  kind: PromoKind;
  /** Percent, or minor units off (500 = 5.00). */
  value: number;
  currency: string | null;
  scope: PromoScope;
  show_id: string | null;
  starts_at: string | null;
  /** Set by a push to the room: the code expires for everyone at once. */
  ends_at: string | null;
  usage_limit: number | null;
  used: number;
  label: string;
}

export interface PromoDraft {
  code: string;
  kind: PromoKind;
  percent?: number | string;
  amount?: string;
  currency?: string;
  scope: PromoScope;
  show_id?: string;
  starts_at?: string;
  ends_at?: string;
  usage_limit?: number | string;
  label: string;
}

/** One field the API refused: `field` is the dotted path in the body, e.g. "variants.0.sku". */
export interface FieldError {
  field: string;
  message: string;
}

export class ApiRefusal extends Error {
  override name = "ApiRefusal";
  constructor(
    message: string,
    /** The HTTP status; 0 when the API could not be reached. */
    readonly status: number,
    readonly code: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** The staff member's current ID token, renewed if needed; null when they must sign in again. */
export type TokenSource = () => Promise<string | null>;

export class CatalogApi {
  private readonly base: string;

  constructor(
    apiUrl: string,
    private readonly token: TokenSource,
    /** Called once a call finds the sign-in gone for good. */
    private readonly onSignInExpired: () => void = () => {},
  ) {
    this.base = apiUrl.replace(/\/+$/, "");
  }

  // --- products -------------------------------------------------------------------------------

  async listProducts(): Promise<StaffProduct[]> {
    return (await this.call<{ products: StaffProduct[] }>("GET", "/products")).products;
  }

  createProduct(draft: ProductDraft): Promise<StaffProduct> {
    return this.call("POST", "/products", draft);
  }

  updateProduct(sku: string, changes: ProductChanges): Promise<StaffProduct> {
    return this.call("PATCH", `/products/${encodeURIComponent(sku)}`, changes);
  }

  /** Puts `add` units of the variant on sale; a negative `add` takes available ones off sale. */
  changeStock(sku: string, variantSku: string, add: number | string): Promise<StaffProduct> {
    const path = `/products/${encodeURIComponent(sku)}/variants/${encodeURIComponent(variantSku)}/stock`;
    return this.call("POST", path, { add });
  }

  /** A new size or colour of an existing product, its units put on sale at once. */
  addVariant(sku: string, draft: VariantDraft): Promise<StaffProduct> {
    return this.call("POST", `/products/${encodeURIComponent(sku)}/variants`, draft);
  }

  // --- shows ----------------------------------------------------------------------------------

  async listShows(listing: ShowListing): Promise<StaffShow[]> {
    return (await this.call<{ shows: StaffShow[] }>("GET", `/shows?status=${encodeURIComponent(listing)}`)).shows;
  }

  /** Several lists, one after the other: a burst of parallel calls would wake as many cold
   * functions at once. */
  async listShowsIn<L extends ShowListing>(listings: readonly L[]): Promise<Map<L, StaffShow[]>> {
    const found = new Map<L, StaffShow[]>();
    for (const listing of listings) found.set(listing, await this.listShows(listing));
    return found;
  }

  getShow(showId: string): Promise<StaffShow> {
    return this.call("GET", `/shows/${encodeURIComponent(showId)}`);
  }

  createShow(draft: ShowDraft): Promise<StaffShow> {
    return this.call("POST", "/shows", draft);
  }

  updateShow(showId: string, changes: ShowChanges): Promise<StaffShow> {
    return this.call("PATCH", `/shows/${encodeURIComponent(showId)}`, changes);
  }

  cancelShow(showId: string): Promise<StaffShow> {
    return this.call("POST", `/shows/${encodeURIComponent(showId)}/cancel`);
  }

  /** The show's products, in the order the host presents them. */
  setRundown(showId: string, productSkus: string[]): Promise<StaffShow> {
    return this.call("PUT", `/shows/${encodeURIComponent(showId)}/products`, { product_skus: productSkus });
  }

  // --- promos ---------------------------------------------------------------------------------

  async listPromos(): Promise<Promo[]> {
    return (await this.call<{ promos: Promo[] }>("GET", "/promos")).promos;
  }

  createPromo(draft: PromoDraft): Promise<Promo> {
    return this.call("POST", "/promos", draft);
  }

  /** A banner with a countdown in the show's room; the code stops working when it ends. */
  pushPromo(showId: string, code: string, durationSeconds: number): Promise<Promo> {
    const path = `/shows/${encodeURIComponent(showId)}/promos/${encodeURIComponent(code)}/push`;
    return this.call("POST", path, { duration_seconds: durationSeconds });
  }

  // --- the wire -------------------------------------------------------------------------------

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await this.send<T>(method, path, body);
    } catch (error) {
      // A read that met a cold or overloaded function is asked once more; a write is not
      // (it may have happened): its error is shown and the form keeps what was typed.
      const retry = method === "GET" && error instanceof ApiRefusal && (error.status === 0 || error.status >= 500);
      if (!retry) throw error;
      return this.send<T>(method, path, body);
    }
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = await this.token().catch(() => {
      throw new ApiRefusal("The sign-in service cannot be reached right now: try again.", 0, "unreachable");
    });
    if (token === null) {
      this.onSignInExpired();
      throw new ApiRefusal("Your sign-in has expired: sign in again.", 401, "unauthorized");
    }
    const headers: Record<string, string> = { Accept: "application/json", Authorization: `Bearer ${token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        cache: "no-store",
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiRefusal("The API cannot be reached right now: check the connection and try again.", 0, "unreachable");
    }
    const answer = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (!response.ok) throw refusalOf(response.status, answer);
    if (answer === null) throw new ApiRefusal(`The API answered HTTP ${response.status} without JSON.`, response.status, "bad_answer");
    return answer as T;
  }
}

/** The API answers `{code, message, errors}`; API Gateway's own refusals only `{message}`. */
function refusalOf(status: number, body: Record<string, unknown> | null): ApiRefusal {
  const message = typeof body?.message === "string" && body.message ? body.message : `HTTP ${status}`;
  const code = typeof body?.code === "string" ? body.code : status === 401 ? "unauthorized" : status === 403 ? "forbidden" : "http_error";
  const errors = Array.isArray(body?.errors)
    ? body.errors.filter(
        (item): item is FieldError =>
          typeof item === "object" && item !== null && typeof item.field === "string" && typeof item.message === "string",
      )
    : [];
  return new ApiRefusal(message, status, code, errors);
}

/** What to tell a person about a failed call. */
export function refusalText(error: unknown): string {
  if (error instanceof ApiRefusal) {
    if (error.status === 403) return `Your role cannot do this: ${error.message}`;
    return error.message;
  }
  console.error("[vitrine]", error);
  return "Something went wrong: try again.";
}
