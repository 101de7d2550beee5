/**
 * One show's console: the staff WebSocket (join → snapshot → updates), the room state, and the
 * panels that render it. Test contract on <body>: data-room-state (waiting|joined),
 * data-show-status, data-viewer-count, data-featured-sku, data-poll-id (+ data-poll-state),
 * data-contest-id (+ data-contest-state), data-console-tab.
 */
import { ShowsApi, type Show } from "../api";
import { type StaffSession, validSession } from "../cognito";
import type { VitrineConfig } from "../config";
import { byId } from "../dom";
import type { AckFrame, ErrorFrame, NoticeFrame, Role, SnapshotFrame, UpdatesFrame } from "../protocol";
import { ShowSocket, webSocketUrl, type ServerFrame, type SocketState } from "../socket";
import { StaffActions } from "./actions";
import type { CatalogApi } from "./catalog/api";
import { ChatPanel } from "./chat";
import { confirmAction } from "./confirm";
import type { ModeratedViewer, RoomContext } from "./context";
import { EngagePanel } from "./engage";
import { count } from "./h";
import { fetchIngest, IngestError } from "./ingest";
import { PromoPanel } from "./promo";
import { canDo } from "./roles";
import { RundownPanel } from "./rundown";
import { RoomState } from "./state";
import { StudioPanel } from "./studio";
import type { Toasts } from "./toasts";

export type Tab = "chat" | "questions" | "rundown" | "engage" | "studio";

const SOCKET_LABELS: Record<SocketState, string> = {
  connecting: "connecting…",
  open: "connected",
  closed: "reconnecting…",
};

const STATUS_LABELS: Record<string, string> = {
  scheduled: "Scheduled",
  live: "Live",
  ended: "Ended",
  replay_processing: "Replay processing",
  replay_published: "Replay published",
  replay_failed: "Replay failed",
};

/** The clock-driven bits (reaction pulse, "waiting 3 min", mute expiry) refresh this often. */
const TICK_MS = 5_000;

export interface RoomOptions {
  config: VitrineConfig;
  session: StaffSession;
  show: Show;
  toasts: Toasts;
  /** The REST API as this staff member (promo codes to push). */
  api: CatalogApi;
  /** The sign-in can no longer be renewed: the staff member must sign in again. */
  onSignInExpired: () => void;
}

export class ConsoleRoom implements RoomContext {
  readonly state = new RoomState();
  readonly actions: StaffActions;
  readonly toasts: Toasts;
  readonly moderated = new Map<string, ModeratedViewer>();
  private readonly socket: ShowSocket;
  private readonly chat: ChatPanel;
  private readonly rundown: RundownPanel;
  private readonly engage: EngagePanel;
  private readonly studio: StudioPanel;
  private readonly promo: PromoPanel;
  private readonly disposers: (() => void)[] = [];
  private refreshQueued = false;
  /** arm_show was acknowledged: the show goes live when the stream reaches the channel. */
  private armed = false;
  private stopped = false;

  constructor(private readonly options: RoomOptions) {
    this.toasts = options.toasts;
    this.state.status = options.show.status;
    this.socket = new ShowSocket({
      // Each (re)connection signs in with a token valid for a while yet (renewed if needed).
      url: async () => {
        const { config } = this.options;
        const session = await validSession(config.cognitoEndpoint, config.userPoolClientId);
        return session ? this.socketUrl(session) : null;
      },
      onGiveUp: () => this.options.onSignInExpired(),
      onFrame: (frame) => this.receive(frame),
      onStateChange: (state) => this.socketChanged(state),
      // Every (re)connection asks for the room as it is now.
      onOpen: () => this.socket.send({ action: "join" }),
    });
    this.actions = new StaffActions((frame) => this.socket.send(frame), this.toasts);
    this.chat = new ChatPanel(this);
    this.rundown = new RundownPanel(this);
    this.engage = new EngagePanel(this);
    this.promo = new PromoPanel(this, options.api, options.show);
    this.studio = new StudioPanel(this, async () => {
      const { config } = this.options;
      const session = await validSession(config.cognitoEndpoint, config.userPoolClientId);
      if (!session) throw new IngestError("Your sign-in has expired: sign in again to see the stream key.", 401);
      return fetchIngest(config.apiUrl, session.idToken);
    });
    this.wireHeader();
    this.wireTabs();
  }

