/**
 * The poll (or quiz) card: options to tap, then live results. A quiz reveals its correct
 * answer when it closes. The viewer's answer is remembered per poll, so that a reload or a
 * reconnection shows the results rather than asking again.
 */
import type { PollView } from "../protocol";
import { el, mark } from "./el";
import { load, save } from "./storage";

export class PollCard {
  private poll: PollView | null = null;
  private dismissed: string | null = null;

  constructor(
    private readonly card: HTMLElement,
    private readonly answer: (pollId: string, option: number) => boolean,
  ) {}

  update(poll: PollView | null): void {
    if (poll && poll.poll_id !== this.poll?.poll_id) this.dismissed = null;
    this.poll = poll;
    this.render();
  }

  /** The server confirmed (ack) or already had (conflict) this viewer's answer. */
  answered(pollId: string, option: number | null): void {
    if (option !== null) save(this.key(pollId), String(option));
    else if (this.choice(pollId) === null) save(this.key(pollId), "?");
    this.render();
  }

  /** The server refused the answer: forget the local choice so the viewer can try again. */
  refused(pollId: string): void {
    save(this.key(pollId), "");
    this.render();
  }

  private key(pollId: string): string {
    return `vitrine.poll.${pollId}`;
  }

  /** The option this viewer chose, -1 when they answered elsewhere, null when not yet. */
  private choice(pollId: string): number | null {
    const stored = load(this.key(pollId));
    if (stored === null || stored === "") return null;
    const option = Number(stored);
    return Number.isInteger(option) ? option : -1;
  }

  private render(): void {
    const poll = this.poll;
    if (!poll || poll.poll_id === this.dismissed) {
      this.card.hidden = true;
      this.card.replaceChildren();
      mark("pollId", null);
      return;
    }
    mark("pollId", poll.poll_id);
    this.card.dataset.pollId = poll.poll_id;
    this.card.dataset.open = String(poll.open);
    const choice = this.choice(poll.poll_id);
    const showResults = !poll.open || choice !== null;
    const total = poll.counts.reduce((sum, count) => sum + count, 0);

    const options = el("ol", { class: "poll-options" });
    poll.options.forEach((label, index) => {
      const count = poll.counts[index] ?? 0;
      const share = total > 0 ? Math.round((count / total) * 100) : 0;
      const classes = ["poll-option"];
      if (choice === index) classes.push("chosen");
      if (poll.correct_option === index) classes.push("correct");
      else if (poll.correct_option !== null && choice === index) classes.push("wrong");
      const item = el("li", { class: classes.join(" ") });
      if (showResults) {
        item.style.setProperty("--share", `${share}%`);
        item.append(
          el("span", { class: "option-label", text: label }),
          el("span", { class: "option-share", text: `${share}%` }),
        );
        if (choice === index) item.setAttribute("aria-label", `${label}: ${share}%, your answer`);
      } else {
        const button = el("button", { class: "option-button", text: label, attrs: { type: "button" } });
        button.addEventListener("click", () => {
          if (!this.answer(poll.poll_id, index)) return;
          save(this.key(poll.poll_id), String(index)); // optimistic; the ack or error settles it
          this.render();
        });
        item.append(button);
      }
      options.append(item);
    });

    const dismiss = el("button", { class: "icon-button dismiss", attrs: { type: "button", "aria-label": "Hide the poll" } });
    dismiss.addEventListener("click", () => {
      this.dismissed = poll.poll_id;
      this.render();
    });
    this.card.replaceChildren(
      el(
        "header",
        { class: "card-head" },
        el("span", { class: "eyebrow", text: poll.quiz ? "Quiz" : "Poll" }),
        el("span", { class: "card-status", text: this.status(poll, choice, total) }),
        dismiss,
      ),
      el("h2", { class: "poll-question", text: poll.question }),
      options,
    );
    this.card.hidden = false;
  }

  private status(poll: PollView, choice: number | null, total: number): string {
    const votes = `${total} ${total === 1 ? "vote" : "votes"}`;
    if (poll.open) return choice === null ? "Tap to answer" : `Thanks! · ${votes}`;
    if (poll.quiz && poll.correct_option !== null && choice !== null && choice >= 0) {
      return choice === poll.correct_option ? "You got it right!" : "Not this time";
    }
    return `Closed · ${votes}`;
  }
}
