/**
 * Viewer page: the live video, the show and its products, and the show's WebSocket.
 *
 * Each part degrades on its own: no API means no show details but the video still plays;
 * no stream means the show details still render.
 * Test contract (on <body>): data-config-state, data-show-state (loading|ready|none|error),
 * data-show-id, data-player-state, data-player-error, data-socket-state.
 */
import { ErrorType, PlayerState } from "amazon-ivs-player";
import { ShowsApi, type Product, type Show } from "./api";
import { deviceType, trafficSource, viewerId } from "./audience";
import { loadConfig, type VitrineConfig } from "./config";
import { applyBrand, byId, formatPrice, safeHttpUrl, safeImageUrl } from "./dom";
import { startLivePlayer } from "./player";
import { ShowSocket, webSocketUrl } from "./socket";

const body = document.body;

function notice(text: string): void {
  const element = byId("show-notice");
  element.textContent = text;
  element.hidden = text === "";
}

function startPlayer(config: VitrineConfig): void {
  const message = byId("player-message");
  const unmute = byId<HTMLButtonElement>("unmute");
  const live = startLivePlayer({
    video: byId<HTMLVideoElement>("video"),
    streamUrl: config.playbackUrl,
    onStateChange(state) {
      byId("live-badge").hidden = state !== PlayerState.PLAYING;
      if (state === PlayerState.PLAYING) message.textContent = "";
      else if (state === PlayerState.BUFFERING) message.textContent = "Loading the video…";
      else if (state === PlayerState.ENDED) message.textContent = "The live has ended.";
    },
    onError(error, willRetry) {
      if (error.type === ErrorType.NOT_AVAILABLE) {
        message.textContent = "The live has not started yet. It will appear here automatically.";
      } else {
        message.textContent = willRetry
          ? "The video is interrupted. Reconnecting…"
          : "The video cannot be played.";
      }
    },
    onMutedChange(muted) {
      unmute.textContent = muted ? "Unmute" : "Mute";
    },
  });
  if (!live) {
    message.textContent = "The live video cannot be played here.";
    return;
  }
  unmute.hidden = false;
  unmute.addEventListener("click", () => live.setMuted(!live.player.isMuted()));
}

function productItem(product: Product): HTMLLIElement {
  const item = document.createElement("li");
  item.className = "product";
  item.dataset.sku = product.sku;

  const imageUrl = safeImageUrl(product.image_url);
  const image = document.createElement(imageUrl ? "img" : "div");
  image.className = "product-image";
  if (image instanceof HTMLImageElement && imageUrl) {
    image.src = imageUrl;
    image.alt = "";
    image.loading = "lazy";
    image.width = 96;
    image.height = 96;
  }

  const text = document.createElement("div");
  const name = document.createElement("h3");
  name.textContent = product.name;
  const price = document.createElement("p");
  price.className = "price";
  price.textContent = formatPrice(product.price, product.currency);
  text.append(name, price);
  if (!product.in_stock) {
    const soldOut = document.createElement("p");
    soldOut.className = "sold-out";
    soldOut.textContent = "Sold out";
    text.append(soldOut);
  }
  const link = safeHttpUrl(product.product_url);
  if (link) {
    const anchor = document.createElement("a");
    anchor.href = link;
    anchor.target = "_blank";
    anchor.rel = "noopener";
    anchor.textContent = "View product";
    anchor.setAttribute("aria-label", `View ${product.name}`);
    text.append(anchor);
  }
  item.append(image, text);
  return item;
}

function renderShow(show: Show, brandName: string): void {
  byId("show-title").textContent = show.title;
  byId("show-host").textContent = show.host_name ? `with ${show.host_name}` : "";
  byId("show-description").textContent = show.description;
  byId("product-list").replaceChildren(...show.products.map(productItem));
  byId("products").hidden = show.products.length === 0;
  document.title = `${show.title} · ${brandName}`;
}

async function loadShow(config: VitrineConfig, requested: string | null): Promise<string | null> {
  const api = new ShowsApi(config.apiUrl);
  try {
    const show = requested ? await api.getShow(requested) : await api.defaultShow();
    if (!show) {
      body.dataset.showState = "none";
      byId("show-title").textContent = "No show right now";
      notice("Come back soon: the next live will appear here.");
      return null;
    }
    renderShow(show, config.brandName);
    body.dataset.showState = "ready";
    return show.show_id;
  } catch (error) {
    console.warn("[vitrine] show details unavailable", error);
    body.dataset.showState = "error";
    byId("show-title").textContent = "Live show";
    notice("The show details are unavailable right now.");
    return requested;
  }
}

function openSocket(config: VitrineConfig, showId: string): void {
  let url: URL;
  try {
    url = webSocketUrl(config.websocketUrl);
  } catch {
    console.error("[vitrine] invalid websocketUrl", config.websocketUrl);
    body.dataset.socketState = "closed";
    return;
  }
  url.searchParams.set("show", showId);
  url.searchParams.set("viewer", viewerId());
  url.searchParams.set("device", deviceType());
  url.searchParams.set("source", trafficSource());
  new ShowSocket({ url: url.href }).start();
}

async function main(): Promise<void> {
  let config: VitrineConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    console.error("[vitrine]", error);
    body.dataset.configState = "error";
    body.dataset.showState = "error";
    byId("show-title").textContent = "This page is not set up yet";
    notice("The site configuration could not be loaded.");
    return;
  }
  body.dataset.configState = "ready";
  applyBrand(config.brandName, "Live");

  startPlayer(config);
  const requested = new URLSearchParams(location.search).get("show");
  const showId = await loadShow(config, requested);
  if (showId) {
    body.dataset.showId = showId;
    openSocket(config, showId);
  } else {
    body.dataset.socketState = "closed";
  }
}

void main();
