/**
 * Viewer page: the live video with the show room over it (chat, reactions, the pinned message,
 * the featured product, polls and contests), mobile first.
 *
 * Each part degrades on its own: no API means no show details but the video and the chat still
 * work; no stream means the room still runs. The IVS player (most of the page's weight) loads
 * after the room is on screen. Nothing from the server is ever parsed as HTML.
 *
 * Test contract (on <body>): data-config-state, data-show-state (loading|ready|none|error),
 * data-show-id, data-player-state, data-player-error, data-socket-state, data-room-state
 * (waiting|joined), data-show-status, data-viewer-count, data-featured-sku, data-poll-id,
 * data-notice (banned|reconnecting|muted|none); and the shop's (viewer/shop.ts).
 */
import { ShowsApi, type Show } from "./api";
import { deviceType, trafficSource, viewerId } from "./audience";
import type { VitrineConfig } from "./config";
import { applyBrand, byId } from "./dom";
import type { PlayerStateName, PlayerTrouble } from "./player";
import type { ErrorFrame, NoticeFrame, SnapshotFrame, Update, ViewerAction } from "./protocol";
import { webSocketUrl } from "./socket";
import { ChatView, renderPinned } from "./viewer/chat";
import { Composer } from "./viewer/composer";
import { ContestCard } from "./viewer/contest";
import { mark } from "./viewer/el";
import { RoomNotice } from "./viewer/notices";
import { PollCard } from "./viewer/poll";
import { FeaturedProduct } from "./viewer/product-card";
import { Bursts, ReactionBatcher } from "./viewer/reactions";
import { Room } from "./viewer/room";
import { Shop } from "./viewer/shop";
import { ShowState } from "./viewer/show-state";
import { loadViewerConfig, type ViewerConfig } from "./viewer/site-config";
import { displayName, isBanned, rememberBan, storage } from "./viewer/storage";

const body = document.body;
const PLAYER_DELAY_MS = 1_500;
const compactNumber = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

function showNotice(text: string): void {
  const element = byId("show-notice");
  element.textContent = text;
  element.hidden = text === "";
}

/** Everything the room's frames change on the page. */
class ViewerPage {
  readonly chat = new ChatView(byId("chat"), byId<HTMLButtonElement>("new-messages"));
  readonly shop = new Shop();
  readonly featured = new FeaturedProduct(byId("product-card"), this.shop.catalog, (sku) => this.shop.addToCart(sku));
  readonly poll = new PollCard(byId("poll-card"), (poll_id, option) =>
    this.send({ action: "answer_poll", poll_id, option, ref: `poll:${poll_id}` }),
  );
  readonly contest = new ContestCard(byId("contest-card"), (contest_id) =>
    this.send({ action: "enter_contest", contest_id, ref: `contest:${contest_id}` }),
  );
  readonly bursts = new Bursts(byId("bursts"));
  readonly reactions = new ReactionBatcher((reaction, count) => this.send({ action: "react", reaction, count }));
  readonly notice = new RoomNotice(byId("room-notice"));
  readonly showState = new ShowState(byId("show-state"));
  readonly composer: Composer;
  room: Room | null = null;
  showId = "";
  private firstSnapshot: () => void = () => {};
  private readonly snapshotShown = new Promise<void>((resolve) => (this.firstSnapshot = resolve));

