/**
 * A show's rundown: the products attached to it, in the order the host presents them. Products
 * are added from the catalog, moved with up/down buttons (or dragged with a mouse), removed,
 * and the whole order is saved at once with `PUT /shows/{id}/products`.
 * Test contract: `li[data-sku]` rows of #rundown-editor, in order; `data-rundown-state` on it
 * (clean|dirty|saving).
 */
import { byId, formatPrice } from "../../dom";
import { button, h } from "../h";
import type { Toasts } from "../toasts";
import { type CatalogApi, refusalText, type StaffProduct, type StaffShow } from "./api";
import { whileBusy } from "./form";
import { productImage } from "./products";

export class RundownEditor {
  private readonly list = byId<HTMLOListElement>("rundown-editor");
  private readonly picker = byId<HTMLSelectElement>("rundown-add");
  private readonly add = byId<HTMLButtonElement>("rundown-add-button");
  private readonly save = byId<HTMLButtonElement>("rundown-save");
  private readonly state = byId("rundown-state");
  private show: StaffShow | null = null;
  private skus: string[] = [];
  private saved: string[] = [];
  private readonly catalog = new Map<string, StaffProduct>();
  private dragged: string | null = null;
  /** The catalog the picker offers: loaded once per opened show. */
  private catalogState: "loading" | "ready" | "error" = "loading";

  constructor(
    private readonly api: CatalogApi,
    private readonly toasts: Toasts,
    private readonly onSaved: (show: StaffShow) => void,
  ) {
    this.add.addEventListener("click", () => this.attach());
    this.save.addEventListener("click", () => void this.store());
    this.wireDragging();
  }

  open(show: StaffShow): void {
    this.show = show;
    this.saved = show.products.map((product) => product.sku);
    this.skus = [...this.saved];
    for (const product of show.products) this.catalog.set(product.sku, product);
    this.render();
    void this.loadCatalog(show.show_id);
  }

  hasUnsavedChanges(): boolean {
    return this.show !== null && !sameOrder(this.skus, this.saved);
  }

  private async loadCatalog(showId: string): Promise<void> {
    this.catalogState = "loading";
    this.picker.replaceChildren(new Option("Loading the products…", ""));
    this.picker.disabled = this.add.disabled = true;
    try {
      const products = await this.api.listProducts();
      if (this.show?.show_id !== showId) return;
      for (const product of products) this.catalog.set(product.sku, product);
      this.catalogState = "ready";
      this.picker.disabled = false;
      this.render();
    } catch (error) {
      this.catalogState = "error";
      this.picker.replaceChildren(new Option("The products could not be loaded", ""));
      this.toasts.show(`The products could not be loaded: ${refusalText(error)}`, { kind: "error" });
    }
  }

  private render(): void {
    this.list.replaceChildren(...this.skus.map((sku, index) => this.row(sku, index)));
    if (this.skus.length === 0) this.list.append(h("li", { class: "hc-empty", text: "No product yet: add the first one below." }));
    this.renderPicker();
    const dirty = this.hasUnsavedChanges();
    this.list.dataset.rundownState = dirty ? "dirty" : "clean";
    this.save.disabled = !dirty;
    this.state.textContent = dirty ? "Unsaved changes" : "";
  }

  private renderPicker(): void {
    if (this.catalogState !== "ready") return;
    const attached = new Set(this.skus);
    const choices = [...this.catalog.values()]
      .filter((product) => !attached.has(product.sku))
      .sort((a, b) => a.name.localeCompare(b.name));
    const selected = this.picker.value;
    this.picker.replaceChildren(
      new Option(choices.length > 0 ? "Choose a product…" : "Every product is in the rundown", ""),
      ...choices.map((product) => new Option(`${product.name} (${product.sku})`, product.sku)),
    );
    if (choices.some((product) => product.sku === selected)) this.picker.value = selected;
    this.add.disabled = this.picker.disabled || choices.length === 0;
  }

