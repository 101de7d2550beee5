/** The REST API's show catalog, typed as the Chalice app returns it (functions/cart). */

export type ShowStatus =
  | "scheduled"
  | "live"
  | "ended"
  | "replay_processing"
  | "replay_published"
  | "replay_failed";

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

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class ShowsApi {
  private readonly base: string;

  constructor(apiUrl: string) {
    this.base = apiUrl.replace(/\/+$/, "");
  }

  async listShows(status: ShowStatus): Promise<Show[]> {
    const body = await this.get<{ shows: Show[] }>(`/shows?status=${encodeURIComponent(status)}`);
    return body.shows;
  }

  getShow(showId: string): Promise<Show> {
    return this.get<Show>(`/shows/${encodeURIComponent(showId)}`);
  }

  /** The show a viewer lands on without `?show=`: the first live one, else the next scheduled. */
  async defaultShow(): Promise<Show | null> {
    for (const status of ["live", "scheduled"] as const) {
      const [first] = await this.listShows(status);
      if (first) return first;
    }
    return null;
  }

  private async get<T>(path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { headers: { Accept: "application/json" } });
    } catch (error) {
      throw new ApiError(`cannot reach the API: ${String(error)}`, 0);
    }
    if (!response.ok) {
      throw new ApiError(`GET ${path}: HTTP ${response.status}`, response.status);
    }
    return (await response.json()) as T;
  }
}
