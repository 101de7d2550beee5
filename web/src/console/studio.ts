/** Room settings: slow mode, the viewers muted or banned here, the blocklist, OBS ingest. */
import { byId } from "../dom";
import { confirmAction } from "./confirm";
import type { RoomContext } from "./context";
import { button, clock, h } from "./h";
import { canDo } from "./roles";

export const SLOW_MODE_CHOICES = [0, 5, 10, 30, 60] as const;
const MAX_WORDS = 500;
const MAX_WORD_LENGTH = 40;

/** Where OBS publishes: the RTMPS server and the stream key, when the deployment provides them. */
export interface IngestDetails {
  server: string;
  streamKey: string;
}

export class StudioPanel {
  private readonly slowMode = byId("slow-mode");
  private shownBlocklist: string[] | null = null;

  constructor(
    private readonly ctx: RoomContext,
    private readonly ingest: IngestDetails | null,
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
    const box = byId("ingest");
    const state = `${mayStream}`;
    if (box.dataset.rendered === state) return;
    box.dataset.rendered = state;
    if (!mayStream) {
      box.replaceChildren(
        h("p", { class: "muted hc-small", text: "The host or an admin holds the stream key: ask them for OBS settings." }),
      );
      return;
    }
    if (this.ingest) {
      box.replaceChildren(
        copyField("Server", this.ingest.server, false),
        copyField("Stream key", this.ingest.streamKey, true),
        h("p", { class: "muted hc-small", text: "OBS → Settings → Stream → Service: Custom. Arm the show, then Start Streaming." }),
      );
      return;
    }
    // config.json carries no ingest settings yet: say where they are.
    const output = (key: string): string =>
      `aws cloudformation describe-stacks --stack-name VitrineStack --query "Stacks[0].Outputs[?OutputKey=='${key}'].OutputValue" --output text`;
    box.replaceChildren(
      h("p", { class: "hc-small", text: "OBS → Settings → Stream → Service: Custom, then fill in Server and Stream key." }),
      h(
        "p",
        { class: "hc-small" },
        h("strong", { text: "Server: " }),
        h("code", { text: "rtmps://<IngestEndpoint>:443/app/" }),
        ", where IngestEndpoint is a stack output:",
      ),
      copyField("Command: ingest endpoint", output("IngestEndpoint"), false),
      copyField(
        "Command: stream key",
        `aws ivs get-stream-key --arn "$(${output("StreamKeyArn")})" --query streamKey.value --output text`,
        false,
      ),
      h(
        "p",
        { class: "muted hc-small" },
        "Local runtime: ",
        h("code", { text: "make dev ARGS='--source rtmp'" }),
        " prints its RTMP ingest URL: the server is everything up to /app, the stream key is the rest.",
      ),
      h("p", { class: "muted hc-small", text: "Arm the show first, then Start Streaming in OBS: the show goes live with the stream." }),
    );
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
  const field = h("input", { class: "hc-copy-value", attrs: { readonly: "", "aria-label": label, spellcheck: "false" } });
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
