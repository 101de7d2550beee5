/** The poll/quiz composer with live results, and the contest (open, entrants, draw). */
import type { ContestView, PollView } from "../protocol";
import { byId } from "../dom";
import type { RoomContext } from "./context";
import { button, count, h } from "./h";

const MIN_OPTIONS = 2;
const MAX_OPTIONS = 6; // functions/common/events.py MAX_POLL_OPTIONS

export class EngagePanel {
  private readonly pollForm = byId<HTMLFormElement>("poll-form");
  private readonly optionList = byId<HTMLOListElement>("poll-option-list");
  private readonly quiz = byId<HTMLInputElement>("poll-quiz");
  private readonly pollResults = byId("poll-results");
  private readonly contestForm = byId<HTMLFormElement>("contest-form");
  private readonly contestView = byId("contest-view");
  /** The quiz answer this console chose: the server reveals it only when the quiz closes. */
  private quizAnswer: { question: string; option: number } | null = null;
  private drawDetail = "";

  constructor(private readonly ctx: RoomContext) {
    for (let index = 0; index < MIN_OPTIONS; index += 1) this.addOption();
    byId("poll-add-option").addEventListener("click", () => this.addOption(true));
    this.quiz.addEventListener("change", () => this.pollForm.classList.toggle("is-quiz", this.quiz.checked));
    this.pollForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.openPoll();
    });
    this.contestForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.openContest();
    });
  }

  render(): void {
    this.renderPoll();
    this.renderContest();
  }

  // --- poll ---------------------------------------------------------------------------------

  private addOption(focus = false): void {
    const index = this.optionList.children.length;
    if (index >= MAX_OPTIONS) return;
    const input = h("input", {
      attrs: { name: "option", maxlength: "80", required: "", "aria-label": `Option ${index + 1}` },
    });
    input.placeholder = `Option ${index + 1}`;
    const correct = h("input", {
      class: "hc-correct-radio",
      attrs: { type: "radio", name: "correct", "aria-label": `Option ${index + 1} is the correct answer` },
    });
    const remove = h("button", {
      class: "hc-ghost hc-icon-button",
      text: "×",
      attrs: { type: "button", "aria-label": `Remove option ${index + 1}` },
    });
    const row = h("li", { class: "hc-poll-option" }, correct, input, remove);
    remove.addEventListener("click", () => {
      row.remove();
      this.renumberOptions();
    });
    this.optionList.append(row);
    this.renumberOptions();
    if (focus) input.focus();
  }

  private renumberOptions(): void {
    const rows = [...this.optionList.children] as HTMLElement[];
    rows.forEach((row, index) => {
      const [correct, input, remove] = row.children as unknown as [HTMLInputElement, HTMLInputElement, HTMLButtonElement];
      correct.value = String(index);
      correct.setAttribute("aria-label", `Option ${index + 1} is the correct answer`);
      input.setAttribute("aria-label", `Option ${index + 1}`);
      input.placeholder = `Option ${index + 1}`;
      remove.setAttribute("aria-label", `Remove option ${index + 1}`);
      remove.hidden = rows.length <= MIN_OPTIONS;
    });
    byId<HTMLButtonElement>("poll-add-option").hidden = rows.length >= MAX_OPTIONS;
  }

  private openPoll(): void {
    const question = byId<HTMLInputElement>("poll-question").value.trim();
    const inputs = [...this.optionList.querySelectorAll<HTMLInputElement>("input[name=option]")];
    const options = inputs.map((input) => input.value.trim());
    if (!question || options.some((option) => option === "")) {
      this.ctx.toasts.show("Fill in the question and every option", { kind: "error" });
      return;
    }
    if (new Set(options.map((option) => option.toLowerCase())).size !== options.length) {
      this.ctx.toasts.show("Two options are the same", { kind: "error" });
      return;
    }
    let correct: number | null = null;
    if (this.quiz.checked) {
      const chosen = this.optionList.querySelector<HTMLInputElement>("input[name=correct]:checked");
      if (!chosen) {
        this.ctx.toasts.show("Quiz: tick the correct answer", { kind: "error" });
        return;
      }
      correct = Number(chosen.value);
    }
    const submit = this.pollForm.querySelector<HTMLButtonElement>("button[type=submit]");
    this.ctx.actions.run(
      { action: "open_poll", question, options, ...(correct === null ? {} : { correct_option: correct }) },
      {
        buttons: submit ? [submit] : [],
        done: correct === null ? "Poll opened" : "Quiz opened",
        onAck: () => {
          this.quizAnswer = correct === null ? null : { question, option: correct };
          this.pollForm.reset();
          this.pollForm.classList.remove("is-quiz");
          this.optionList.replaceChildren();
          for (let index = 0; index < MIN_OPTIONS; index += 1) this.addOption();
        },
      },
    );
  }

  private renderPoll(): void {
    const poll = this.ctx.state.poll;
    const body = document.body.dataset;
    if (poll) {
      body.pollId = poll.poll_id;
      body.pollState = poll.open ? "open" : "closed";
    } else {
      delete body.pollId;
      delete body.pollState;
    }
    this.pollForm.hidden = poll?.open === true;
    this.pollResults.hidden = poll === null;
    if (!poll) {
      this.pollResults.replaceChildren();
      return;
    }
    // Rebuilt only when the poll or its state changes: the Close button keeps its pending state
    // while the counts move.
    const shell = `${poll.poll_id}:${poll.open}`;
    if (this.pollResults.dataset.shell !== shell) {
      this.pollResults.dataset.shell = shell;
      this.pollResults.replaceChildren(this.pollShell(poll));
    }
    this.pollResults.querySelector(".hc-poll-bars")?.replaceChildren(...this.pollBars(poll));
    const total = poll.counts.reduce((sum, value) => sum + value, 0);
    const totalLine = this.pollResults.querySelector(".hc-poll-total");
    if (totalLine) totalLine.textContent = `${count(total)} ${total === 1 ? "answer" : "answers"}`;
  }

  private pollShell(poll: PollView): HTMLElement {
    const close = button(
      poll.quiz ? "Close quiz and reveal" : "Close poll",
      () => this.ctx.actions.run({ action: "close_poll", poll_id: poll.poll_id }, { buttons: [close] }),
      "hc-danger-outline",
    );
    return h(
      "div",
      { class: "hc-poll-view", dataset: { pollId: poll.poll_id } },
      h(
        "p",
        { class: "hc-poll-question" },
        h("span", { class: `hc-state-tag ${poll.open ? "is-open" : ""}`, text: poll.open ? "Live" : "Closed" }),
        poll.quiz ? h("span", { class: "hc-kind-tag", text: "Quiz" }) : null,
        h("strong", { text: poll.question }),
      ),
      h("ol", { class: "hc-poll-bars", attrs: { "aria-label": "Results" } }),
      h("p", { class: "hc-poll-total muted hc-small" }),
      poll.open ? close : h("p", { class: "muted hc-small", text: "Final results. Open a new poll below." }),
    );
  }

  private pollBars(poll: PollView): HTMLElement[] {
    const total = poll.counts.reduce((sum, value) => sum + value, 0);
    const correct =
      poll.correct_option ?? (this.quizAnswer?.question === poll.question ? this.quizAnswer.option : null);
    const leader = Math.max(0, ...poll.counts);
    return poll.options.map((option, index) => {
      const votes = poll.counts[index] ?? 0;
      const share = total > 0 ? Math.round((votes / total) * 100) : 0;
      const isCorrect = poll.quiz && correct === index;
      const classes = ["hc-poll-bar", isCorrect ? "is-correct" : "", votes === leader && total > 0 ? "is-leading" : ""];
      return h(
        "li",
        { class: classes.filter(Boolean).join(" "), dataset: { option: String(index), votes: String(votes) } },
        h("span", { class: "hc-poll-bar-fill", attrs: { style: `width: ${share}%` } }),
        h(
          "span",
          { class: "hc-poll-bar-label" },
          option,
          isCorrect ? h("span", { class: "hc-correct-tag", text: "✓ correct" }) : null,
        ),
        h("span", { class: "hc-poll-bar-count", text: `${share}% · ${count(votes)}` }),
      );
    });
  }

  // --- contest ------------------------------------------------------------------------------

  private openContest(): void {
    const input = byId<HTMLInputElement>("contest-title");
    const title = input.value.trim();
    if (!title) return;
    const submit = this.contestForm.querySelector<HTMLButtonElement>("button[type=submit]");
    this.ctx.actions.run(
      { action: "open_contest", title },
      {
        buttons: submit ? [submit] : [],
        onAck: () => {
          input.value = "";
          this.drawDetail = "";
        },
      },
    );
  }

  private renderContest(): void {
    const contest = this.ctx.state.contest;
    const body = document.body.dataset;
    if (contest) {
      body.contestId = contest.contest_id;
      body.contestState = contest.open ? "open" : "drawn";
    } else {
      delete body.contestId;
      delete body.contestState;
    }
    this.contestForm.hidden = contest?.open === true;
    this.contestView.hidden = contest === null;
    if (!contest) {
      this.contestView.replaceChildren();
      delete this.contestView.dataset.shell;
      return;
    }
    const shell = `${contest.contest_id}:${contest.open}:${contest.winner_id ?? ""}:${this.drawDetail}`;
    if (this.contestView.dataset.shell !== shell) {
      this.contestView.dataset.shell = shell;
      this.contestView.replaceChildren(...this.contestShell(contest));
    }
    const entrants = this.contestView.querySelector(".hc-contest-entrants");
    entrants?.replaceChildren(
      h("strong", { text: count(contest.entrant_count) }),
      ` ${contest.entrant_count === 1 ? "entrant" : "entrants"}`,
    );
    const draw = this.contestView.querySelector<HTMLButtonElement>(".hc-draw-button");
    if (draw && !draw.hasAttribute("aria-busy")) draw.disabled = contest.entrant_count === 0;
    const hint = this.contestView.querySelector<HTMLElement>(".hc-draw-hint");
    if (hint) hint.hidden = contest.entrant_count > 0;
  }

  private contestShell(contest: ContestView): HTMLElement[] {
    const heading = h(
      "p",
      { class: "hc-poll-question" },
      h("span", { class: `hc-state-tag ${contest.open ? "is-open" : ""}`, text: contest.open ? "Open" : "Drawn" }),
      h("strong", { text: contest.title }),
    );
    const entrants = h("p", { class: "hc-contest-entrants" });
    if (contest.open) {
      const draw = button(
        "Draw a winner",
        () =>
          this.ctx.actions.run(
            { action: "draw_contest", contest_id: contest.contest_id },
            {
              buttons: [draw],
              onAck: (ack) => {
                this.drawDetail = ack.detail;
                this.ctx.refresh();
              },
            },
          ),
        "hc-draw-button",
      );
      const hint = h("p", {
        class: "hc-draw-hint muted hc-small",
        text: "Viewers enter from the viewer page: the draw needs at least one entrant.",
      });
      return [heading, entrants, draw, hint];
    }
    const winner = h(
      "div",
      { class: "hc-winner", dataset: { winnerId: contest.winner_id ?? "" } },
      h("span", { class: "hc-winner-label", text: contest.winner_name ? "Winner" : "No winner" }),
      h("strong", { class: "hc-winner-name", text: contest.winner_name ?? "nobody entered" }),
    );
    // The ack says "winner: … (seed N)": the seed is what makes the draw checkable.
    const drawnSeed = /seed (\d+)/.exec(this.drawDetail)?.[1];
    const seed = h("p", {
      class: "muted hc-small",
      text: drawnSeed
        ? `Seed ${drawnSeed} is recorded in the show's event log: re-running the draw with it names the same winner.`
        : "The draw's seed is recorded in the show's event log: re-running the draw names the same winner.",
    });
    return [heading, entrants, winner, seed];
  }
}
