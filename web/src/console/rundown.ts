/** The show's product rundown (one tap features a product) and the chapter marker. */
import type { Product } from "../api";
import { byId, formatPrice, safeImageUrl } from "../dom";
import type { RoomContext } from "./context";
import { button, h } from "./h";

export class RundownPanel {
  private readonly list = byId<HTMLUListElement>("product-rundown");

  constructor(private readonly ctx: RoomContext) {
    const form = byId<HTMLFormElement>("chapter-form");
    const input = byId<HTMLInputElement>("chapter-title");
    const submit = form.querySelector<HTMLButtonElement>("button[type=submit]");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const title = input.value.trim();
      if (!title) return;
      ctx.actions.run(
        { action: "mark_chapter", title },
        { buttons: submit ? [submit] : [], done: `Chapter “${title}” marked`, onAck: () => (input.value = "") },
      );
    });
  }

  setProducts(products: Product[] | null, error = ""): void {
    this.list.replaceChildren(...(products ?? []).map((product, index) => this.productRow(product, index)));
    if (products === null) {
      this.list.append(h("li", { class: "hc-empty", text: error || "Loading the products…" }));
    } else if (products.length === 0) {
      this.list.append(h("li", { class: "hc-empty", text: "This show has no product." }));
    }
    this.render();
  }

  render(): void {
    const featured = this.ctx.state.featured?.sku ?? null;
    for (const row of this.list.querySelectorAll<HTMLElement>("[data-sku]")) {
      const isFeatured = row.dataset.sku === featured;
      row.classList.toggle("is-featured", isFeatured);
      row.toggleAttribute("aria-current", isFeatured);
      const badge = row.querySelector<HTMLElement>(".hc-featured-badge");
      if (badge) badge.hidden = !isFeatured;
    }
    const chapters = this.ctx.state.chapters;
    const last = chapters[chapters.length - 1];
    byId("chapter-last").textContent = last
      ? `Last chapter: “${last.title}” at ${offset(last.offsetSeconds)} (${chapters.length} marked since you joined)`
      : "Chapters split the replay: featuring a product or marking a chapter starts one.";
  }

  private productRow(product: Product, index: number): HTMLLIElement {
    const image = h("img", { class: "hc-rundown-image", attrs: { alt: "", loading: "lazy", width: "56", height: "56" } });
    const source = safeImageUrl(product.image_url);
    if (source) image.src = source;
    const feature = button(
      "Feature",
      () =>
        this.ctx.actions.run(
          { action: "feature_product", sku: product.sku },
          { buttons: [feature], done: `${product.name} is on screen` },
        ),
      "hc-feature-button",
    );
    return h(
      "li",
      { class: "hc-rundown-item", dataset: { sku: product.sku } },
      h("span", { class: "hc-rundown-index", text: String(index + 1) }),
      image,
      h(
        "div",
        { class: "hc-rundown-body" },
        h("p", { class: "hc-rundown-name" }, h("strong", { text: product.name })),
        h(
          "p",
          { class: "muted hc-small" },
          `${formatPrice(product.price, product.currency)} · ${product.in_stock ? "in stock" : "sold out"} · ${product.sku}`,
        ),
        h("span", { class: "hc-featured-badge", text: "On screen", attrs: { hidden: "" } }),
      ),
      feature,
    );
  }
}

/** Seconds into the show as "m:ss" or "h:mm:ss". */
export function offset(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
