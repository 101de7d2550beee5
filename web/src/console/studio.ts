/** Room settings: slow mode, the viewers muted or banned here, the blocklist, OBS ingest. */
import { byId } from "../dom";
import { confirmAction } from "./confirm";
import type { RoomContext } from "./context";
import { button, clock, h } from "./h";
import { IngestError, type IngestDetails } from "./ingest";
import { canDo } from "./roles";

export const SLOW_MODE_CHOICES = [0, 5, 10, 30, 60] as const;
const MAX_WORDS = 500;
const MAX_WORD_LENGTH = 40;

/**
 * The encoder settings as the Studio tab shows them. Test contract: `data-ingest-state` on
 * #ingest (not-allowed|loading|ready|error).
 */
type IngestView =
  | { state: "idle" | "loading" }
  | { state: "ready"; details: IngestDetails }
  | { state: "error"; message: string };

export class StudioPanel {
  private readonly slowMode = byId("slow-mode");
  private shownBlocklist: string[] | null = null;
  private ingest: IngestView = { state: "idle" };

  constructor(
    private readonly ctx: RoomContext,
    /** GET /studio/ingest with a valid staff token (hosts and admins only). */
    private readonly loadIngest: () => Promise<IngestDetails>,
  ) {
    this.slowMode.replaceChildren(...SLOW_MODE_CHOICES.map((seconds) => this.slowModeButton(seconds)));
    this.wireBlocklist();
  }

  render(): void {
    const role = this.ctx.role();
    const current = this.ctx.state.slowModeSeconds;
    if (!SLOW_MODE_CHOICES.includes(current as (typeof SLOW_MODE_CHOICES)[number])) {
      // A value set elsewhere (the API allows up to 300 s) is shown as it is.
      if (!this.slowMode.querySelector(`[data-seconds="${current}"]`)) {
        this.slowMode.querySelector("[data-custom]")?.remove();
        const custom = this.slowModeButton(current);
        custom.dataset.custom = "";
        this.slowMode.append(custom);
      }
    }
    for (const choice of this.slowMode.querySelectorAll<HTMLButtonElement>("button")) {
      choice.setAttribute("aria-pressed", String(Number(choice.dataset.seconds) === current));
    }
    byId("blocklist-card").hidden = !canDo(role, "set_blocklist");
    const saved = this.ctx.state.blocklist;
    if (saved && saved !== this.shownBlocklist) {
      // A new list from the server (a snapshot): edits in progress are only replaced then.
      byId<HTMLTextAreaElement>("blocklist-words").value = saved.join("\n");
      this.shownBlocklist = saved;
    }
    this.renderModerated();
    this.renderIngest(canDo(role, "arm_show"));
  }

  private slowModeButton(seconds: number): HTMLButtonElement {
    const label = seconds === 0 ? "Off" : `${seconds} s`;
    const choice = button(
      label,
      () => {
        if (seconds === this.ctx.state.slowModeSeconds) return;
        this.ctx.actions.run(
          { action: "set_slow_mode", seconds },
          {
            buttons: [choice],
            done: seconds === 0 ? "Slow mode off" : `Slow mode: one message every ${seconds} s`,
          },
        );
      },
      "hc-segment",
    );
    choice.dataset.seconds = String(seconds);
    choice.setAttribute("aria-pressed", "false");
    return choice;
  }

  // --- muted and banned -------------------------------------------------------------------

  private renderModerated(): void {
    const entries = [...this.ctx.moderated.values()].filter(
      (entry) => entry.banned || (entry.mutedUntil !== null && entry.mutedUntil > Date.now()),
    );
    byId("moderated-card").hidden = entries.length === 0;
    byId("moderated-list").replaceChildren(
      ...entries.map((entry) => {
        const release = entry.banned
          ? button("Unban", () => this.release(entry.viewerId, "unban_viewer", release), "hc-chip")
          : button("Unmute", () => this.release(entry.viewerId, "unmute_viewer", release), "hc-chip");
        const status = entry.banned
          ? "banned"
          : `muted until ${clock(new Date(entry.mutedUntil ?? 0).toISOString())}`;
        return h(
          "li",
          { dataset: { viewerId: entry.viewerId } },
          h("span", {}, h("strong", { text: entry.name }), " ", h("span", { class: "muted hc-small", text: status })),
          release,
        );
      }),
    );
  }

  private release(viewerId: string, action: "unban_viewer" | "unmute_viewer", origin: HTMLButtonElement): void {
    const entry = this.ctx.moderated.get(viewerId);
    this.ctx.actions.run(
      { action, viewer_id: viewerId },
      {
        buttons: [origin],
        done: `${entry?.name ?? viewerId} ${action === "unban_viewer" ? "unbanned" : "unmuted"}`,
        onAck: () => {
          if (entry && action === "unban_viewer") entry.banned = false;
          if (entry && action === "unmute_viewer") entry.mutedUntil = null;
          this.ctx.refresh();
        },
      },
    );
  }

