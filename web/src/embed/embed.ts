/**
 * /embed.js: the one-line embed for a brand's own pages (docs/embed.md).
 *
 *   <script src="https://live.example.com/embed.js" data-vitrine-show="spring-drop" async></script>
 *
 * Mounts the show's viewer page in an iframe sized for a phone (9:16, at most 420 px wide) where
 * the tag is, and relays the page's events: the iframe's messages are read only from the
 * Vitrine origin this script came from, and dispatched as DOM events (`vitrine:add-to-cart`,
 * …) that bubble from the embed's element; `Vitrine.send(type, data)` talks back, to the
 * Vitrine origin only. A classic script (no module): it runs on any page, from any origin.
 */
import type { CheckoutData, Embed, InType, OutType, VitrineGlobal } from "./messages";

const OUT_TYPES: readonly OutType[] = ["vitrine:ready", "vitrine:add-to-cart", "vitrine:cart-sync", "vitrine:checkout"];
const DEFAULT_MAX_WIDTH = 420;

/** This very script tag: the one running, else the first embed tag not mounted yet. */
function ownTag(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.vitrineShow) return current;
  return document.querySelector<HTMLScriptElement>("script[data-vitrine-show]:not([data-vitrine-mounted])");
}

function global(): VitrineGlobal {
  const existing = window.Vitrine;
  if (existing) return existing;
  const created: VitrineGlobal = {
    embeds: [],
    send(type, data) {
      for (const embed of created.embeds) embed.send(type, data);
    },
  };
  window.Vitrine = created;
  return created;
}

function mount(tag: HTMLScriptElement): void {
  const show = tag.dataset.vitrineShow ?? "";
  const source = new URL(tag.src, location.href);
  const vitrine = source.origin;
  const cart = tag.dataset.vitrineCart === "host" ? "host" : "vitrine";
  const maxWidth = Number(tag.dataset.vitrineMaxWidth) || DEFAULT_MAX_WIDTH;
  tag.dataset.vitrineMounted = "";

  const page = new URL("/", source);
  page.searchParams.set("show", show);
  page.searchParams.set("embed", "1");
  page.searchParams.set("cart", cart);
  // Attribution: the brand's page is where this viewer came from.
  page.searchParams.set("utm_source", tag.dataset.vitrineSource || location.hostname || "embed");

  const element = document.createElement("div");
  element.className = "vitrine-embed";
  element.dataset.show = show;
  element.style.cssText = `position:relative;width:100%;max-width:${maxWidth}px;aspect-ratio:9/16;margin:0 auto;`;
  const iframe = document.createElement("iframe");
  iframe.src = page.href;
  iframe.title = tag.dataset.vitrineTitle || "Live shopping show";
  iframe.allow = "autoplay; fullscreen; picture-in-picture; clipboard-write";
  iframe.loading = tag.dataset.vitrineLoading === "eager" ? "eager" : "lazy";
  iframe.style.cssText = "position:absolute;inset:0;width:100%;height:100%;border:0;border-radius:16px;background:#000;";
  element.append(iframe);

  const target = tag.dataset.vitrineTarget ? document.querySelector(tag.dataset.vitrineTarget) : null;
  if (target) target.append(element);
  else tag.after(element);

  let ready = false;
  const queue: { type: InType; data: unknown }[] = [];
  const post = (type: InType, data: unknown) => iframe.contentWindow?.postMessage({ type, data }, vitrine);
  const embed: Embed = {
    show,
    element,
    iframe,
    send(type, data) {
      if (ready) post(type, data);
      else queue.push({ type, data });
    },
  };

  window.addEventListener("message", (event: MessageEvent) => {
    // Only this embed's page, from the Vitrine origin: any other window or origin is ignored.
    if (event.origin !== vitrine || event.source !== iframe.contentWindow) return;
    const message: unknown = event.data;
    if (typeof message !== "object" || message === null) return;
    const { type, data } = message as { type?: unknown; data?: unknown };
    if (typeof type !== "string" || !OUT_TYPES.includes(type as OutType)) return;
    if (type === "vitrine:ready") {
      ready = true; // a reload of the page says it again: the queue is empty by then
      for (const queued of queue.splice(0)) post(queued.type, queued.data);
    }
    const notice = new CustomEvent(type, { detail: data, bubbles: true, cancelable: true });
    const proceed = element.dispatchEvent(notice);
    if (type === "vitrine:checkout" && proceed) redirect(data as CheckoutData);
  });
  global().embeds.push(embed);
}

/** The page could open no tab for the checkout: this page goes there, unless a listener
 * called preventDefault() on the `vitrine:checkout` event. */
function redirect(checkout: CheckoutData): void {
  if (!checkout.redirect || typeof checkout.checkout_url !== "string") return;
  try {
    const url = new URL(checkout.checkout_url);
    if (url.protocol === "https:" || url.protocol === "http:") location.assign(url.href);
  } catch {
    // not a URL: nothing to follow
  }
}

const tag = ownTag();
if (tag) mount(tag);
else console.warn("[vitrine] embed.js: no <script data-vitrine-show=\"…\"> tag to mount");