  private row(sku: string, index: number): HTMLLIElement {
    const product = this.catalog.get(sku);
    const name = product?.name ?? sku;
    const image = productImage({ name, image_url: product?.image_url ?? "" }, 44);
    image.classList.add("hc-rundown-image");
    const up = button("↑", () => this.move(sku, -1, "up"), "hc-chip hc-move");
    const down = button("↓", () => this.move(sku, 1, "down"), "hc-chip hc-move");
    const remove = button("×", () => this.detach(sku), "hc-chip hc-chip-danger hc-move");
    up.setAttribute("aria-label", `Move ${name} up`);
    down.setAttribute("aria-label", `Move ${name} down`);
    remove.setAttribute("aria-label", `Remove ${name} from the show`);
    up.disabled = index === 0;
    down.disabled = index === this.skus.length - 1;
    up.dataset.move = "up";
    down.dataset.move = "down";
    return h(
      "li",
      { class: "hc-rundown-item hc-rundown-edit", dataset: { sku }, attrs: { draggable: "true" } },
      h("span", { class: "hc-rundown-index", text: String(index + 1) }),
      image,
      h(
        "div",
        { class: "hc-rundown-body" },
        h("p", { class: "hc-rundown-name" }, h("strong", { text: name })),
        h(
          "p",
          { class: "muted hc-small" },
          product ? [formatPrice(product.price, product.currency), sku, product.in_stock ? "" : "sold out"].filter(Boolean).join(" · ") : sku,
        ),
      ),
      h("div", { class: "hc-move-buttons", attrs: { role: "group", "aria-label": `Order of ${name}` } }, up, down, remove),
    );
  }

  private move(sku: string, by: number, direction: "up" | "down"): void {
    const from = this.skus.indexOf(sku);
    const to = from + by;
    if (from < 0 || to < 0 || to >= this.skus.length) return;
    this.moveTo(sku, to);
    // The focus follows the product; at an end it goes to the button that still moves it.
    const row = this.list.querySelector(`[data-sku="${CSS.escape(sku)}"]`);
    const same = row?.querySelector<HTMLButtonElement>(`[data-move="${direction}"]`);
    const other = row?.querySelector<HTMLButtonElement>(`[data-move="${direction === "up" ? "down" : "up"}"]`);
    (same && !same.disabled ? same : other)?.focus();
  }

  private moveTo(sku: string, to: number): void {
    const rest = this.skus.filter((known) => known !== sku);
    rest.splice(to, 0, sku);
    this.skus = rest;
    this.render();
  }

  private attach(): void {
    const sku = this.picker.value;
    if (!sku || this.skus.includes(sku)) return;
    this.skus = [...this.skus, sku];
    this.render();
    this.picker.focus();
  }

  private detach(sku: string): void {
    const index = this.skus.indexOf(sku);
    this.skus = this.skus.filter((known) => known !== sku);
    this.render();
    const next = this.list.querySelectorAll<HTMLElement>("[data-sku]")[Math.min(index, this.skus.length - 1)];
    (next?.querySelector<HTMLButtonElement>(".hc-chip-danger") ?? this.picker).focus();
  }

  private async store(): Promise<void> {
    const show = this.show;
    if (!show) return;
    const order = [...this.skus];
    this.list.dataset.rundownState = "saving";
    try {
      const answer = await whileBusy([this.save, this.add], () => this.api.setRundown(show.show_id, order));
      if (this.show?.show_id !== show.show_id) return;
      this.show = answer;
      this.saved = answer.products.map((product) => product.sku);
      this.skus = [...this.saved];
      for (const product of answer.products) this.catalog.set(product.sku, product);
      this.render();
      this.state.textContent = "Saved";
      this.toasts.show(`Rundown of ${answer.title} saved: ${this.saved.length} products`, { kind: "ack" });
      this.onSaved(answer);
    } catch (error) {
      this.render();
      this.toasts.show(`The rundown was not saved: ${refusalText(error)}`, { kind: "error" });
    }
  }

  /** Mouse and trackpad users may drag a row; the buttons stay the way for everyone else. */
  private wireDragging(): void {
    this.list.addEventListener("dragstart", (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>("[data-sku]");
      if (!row || !event.dataTransfer) return;
      this.dragged = row.dataset.sku ?? null;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", this.dragged ?? "");
      row.classList.add("is-dragged");
    });
    this.list.addEventListener("dragover", (event) => {
      if (this.dragged) event.preventDefault();
    });
    this.list.addEventListener("drop", (event) => {
      event.preventDefault();
      const target = (event.target as HTMLElement).closest<HTMLElement>("[data-sku]");
      const sku = this.dragged;
      this.dragged = null;
      if (!sku || !target?.dataset.sku || target.dataset.sku === sku) return this.render();
      const box = target.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      const rest = this.skus.filter((known) => known !== sku);
      const at = rest.indexOf(target.dataset.sku) + (after ? 1 : 0);
      this.moveTo(sku, at);
    });
    this.list.addEventListener("dragend", () => {
      this.dragged = null;
      for (const row of this.list.querySelectorAll(".is-dragged")) row.classList.remove("is-dragged");
    });
  }
}

function sameOrder(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((sku, index) => sku === b[index]);
}