  constructor() {
    this.composer = new Composer(
      {
        form: byId<HTMLFormElement>("composer"),
        input: byId<HTMLInputElement>("message"),
        ask: byId<HTMLButtonElement>("ask-toggle"),
        send: byId<HTMLButtonElement>("send"),
        hint: byId("composer-hint"),
        nameSheet: byId<HTMLDialogElement>("name-sheet"),
        nameForm: byId<HTMLFormElement>("name-form"),
        nameInput: byId<HTMLInputElement>("display-name"),
        nameError: byId("name-error"),
      },
      (frame) => this.send(frame),
      (name) => this.room?.rename(name),
    );
    this.notice.onChange = () => this.updateComposer();
    this.showState.onChange = (status) => {
      byId("live-badge").hidden = status !== "live";
      this.shop.setStatus(status);
      this.updateComposer();
    };
    this.featured.selling = () => this.shop.selling;
    this.shop.onSellingChange = () => this.featured.refresh();
    byId("like").addEventListener("click", () => {
      this.reactions.tap();
      this.bursts.float("like");
    });
    const sheet = byId<HTMLDialogElement>("products");
    byId("shop-button").addEventListener("click", () => sheet.showModal());
    sheet.querySelector("[data-close]")?.addEventListener("click", () => sheet.close());
    sheet.addEventListener("click", (event) => {
      if (event.target === sheet) sheet.close();
    });
  }

  /** Resolves once the first snapshot is painted, or after `maxWaitMs`. */
  roomShown(maxWaitMs: number): Promise<void> {
    const timeout = new Promise<void>((resolve) => window.setTimeout(resolve, maxWaitMs));
    return Promise.race([this.snapshotShown, timeout]);
  }

  send(frame: ViewerAction): boolean {
    return this.room?.send(frame) ?? false;
  }

  showDetails(show: Show): void {
    byId("show-title").textContent = show.title;
    byId("show-host").textContent = show.host_name ? `with ${show.host_name}` : "";
    byId("show-description").textContent = show.description;
    this.shop.showLoaded(show);
    byId("shop-count").textContent = String(show.products.length);
    byId("shop-button").setAttribute("aria-label", `Shop the ${show.products.length} products of this show`);
    byId("shop-button").hidden = show.products.length === 0;
    this.showState.setDetails(show, show.products);
    if (this.showState.status === null) this.showState.setStatus(show.status);
  }

  joinRoom(url: URL, showId: string): void {
    this.showId = showId;
    this.room = new Room(url, {
      snapshot: (frame) => this.applySnapshot(frame),
      updates: (frame) => frame.updates.forEach((update) => this.apply(update)),
      error: (frame) => this.refused(frame),
      ack: (frame) => {
        this.composer.acknowledged(frame.ref);
        if (frame.ref === "set_name") this.composer.joined(); // a message held for the name goes now
        if (frame.ref?.startsWith("poll:")) this.poll.answered(frame.ref.slice(5), null);
        if (frame.ref?.startsWith("contest:")) this.contest.entered(frame.ref.slice(8));
      },
      notice: (frame) => this.applyNotice(frame),
      connection: (state) => this.notice.setReconnecting(state === "closed"),
    });
    if (isBanned(showId)) {
      this.banned();
      return;
    }
    this.room.connect(displayName());
  }

  private applySnapshot(frame: SnapshotFrame): void {
    const { show, you } = frame;
    this.chat.viewerId = you.viewer_id;
    this.contest.viewerId = you.viewer_id;
    this.composer.isStaff = you.role !== "viewer";
    this.composer.slowModeSeconds = frame.slow_mode_seconds;
    this.showState.setDetails(show);
    if (byId("show-title").textContent === "Loading the show…") byId("show-title").textContent = show.title;
    this.showState.setStatus(show.status);
    this.setViewers(frame.viewers);
    this.notice.setMuted(you.muted_until ? new Date(you.muted_until) : null);
    this.chat.reset(frame.messages);
    renderPinned(byId("pinned"), frame.pinned);
    this.featured.fromSnapshot(frame.featured);
    this.shop.promo(frame.promo);
    this.poll.update(frame.poll);
    this.contest.update(frame.contest);
    this.composer.joined();
    requestAnimationFrame(() => window.setTimeout(this.firstSnapshot, 0)); // after that paint
  }