  start(): void {
    const body = document.body.dataset;
    body.showId = this.options.show.show_id;
    body.roomState = "waiting";
    byId("show-room-heading").textContent = this.options.show.title;
    byId("show-room").hidden = false;
    this.selectTab("chat");
    this.rundown.setProducts(null);
    // One REST call after the other: each one may wake a cold function.
    void this.loadProducts().then(() => {
      if (!this.stopped) this.promo.start();
    });
    this.socket.start();
    const tick = window.setInterval(() => this.refresh(), TICK_MS);
    this.disposers.push(() => window.clearInterval(tick));
    this.refreshNow();
  }

  stop(): void {
    this.stopped = true;
    this.socket.stop();
    this.promo.stop();
    this.actions.abandonAll();
    for (const dispose of this.disposers.splice(0)) dispose();
    this.chat.reset();
    byId("show-room").hidden = true;
    const body = document.body.dataset;
    for (const key of [
      "showId",
      "socketState",
      "roomState",
      "showStatus",
      "viewerCount",
      "featuredSku",
      "pollId",
      "pollState",
      "contestId",
      "contestState",
      "consoleTab",
    ]) {
      delete body[key];
    }
  }

  role(): Role | null {
    const server = this.state.you?.role;
    if (server && server !== "viewer") return server;
    return this.options.session.role;
  }

  /** Coalesced to one render per animation frame: a busy chat sends many frames a second. */
  refresh(): void {
    if (this.refreshQueued || this.stopped) return;
    this.refreshQueued = true;
    requestAnimationFrame(() => {
      this.refreshQueued = false;
      if (!this.stopped) this.refreshNow();
    });
  }

  private refreshNow(): void {
    this.renderHeader();
    this.chat.render();
    this.rundown.render();
    this.engage.render();
    this.promo.render();
    this.studio.render();
  }

  // --- the socket ---------------------------------------------------------------------------

