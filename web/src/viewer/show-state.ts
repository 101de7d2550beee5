/**
 * The show's moment: before it (title, host, countdown, the products to come), live, or after
 * it ("the replay is coming"). `data-show-status` mirrors the status. Before it, the show can
 * be added to the viewer's calendar (an .ics file, or Google Calendar).
 */
import type { Product } from "../api";
import { formatStart, safeHttpUrl } from "../dom";
import type { ShowStatus } from "../protocol";
import { el, mark } from "./el";
import { productTile } from "./products";

export interface CalendarLinks {
  ics: string;
  google: string;
}

interface ShowDetails {
  title: string;
  host_name: string;
  starts_at: string;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, "0");
}

/** "2 d 03:04:05", "03:04:05", or "" once the time has come. */
export function countdown(startsAt: Date, now: Date = new Date()): string {
  const left = Math.floor((startsAt.getTime() - now.getTime()) / 1000);
  if (!Number.isFinite(left) || left <= 0) return "";
  const days = Math.floor(left / 86_400);
  const clock = `${twoDigits(Math.floor((left % 86_400) / 3600))}:${twoDigits(Math.floor((left % 3600) / 60))}:${twoDigits(left % 60)}`;
  return days > 0 ? `${days} d ${clock}` : clock;
}

export class ShowState {
  status: ShowStatus | null = null;
  private details: ShowDetails | null = null;
  private products: Product[] = [];
  private ticker: number | undefined;
  private calendar: CalendarLinks | null = null;
  onChange: (status: ShowStatus) => void = () => {};

  constructor(private readonly panel: HTMLElement) {}

  setDetails(details: ShowDetails, products?: Product[]): void {
    this.details = details;
    if (products) this.products = products;
    this.render();
  }

  setCalendar(links: CalendarLinks): void {
    this.calendar = links;
    this.render();
  }

  setStatus(status: ShowStatus): void {
    const changed = status !== this.status;
    this.status = status;
    mark("showStatus", status);
    this.render();
    if (changed) this.onChange(status);
  }

  private render(): void {
    window.clearInterval(this.ticker);
    const { status, details } = this;
    this.panel.hidden = status === null || status === "live" || !details;
    if (this.panel.hidden || !details) return;
    if (status === "scheduled") this.renderUpcoming(details);
    else if (status === "cancelled") this.renderCancelled(details);
    else this.renderEnded(status === "replay_failed" || status === "replay_published");
  }

  private renderUpcoming(details: ShowDetails): void {
    const startsAt = new Date(details.starts_at);
    const timer = el("p", { class: "countdown", attrs: { role: "timer" } });
    const tick = () => {
      const left = countdown(startsAt);
      timer.textContent = left || "Starting any moment…";
      timer.classList.toggle("soon", left === "");
    };
    tick();
    this.ticker = window.setInterval(tick, 1000);
    this.panel.dataset.kind = "upcoming";
    this.panel.replaceChildren(
      el(
        "div",
        { class: "state-body" },
      el("p", { class: "eyebrow", text: "Live soon" }),
      el("h2", { class: "state-title", text: details.title }),
      details.host_name ? el("p", { class: "state-host", text: `with ${details.host_name}` }) : null,
      timer,
      el("p", { class: "state-when", text: formatStart(details.starts_at) }),
      this.calendarLinks(),
      this.tiles("Products to come"),
      ),
    );
  }

  private renderEnded(final: boolean): void {
    this.panel.dataset.kind = "ended";
    this.panel.replaceChildren(
      el(
        "div",
        { class: "state-body" },
      el("p", { class: "eyebrow", text: "Thank you for watching" }),
      el("h2", { class: "state-title", text: final ? "The live has ended" : "The live has ended — the replay is coming" }),
      final ? null : el("p", { class: "state-host", text: "It will play right here, with every product in it." }),
      this.tiles("In this show"),
      ),
    );
  }

  /** A link kept from before (a calendar entry, a post) to a show staff called off. */
  private renderCancelled(details: ShowDetails): void {
    this.panel.dataset.kind = "cancelled";
    this.panel.replaceChildren(
      el(
        "div",
        { class: "state-body" },
        el("p", { class: "eyebrow", text: "Show cancelled" }),
        el("h2", { class: "state-title", text: details.title }),
        el("p", { class: "state-host", text: "This show will not take place." }),
      ),
    );
  }

  private calendarLinks(): HTMLElement | null {
    const ics = this.calendar && safeHttpUrl(this.calendar.ics);
    const google = this.calendar && safeHttpUrl(this.calendar.google);
    if (!ics || !google) return null;
    const link = (href: string, text: string, className: string, download: boolean, label = text) => {
      const anchor = el("a", { class: `calendar-link ${className}`, text, attrs: { "aria-label": label } });
      anchor.href = href;
      if (download) anchor.setAttribute("download", "");
      else Object.assign(anchor, { target: "_blank", rel: "noopener" });
      return anchor;
    };
    return el(
      "div",
      { class: "calendar-links", attrs: { role: "group", "aria-label": "Add the show to your calendar" } },
      link(ics, "Add to calendar", "calendar-ics", true),
      link(google, "Google", "calendar-google", false, "Add to Google Calendar"),
    );
  }

  private tiles(heading: string): HTMLElement | null {
    if (this.products.length === 0) return null;
    return el(
      "section",
      { class: "tiles", attrs: { "aria-label": heading } },
      el("h3", { text: heading }),
      el("ul", { class: "tile-list" }, ...this.products.map(productTile)),
    );
  }
}
