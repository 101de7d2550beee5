/**
 * The Shows screen: what is live now, what is coming, and the replays. Live and upcoming shows
 * open in the room (console/room.ts); hosts and admins create and edit shows (show-editor.ts).
 * Test contract: data-shows-state on <body> (loading|ready|error), and each row under
 * #show-list is `li[data-show-id][data-status]` whose first button opens the room.
 */
import { byId, safeHttpUrl } from "../../dom";
import { button, h } from "../h";
import { type CatalogApi, opensRoom, refusalText, type RoomShow, type ShowListing, type StaffShow } from "./api";
import { describeRule } from "./recurrence";
import { formatWhen } from "./time";

export const STATUS_LABELS: Record<string, string> = {
  scheduled: "Scheduled",
  live: "Live",
  ended: "Ended",
  cancelled: "Cancelled",
  replay_processing: "Replay processing",
  replay_published: "Replay",
  replay_failed: "Replay failed",
};

interface Group {
  listing: ShowListing;
  list: HTMLUListElement;
  empty: string;
}

export interface ShowsScreenOptions {
  mayEdit: boolean;
  onOpenRoom: (show: RoomShow) => void;
  /** null: a new show. */
  onEdit: (show: StaffShow | null) => void;
}

export class ShowsScreen {
  private readonly groups: Group[] = [
    { listing: "live", list: byId<HTMLUListElement>("live-shows"), empty: "No show is live right now." },
    { listing: "upcoming", list: byId<HTMLUListElement>("upcoming-shows"), empty: "No show is scheduled." },
    { listing: "replays", list: byId<HTMLUListElement>("replay-shows"), empty: "No replay yet." },
  ];
  private shows = new Map<ShowListing, StaffShow[]>();

  constructor(
    private readonly api: CatalogApi,
    private readonly options: ShowsScreenOptions,
  ) {
    const create = byId<HTMLButtonElement>("new-show");
    create.hidden = !options.mayEdit;
    create.addEventListener("click", () => options.onEdit(null));
  }

  /** Every list, fresh from the API; the live and upcoming shows (rooms one can open). */
  async load(): Promise<RoomShow[]> {
    const body = document.body.dataset;
    body.showsState = "loading";
    for (const group of this.groups) {
      if (!this.shows.has(group.listing)) group.list.replaceChildren(h("li", { class: "hc-empty", text: "Loading…" }));
    }
    try {
      const lists = await this.api.listShowsIn(this.groups.map((group) => group.listing));
      for (const [listing, shows] of lists) this.shows.set(listing, byStart(shows, listing));
    } catch (error) {
      body.showsState = "error";
      throw new Error(refusalText(error));
    }
    this.render();
    body.showsState = "ready";
    return this.rooms();
  }

  rooms(): RoomShow[] {
    return [...(this.shows.get("live") ?? []), ...(this.shows.get("upcoming") ?? [])].filter(opensRoom);
  }

  /** A show as the API answered a change of it: moved to the list its status belongs to. */
  upsert(show: StaffShow): void {
    for (const [listing, shows] of this.shows) {
      const others = shows.filter((known) => known.show_id !== show.show_id);
      this.shows.set(listing, listingOf(show) === listing ? byStart([...others, show], listing) : others);
    }
    this.render();
  }

  clear(): void {
    this.shows.clear();
    for (const group of this.groups) group.list.replaceChildren();
  }

  private render(): void {
    for (const group of this.groups) {
      const shows = this.shows.get(group.listing) ?? [];
      group.list.replaceChildren(...shows.map((show) => this.row(show)));
      if (shows.length === 0) group.list.append(h("li", { class: "hc-empty", text: group.empty }));
    }
  }

  private row(show: StaffShow): HTMLLIElement {
    const actions: HTMLElement[] = [];
    const opens = opensRoom(show);
    if (opens) {
      const open = button("Open", () => this.options.onOpenRoom(show));
      open.setAttribute("aria-label", `Open ${show.title}`);
      actions.push(open);
    }
    if (this.options.mayEdit && opens) {
      const edit = button(show.status === "live" ? "Rundown" : "Edit", () => this.options.onEdit(show), "hc-ghost");
      edit.setAttribute("aria-label", `${show.status === "live" ? "Rundown of" : "Edit"} ${show.title}`);
      actions.push(edit);
    }
    if (!opens) {
      const page = safeHttpUrl(`/?show=${encodeURIComponent(show.show_id)}`);
      if (page) actions.push(h("a", { class: "hc-link-button", text: "Replay page", attrs: { href: page, target: "_blank", rel: "noopener" } }));
    }
    const meta = [formatWhen(startOf(show)), `${show.duration_minutes} min`];
    if (show.recurrence_rule) meta.push(describeRule(show.recurrence_rule, show.starts_at, show.time_zone));
    return h(
      "li",
      { class: "hc-show-row", dataset: { showId: show.show_id, status: show.status } },
      h(
        "div",
        { class: "hc-show-main" },
        h(
          "p",
          { class: "hc-show-title" },
          // Each list says what its shows are; only a live one is flagged, it is the urgent one.
          show.status === "live"
            ? h("span", { class: "hc-status-pill", text: STATUS_LABELS.live ?? "Live", dataset: { status: "live" } })
            : null,
          h("strong", { text: show.title }),
        ),
        h("p", { class: "muted hc-small", text: meta.join(" · ") }),
        show.host_name ? h("p", { class: "muted hc-small", text: `Hosted by ${show.host_name}` }) : null,
      ),
      h("div", { class: "hc-show-actions" }, ...actions),
    );
  }
}

function listingOf(show: StaffShow): ShowListing | null {
  if (show.status === "live") return "live";
  if (show.status === "scheduled") return "upcoming";
  if (show.status === "replay_published") return "replays";
  return null;
}

/** Upcoming: the next first; live and replays: the latest first. */
function byStart(shows: StaffShow[], listing: ShowListing): StaffShow[] {
  const sorted = [...shows].sort((a, b) => Date.parse(startOf(a)) - Date.parse(startOf(b)));
  return listing === "upcoming" ? sorted : sorted.reverse();
}

/** When the show starts next: a recurring show's next occurrence, else its start. */
export function startOf(show: StaffShow): string {
  return (show.status === "scheduled" ? show.next_occurrences[0] : undefined) ?? show.starts_at;
}