  private socketUrl(session: StaffSession): string {
    const { config, show } = this.options;
    const url = webSocketUrl(config.websocketUrl);
    url.searchParams.set("show", show.show_id);
    url.searchParams.set("viewer", `staff-${session.username}`.replace(/[^A-Za-z0-9_.:#@-]/g, "_"));
    url.searchParams.set("device", "desktop");
    url.searchParams.set("source", "host-console");
    url.searchParams.set("token", session.idToken);
    return url.href;
  }

  private socketChanged(state: SocketState): void {
    byId("socket-label").textContent = SOCKET_LABELS[state];
    if (state !== "open") {
      document.body.dataset.roomState = "waiting";
      this.state.joined = false;
      this.actions.abandonAll();
    }
    this.refresh();
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case "snapshot":
        this.state.applySnapshot(frame as unknown as SnapshotFrame);
        document.body.dataset.roomState = "joined";
        break;
      case "updates": {
        const updates = frame as unknown as UpdatesFrame;
        if (updates.show_id !== this.options.show.show_id) return;
        for (const update of updates.updates) this.state.apply(update);
        break;
      }
      case "ack":
      case "error":
        this.actions.answer(frame as unknown as AckFrame | ErrorFrame);
        break;
      case "notice": {
        const notice = frame as unknown as NoticeFrame;
        this.toasts.show(notice.detail || `Notice: ${notice.notice}`, { kind: "error" });
        break;
      }
      default:
        return; // pong
    }
    this.refresh();
  }

  private async loadProducts(): Promise<void> {
    const api = new ShowsApi(this.options.config.apiUrl);
    try {
      const show = await api.getShow(this.options.show.show_id);
      if (!this.stopped) this.rundown.setProducts(show.products);
    } catch (error) {
      console.warn("[vitrine] cannot load the show's products", error);
      // The show list carried the products too: better than nothing while the API recovers.
      const fallback = this.options.show.products;
      if (!this.stopped) {
        this.rundown.setProducts(fallback.length > 0 ? fallback : null, "The products could not be loaded.");
      }
    }
  }

  // --- header: status, viewers, arm / end -------------------------------------------------

  private wireHeader(): void {
    const arm = byId<HTMLButtonElement>("arm-show");
    const end = byId<HTMLButtonElement>("end-show");
    const onArm = (): void => {
      this.actions.run(
        { action: "arm_show" },
        {
          buttons: [arm],
          onAck: () => {
            this.armed = true;
            this.refresh();
          },
        },
      );
    };
    const onEnd = async (): Promise<void> => {
      const sure = await confirmAction(
        "End the show for everyone?",
        "The stream stops now and viewers see the show as ended. The replay is prepared afterwards. This cannot be undone.",
        "End show",
      );
      if (sure) this.actions.run({ action: "end_show" }, { buttons: [end] });
    };
    const endListener = (): void => void onEnd();
    arm.addEventListener("click", onArm);
    end.addEventListener("click", endListener);
    this.disposers.push(() => {
      arm.removeEventListener("click", onArm);
      end.removeEventListener("click", endListener);
    });
  }

  private renderHeader(): void {
    const { state } = this;
    const body = document.body.dataset;
    const status = state.status ?? "scheduled";
    body.showStatus = status;
    body.viewerCount = String(state.viewers);
    if (state.featured) body.featuredSku = state.featured.sku;
    else delete body.featuredSku;

    const pill = byId("show-status");
    pill.textContent = STATUS_LABELS[status] ?? status;
    pill.dataset.status = status;
    byId("viewer-count").textContent = `${count(state.viewers)} watching`;
    byId("reaction-pulse").textContent = `${count(state.reactionsPerMinute())} ♥/min`;
    const slow = byId("slow-mode-label");
    slow.hidden = state.slowModeSeconds === 0;
    slow.textContent = `slow ${state.slowModeSeconds} s`;

    const mayStream = canDo(this.role(), "arm_show");
    const arm = byId("arm-show");
    arm.hidden = !(mayStream && status === "scheduled");
    arm.textContent = this.armed ? "Re-arm" : "Arm show";
    byId("end-show").hidden = !(mayStream && status === "live");

    const banner = byId("room-banner");
    const socketState = document.body.dataset.socketState;
    const text =
      socketState === "closed"
        ? "Connection lost: reconnecting. Actions are paused."
        : socketState !== "open" || !state.joined
          ? "Joining the room…"
          : status === "scheduled" && mayStream
            ? this.armed
              ? "Armed: start streaming in OBS now. The show goes live when the stream arrives."
              : "Not live yet: arm the show, then start streaming in OBS (Studio tab)."
            : status === "scheduled"
              ? "Not live yet: the host arms the show and starts the stream."
            : status === "ended" || status.startsWith("replay")
              ? "This show has ended: the chat is read-only for viewers."
              : "";
    banner.textContent = text;
    banner.hidden = text === "";
    banner.dataset.tone = socketState === "closed" ? "warning" : "info";
  }

  // --- tabs (phone: one panel at a time; wide screens show several) -----------------------

  private wireTabs(): void {
    for (const tab of document.querySelectorAll<HTMLButtonElement>(".hc-room-tabs [data-tab]")) {
      const onClick = (): void => this.selectTab(tab.dataset.tab as Tab);
      tab.addEventListener("click", onClick);
      this.disposers.push(() => tab.removeEventListener("click", onClick));
    }
  }

  selectTab(tab: Tab): void {
    document.body.dataset.consoleTab = tab;
    for (const button of document.querySelectorAll<HTMLButtonElement>(".hc-room-tabs [data-tab]")) {
      button.setAttribute("aria-selected", String(button.dataset.tab === tab));
    }
    for (const panel of document.querySelectorAll<HTMLElement>(".hc-room-panel")) {
      panel.classList.toggle("is-active", panel.dataset.panel === tab);
    }
    this.refresh();
  }
}