  // --- blocklist --------------------------------------------------------------------------

  private wireBlocklist(): void {
    const form = byId<HTMLFormElement>("blocklist-form");
    const text = byId<HTMLTextAreaElement>("blocklist-words");
    const submit = form.querySelector<HTMLButtonElement>("button[type=submit]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const parsed = parseBlocklist(text.value);
      if (typeof parsed === "string") {
        this.ctx.toasts.show(parsed, { kind: "error" });
        return;
      }
      if (parsed.length === 0) {
        const sure = await confirmAction(
          "Clear the blocklist?",
          "No word will be blocked in any show of the brand.",
          "Clear blocklist",
        );
        if (!sure) return;
      }
      this.ctx.actions.run(
        { action: "set_blocklist", words: parsed },
        {
          buttons: submit ? [submit] : [],
          onAck: () => {
            text.value = parsed.join("\n");
            this.ctx.state.blocklist = this.shownBlocklist = parsed;
          },
        },
      );
    });
  }

  // --- OBS ingest -------------------------------------------------------------------------

  private renderIngest(mayStream: boolean): void {
    // Asked once per opened show, when a host or an admin first sees the room.
    if (mayStream && this.ingest.state === "idle") void this.fetchIngest();
    const box = byId("ingest");
    const state = mayStream ? this.ingest.state : "not-allowed";
    if (box.dataset.ingestState === state) return;
    box.dataset.ingestState = state;
    const view = this.ingest;
    if (!mayStream) {
      box.replaceChildren(
        h("p", { class: "muted hc-small", text: "The host or an admin holds the stream key: ask them for OBS settings." }),
      );
    } else if (view.state === "ready") {
      box.replaceChildren(
        copyField("Server", view.details.server, false),
        copyField("Stream key", view.details.streamKey, true),
        h("p", { class: "muted hc-small", text: "OBS → Settings → Stream → Service: Custom. A phone app: the server is its URL, the key its stream name. Keep the key secret: it lets anyone broadcast here." }),
        h("p", { class: "muted hc-small", text: "Arm the show, then Start Streaming: the show goes live with the stream." }),
      );
    } else if (view.state === "error") {
      box.replaceChildren(
        h("p", { class: "error hc-small", text: view.message, attrs: { role: "alert" } }),
        button("Try again", () => void this.fetchIngest(), "hc-chip"),
      );
    } else {
      box.replaceChildren(h("p", { class: "muted hc-small", text: "Loading the stream settings…" }));
    }
  }

  private async fetchIngest(): Promise<void> {
    if (this.ingest.state === "loading") return;
    this.ingest = { state: "loading" }; // before the first await: a render sees it at once
    this.ctx.refresh();
    try {
      this.ingest = { state: "ready", details: await this.loadIngest() };
    } catch (error) {
      if (!(error instanceof IngestError)) console.warn("[vitrine] stream settings", error);
      const message = error instanceof Error ? error.message : "The stream settings are unavailable.";
      this.ingest = { state: "error", message };
    }
    this.ctx.refresh();
  }
}

/** The words of the textarea, one per line, or why they cannot be saved. */
export function parseBlocklist(text: string): string[] | string {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const line of text.split("\n")) {
    const word = line.trim();
    if (!word || seen.has(word.toLowerCase())) continue;
    if (word.length > MAX_WORD_LENGTH) return `“${word.slice(0, 20)}…” is longer than ${MAX_WORD_LENGTH} characters`;
    seen.add(word.toLowerCase());
    words.push(word);
  }
  if (words.length > MAX_WORDS) return `At most ${MAX_WORDS} words (${words.length} given)`;
  return words;
}

/** A read-only value with a Copy button; a secret one is masked until shown. */
function copyField(label: string, value: string, secret: boolean): HTMLElement {
  const field = h("input", {
    class: "hc-copy-value",
    attrs: { readonly: "", "aria-label": label, spellcheck: "false", autocomplete: "off" },
  });
  field.value = value;
  if (secret) field.type = "password";
  const copy = button(
    "Copy",
    async () => {
      try {
        await navigator.clipboard.writeText(value);
        copy.textContent = "Copied";
      } catch {
        // No clipboard outside a secure context: leave the text selected for a manual copy.
        field.type = "text";
        field.select();
        copy.textContent = "Selected";
      }
      window.setTimeout(() => (copy.textContent = "Copy"), 1_500);
    },
    "hc-chip",
  );
  const row = h("div", { class: "hc-copy-row" }, field, copy);
  if (secret) {
    const reveal = button("Show", () => {
      const hidden = field.type === "password";
      field.type = hidden ? "text" : "password";
      reveal.textContent = hidden ? "Hide" : "Show";
    }, "hc-chip");
    row.insertBefore(reveal, copy);
  }
  return h("div", { class: "hc-copy-field" }, h("span", { class: "hc-copy-label hc-small", text: label }), row);
}