  private apply(update: Update): void {
    switch (update.kind) {
      case "message":
        this.chat.add(update.message);
        break;
      case "message_deleted":
        this.chat.remove(update.message_id);
        if (byId("pinned").dataset.messageId === update.message_id) renderPinned(byId("pinned"), null);
        break;
      case "pinned":
        renderPinned(byId("pinned"), update.message);
        break;
      case "reactions":
        for (const [reaction, count] of Object.entries(update.counts)) {
          if (count) this.bursts.burst(reaction as keyof typeof update.counts, count);
        }
        break;
      case "featured":
        this.featured.fromUpdate(update.product);
        break;
      case "poll":
        this.poll.update(update.poll);
        break;
      case "contest":
        this.contest.update(update.contest);
        break;
      case "show":
        this.showState.setStatus(update.status);
        break;
      case "viewers":
        this.setViewers(update.count);
        break;
      case "slow_mode":
        this.composer.slowModeSeconds = update.seconds;
        break;
      case "promo":
        this.shop.promo(update.promo);
        break;
      case "stock":
        this.shop.stock(update);
        break;
      case "chapter":
        break; // chapters matter to the replay, not to the live page
    }
  }

  private refused(frame: ErrorFrame): void {
    if (frame.error === "banned") return this.banned();
    if (frame.error === "muted") {
      const until = frame.retry_after_seconds ? new Date(Date.now() + frame.retry_after_seconds * 1000) : null;
      if (until) this.notice.setMuted(until);
    }
    if (frame.ref === "set_name") return this.composer.nameRefused(frame.detail);
    if (this.composer.refused(frame)) return;
    const ref = frame.ref ?? "";
    // "conflict": answered or entered already (from another tab, before a reload): keep it.
    if (ref.startsWith("poll:")) {
      if (frame.error === "conflict") this.poll.answered(ref.slice(5), null);
      else this.poll.refused(ref.slice(5));
    } else if (ref.startsWith("contest:")) {
      if (frame.error === "conflict") this.contest.entered(ref.slice(8));
      else this.contest.refused(ref.slice(8));
    }
  }

  private applyNotice(frame: NoticeFrame): void {
    if (frame.notice === "banned") this.banned();
    else if (frame.notice === "muted") this.notice.setMuted(frame.until ? new Date(frame.until) : new Date(Date.now() + 5 * 60_000));
    else this.notice.setMuted(null);
  }

  /** The server closes a banned viewer's socket and refuses them: stop knocking. */
  private banned(): void {
    rememberBan(this.showId);
    this.room?.stop();
    this.notice.setBanned();
  }

  private setViewers(count: number): void {
    mark("viewerCount", count);
    const pill = byId("viewer-count");
    byId("viewer-count-value").textContent = compactNumber.format(count);
    pill.setAttribute("aria-label", `${count} watching`);
    pill.hidden = false;
  }

  private updateComposer(): void {
    const kind = this.notice.kind;
    const status = this.showState.status;
    let reason = "";
    if (kind === "banned") reason = "The chat is closed to you";
    else if (kind === "muted") reason = "You are muted for now";
    else if (status !== null && status !== "live" && status !== "scheduled") reason = "The chat is closed";
    this.composer.setClosed(reason);
  }
}

async function startPlayer(config: VitrineConfig, page: ViewerPage): Promise<void> {
  const message = byId("player-message");
  const sound = byId<HTMLButtonElement>("unmute");
  const video = byId<HTMLVideoElement>("video");
  // A vertical stream (a host filming on a phone) fills a phone screen; a landscape one fits.
  video.addEventListener("resize", () => {
    byId("video").parentElement?.classList.toggle("portrait", video.videoHeight > video.videoWidth);
  });
  const { startLivePlayer } = await import("./player");
  const live = startLivePlayer({
    video,
    streamUrl: config.playbackUrl,
    onStateChange(state: PlayerStateName) {
      if (state === "Playing") message.textContent = "";
      else if (state === "Buffering") message.textContent = "Loading the video…";
      else if (state === "Ended") message.textContent = "";
    },
    onError(trouble: PlayerTrouble, willRetry: boolean) {
      const status = page.showState.status;
      if (trouble === "not_live") {
        // Before and after the show the panel says it all; a live show is about to appear.
        message.textContent = status === "live" ? "The video starts in a moment…" : "";
      } else {
        message.textContent = willRetry ? "The video is interrupted. Reconnecting…" : "The video cannot be played.";
      }
    },
    onMutedChange(muted: boolean) {
      sound.setAttribute("aria-pressed", String(!muted));
      sound.classList.toggle("sound-on", !muted);
    },
    onMetadata: (text: string) => page.featured.fromCue(text),
  });
  if (!live) {
    message.textContent = "The live video cannot be played in this browser.";
    return;
  }
  sound.hidden = false;
  sound.addEventListener("click", () => live.setMuted(!live.player.isMuted()));
  page.featured.behindLiveMs = () => (live.player.isPaused() ? null : live.player.getLiveLatency() * 1000);
}

