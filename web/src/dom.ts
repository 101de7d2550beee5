/** Small DOM helpers shared by the pages. */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** Applies the brand name from config.json to the page header and title. */
export function applyBrand(brandName: string, pageTitle: string): void {
  for (const element of document.querySelectorAll<HTMLElement>("[data-brand]")) {
    element.textContent = brandName;
  }
  document.title = `${pageTitle} · ${brandName}`;
}

/** An http(s) link target, or null for anything else (javascript:, data:, garbage). */
export function safeHttpUrl(url: string): string | null {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** An image source: http(s), or an inline raster/SVG image (an <img> runs no script in it). */
export function safeImageUrl(url: string): string | null {
  if (/^data:image\/(png|jpeg|gif|webp|avif|svg\+xml)[;,]/i.test(url)) return url;
  return safeHttpUrl(url);
}

export function formatPrice(price: string, currency: string): string {
  const amount = Number(price);
  if (!Number.isFinite(amount)) return `${price} ${currency}`;
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount);
  } catch {
    return `${price} ${currency}`;
  }
}

export function formatStart(startsAt: string): string {
  const date = new Date(startsAt);
  if (Number.isNaN(date.getTime())) return startsAt;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(date);
}
