/** The contest card: "Enter" while it is open, then the winner's announcement. */
import type { ContestView } from "../protocol";
import { el } from "./el";
import { load, save } from "./storage";

export class ContestCard {
  private contest: ContestView | null = null;
  private dismissed: string | null = null;
  viewerId = "";

  constructor(
    private readonly card: HTMLElement,
    private readonly enter: (contestId: string) => boolean,
  ) {}

  update(contest: ContestView | null): void {
    // A new contest, or the draw of the one the viewer hid: worth showing again.
    if (contest && (contest.contest_id !== this.contest?.contest_id || contest.winner_name)) this.dismissed = null;
    this.contest = contest;
    this.render();
  }

  /** The server confirmed the entry (or already had it). */
  entered(contestId: string): void {
    save(this.key(contestId), "1");
    this.render();
  }

  refused(contestId: string): void {
    save(this.key(contestId), "");
    this.render();
  }

  private key(contestId: string): string {
    return `vitrine.contest.${contestId}`;
  }

  private render(): void {
    const contest = this.contest;
    if (!contest || contest.contest_id === this.dismissed) {
      this.card.hidden = true;
      this.card.replaceChildren();
      return;
    }
    this.card.dataset.contestId = contest.contest_id;
    const entered = load(this.key(contest.contest_id)) === "1";
    const entrants = `${contest.entrant_count} ${contest.entrant_count === 1 ? "entrant" : "entrants"}`;
    let action: HTMLElement;
    if (contest.winner_name) {
      const won = contest.winner_id !== null && contest.winner_id === this.viewerId;
      action = el("p", { class: won ? "winner you-won" : "winner", text: won ? "You won! The team will be in touch." : `Winner: ${contest.winner_name}` });
    } else if (!contest.open) {
      action = el("p", { class: "card-status", text: "Entries are closed: the draw is coming" });
    } else if (entered) {
      action = el("p", { class: "entered", text: "You're in. Good luck!" });
    } else {
      const button = el("button", { class: "cta", text: "Enter", attrs: { type: "button" } });
      button.addEventListener("click", () => {
        if (!this.enter(contest.contest_id)) return;
        save(this.key(contest.contest_id), "1");
        this.render();
      });
      action = button;
    }
    const dismiss = el("button", { class: "icon-button dismiss", attrs: { type: "button", "aria-label": "Hide the contest" } });
    dismiss.addEventListener("click", () => {
      this.dismissed = contest.contest_id;
      this.render();
    });
    this.card.replaceChildren(
      el(
        "header",
        { class: "card-head" },
        el("span", { class: "eyebrow", text: "Contest" }),
        el("span", { class: "card-status", text: entrants }),
        dismiss,
      ),
      el("h2", { class: "contest-title", text: contest.title }),
      action,
    );
    this.card.hidden = false;
  }
}