async function loadShow(config: VitrineConfig, requested: string | null, page: ViewerPage): Promise<string | null> {
  const api = new ShowsApi(config.apiUrl);
  try {
    const show = requested ? await api.getShow(requested) : await api.defaultShow();
    if (!show) {
      body.dataset.showState = "none";
      byId("show-title").textContent = "No show right now";
      showNotice("Come back soon: the next live will appear here.");
      return null;
    }
    page.showDetails(show);
    document.title = `${show.title} · ${config.brandName}`;
    body.dataset.showState = "ready";
    return show.show_id;
  } catch (error) {
    console.warn("[vitrine] show details unavailable", error);
    body.dataset.showState = "error";
    if (byId("show-title").textContent === "Loading the show…") byId("show-title").textContent = "Live show";
    if (!requested) showNotice("The show details are unavailable right now.");
    return requested;
  }
}

function roomUrl(config: VitrineConfig, showId: string): URL | null {
  let url: URL;
  try {
    url = webSocketUrl(config.websocketUrl);
  } catch {
    console.error("[vitrine] invalid websocketUrl", config.websocketUrl);
    return null;
  }
  url.searchParams.set("show", showId);
  url.searchParams.set("viewer", viewerId(storage()));
  url.searchParams.set("device", deviceType());
  url.searchParams.set("source", trafficSource());
  return url;
}

function join({ config, allowedOrigins }: ViewerConfig, page: ViewerPage, showId: string): void {
  body.dataset.showId = showId;
  const url = roomUrl(config, showId);
  if (url) page.joinRoom(url, showId);
  else body.dataset.socketState = "closed";
  const viewer = { showId, viewerId: viewerId(storage()), trafficSource: trafficSource() };
  page.shop.start({ apiUrl: config.apiUrl, allowedOrigins, viewer }, new URLSearchParams(location.search));
  page.showState.setCalendar(new ShowsApi(config.apiUrl).calendarLinks(showId, viewer.viewerId, viewer.trafficSource));
}

async function main(): Promise<void> {
  const page = new ViewerPage();
  let settings: ViewerConfig;
  try {
    settings = await loadViewerConfig();
  } catch (error) {
    console.error("[vitrine]", error);
    body.dataset.configState = "error";
    body.dataset.showState = "error";
    byId("show-title").textContent = "This page is not set up yet";
    showNotice("The site configuration could not be loaded.");
    return;
  }
  body.dataset.configState = "ready";
  const { config } = settings;
  applyBrand(config.brandName, "Live");

  // A shared link names its show: the room connects while the show's details load.
  const requested = new URLSearchParams(location.search).get("show");
  if (requested) join(settings, page, requested);
  const shown = loadShow(config, requested, page);
  // The player (most of the page's weight and start-up work) starts once the room is on
  // screen, or after PLAYER_DELAY_MS at the latest: the page is usable before the video plays.
  void page.roomShown(PLAYER_DELAY_MS).then(() =>
    startPlayer(config, page).catch((error: unknown) => {
      console.error("[vitrine] the player failed to load", error);
      byId("player-message").textContent = "The live video cannot be played right now.";
    }),
  );
  const showId = await shown;
  if (!requested) {
    if (showId) join(settings, page, showId);
    else body.dataset.socketState = "closed";
  }
}

void main();
