/**
 * The Products screen: every product with its variants' stock counters (available, reserved in
 * carts, sold), a form to create a product and its variants, an editor for a product's details
 * and price, a form to add a size or colour to a product, and per variant the units put on sale
 * or taken off sale. Hosts and admins change the catalog; moderators read it. Test contract:
 * `data-state` on #products (idle|loading|ready|error), `data-sku` on each product,
 * `data-variant-sku` on each variant row.
 */
import { byId, formatPrice, safeImageUrl } from "../../dom";
import { button, count, h } from "../h";
import type { Toasts } from "../toasts";
import {
  type CatalogApi,
  type ProductChanges,
  type ProductDraft,
  type StaffProduct,
  type VariantDraft,
  type VariantStock,
  ApiRefusal,
  refusalText,
} from "./api";
import { clearErrors, field, formError, groupError, input, integerOrText, showErrors, textarea, uid, valueOf, whileBusy } from "./form";

const CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CAD", "AUD", "JPY"];
const MAX_VARIANTS = 40; // functions/cart/logic/products.py

export class ProductsScreen {
  private readonly root = byId("products");
  private readonly list = byId<HTMLUListElement>("product-list");
  private readonly form = byId<HTMLFormElement>("product-form");
  private readonly newButton = byId<HTMLButtonElement>("new-product");
  private readonly filter = byId<HTMLInputElement>("product-filter");
  private readonly status = byId("products-status");
  private products: StaffProduct[] = [];
  /** The product whose details are being edited (one at a time). */
  private editing: string | null = null;
  /** The product a variant is being added to (one at a time) and its form, kept as it is when
   * the list is drawn again (a reload, the filter), so what was typed stays. */
  private adding: { sku: string; form: HTMLFormElement } | null = null;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly api: CatalogApi,
    private readonly toasts: Toasts,
    private readonly mayEdit: boolean,
  ) {
    this.newButton.hidden = !mayEdit;
    byId("products-readonly").hidden = mayEdit;
    this.newButton.addEventListener("click", () => this.toggleForm(this.form.hidden !== false));
    this.filter.addEventListener("input", () => this.render());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.create();
    });
  }

  /** Shown: the list is (re)loaded, so counters moved by sales meanwhile are current (unless
   * a product's details are being edited: what was typed stays). */
  show(): void {
    if (this.editing === null) void this.load();
  }

  private async load(): Promise<void> {
    if (this.loading) return this.loading;
    this.root.dataset.state = "loading";
    if (this.products.length === 0) this.status.textContent = "Loading the products…";
    this.loading = (async () => {
      try {
        this.products = sortByName(await this.api.listProducts());
        this.root.dataset.state = "ready";
        this.render();
      } catch (error) {
        this.root.dataset.state = "error";
        this.status.textContent = `The products could not be loaded: ${refusalText(error)}`;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  private render(): void {
    const wanted = this.filter.value.trim().toLowerCase();
    const shown = this.products.filter(
      (product) =>
        !wanted ||
        product.name.toLowerCase().includes(wanted) ||
        product.sku.toLowerCase().includes(wanted) ||
        product.variants.some((variant) => variant.sku.toLowerCase().includes(wanted)),
    );
    this.list.replaceChildren(...shown.map((product) => this.card(product)));
    this.status.textContent =
      this.products.length === 0
        ? this.mayEdit
          ? "No product yet: create the first one."
          : "No product yet."
        : shown.length === 0
          ? `No product matches “${this.filter.value.trim()}”.`
          : `${count(shown.length)} of ${count(this.products.length)} products`;
  }

  private replace(product: StaffProduct): HTMLElement {
    const index = this.products.findIndex((known) => known.sku === product.sku);
    if (index >= 0) this.products[index] = product;
    else this.products = sortByName([...this.products, product]);
    const card = this.card(product);
    const old = this.list.querySelector(`[data-sku="${CSS.escape(product.sku)}"]`);
    if (old) old.replaceWith(card);
    else this.render();
    return this.list.querySelector<HTMLElement>(`[data-sku="${CSS.escape(product.sku)}"]`) ?? card;
  }

  // --- a product card ------------------------------------------------------------------------

  private card(product: StaffProduct): HTMLLIElement {
    const headingId = `product-${product.sku}-name`;
    const head = h(
      "div",
      { class: "hc-product-head" },
      productImage(product),
      h(
        "div",
        { class: "hc-product-title" },
        h("h2", { text: product.name, attrs: { id: headingId } }),
        h("p", { class: "muted hc-small" }, h("span", { class: "hc-sku", text: product.sku }), ` · ${formatPrice(product.price, product.currency)}`),
      ),
      this.mayEdit
        ? button("Edit", () => this.edit(product.sku), "hc-chip")
        : null,
    );
    if (this.mayEdit) {
      head.lastElementChild?.setAttribute("aria-label", `Edit ${product.name}`);
      head.lastElementChild?.setAttribute("aria-expanded", String(this.editing === product.sku));
    }
    const card = h(
      "li",
      { class: "hc-product", dataset: { sku: product.sku }, attrs: { "aria-labelledby": headingId } },
      head,
      product.description ? h("p", { class: "hc-product-description", text: product.description }) : null,
      this.editing === product.sku ? this.editForm(product) : null,
      this.variantTable(product),
      this.mayEdit ? this.variantAdder(product) : null,
    );
    if (!product.in_stock) card.classList.add("is-sold-out");
    return card;
  }

  private variantTable(product: StaffProduct): HTMLElement {
    const headers = ["Variant", "Available", "Reserved", "Sold"].map((text) => h("th", { text, attrs: { scope: "col" } }));
    if (this.mayEdit) headers.push(h("th", { attrs: { scope: "col" } }, h("span", { class: "visually-hidden", text: "Stock" })));
    const body = h("tbody");
    for (const variant of product.variants) {
      body.append(this.variantRow(product, variant));
      if (this.mayEdit) body.append(this.stockRow(product, variant));
    }
    return h(
      "table",
      { class: "hc-variants" },
      h("caption", { class: "visually-hidden", text: `Stock of ${product.name}, per variant` }),
      h("thead", {}, h("tr", {}, ...headers)),
      body,
    );
  }

  private variantRow(product: StaffProduct, variant: VariantStock): HTMLTableRowElement {
    const label = variantLabel(variant);
    const price =
      variant.price !== product.price
        ? h("span", { class: "hc-price-override", text: ` · ${formatPrice(variant.price, product.currency)}` })
        : null;
    const cells: HTMLElement[] = [
      h(
        "th",
        { attrs: { scope: "row" } },
        h("strong", { text: label }),
        price,
        h("span", { class: "hc-sku hc-variant-sku", text: variant.sku, attrs: { title: variant.sku } }),
      ),
      h(
        "td",
        { class: "hc-counter", dataset: { counter: "available" } },
        h("span", { class: `hc-stock-dot is-${variant.stock_state}`, attrs: { title: variant.badge, "aria-hidden": "true" } }),
        count(variant.available),
        h("span", { class: "visually-hidden", text: ` (${variant.badge})` }),
      ),
      counterCell("reserved", variant.reserved),
      counterCell("sold", variant.sold),
    ];
    if (this.mayEdit) {
      const toggle = button("Stock", () => this.toggleStock(product.sku, variant.sku), "hc-chip hc-stock-toggle");
      toggle.setAttribute("aria-label", `Change the stock of ${label}`);
      toggle.setAttribute("aria-expanded", "false");
      cells.push(h("td", { class: "hc-variant-actions" }, toggle));
    }
    return h("tr", { class: `is-${variant.stock_state}`, dataset: { variantSku: variant.sku } }, ...cells);
  }

  private stockRow(product: StaffProduct, variant: VariantStock): HTMLTableRowElement {
    const units = input("add", { type: "number", inputmode: "numeric", min: "1", step: "1", value: "1" });
    units.classList.add("hc-units");
    const form = h("form", { class: "hc-stock-form", attrs: { novalidate: "" } });
    const putOn = h("button", { text: "Put on sale", attrs: { type: "submit" } });
    const takeOff = button("Take off sale", () => void this.changeStock(form, product, variant, -1, [putOn, takeOff]), "hc-ghost");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.changeStock(form, product, variant, 1, [putOn, takeOff]);
    });
    form.append(
      field("Units", units, { hint: `Only available units can be taken off sale: ${count(variant.available)} now.` }),
      h("div", { class: "hc-stock-buttons" }, putOn, takeOff),
      formError(),
    );
    return h(
      "tr",
      { class: "hc-stock-row", dataset: { stockFor: variant.sku }, attrs: { hidden: "" } },
      h("td", { attrs: { colspan: "5" } }, form),
    );
  }

  private toggleStock(sku: string, variantSku: string): void {
    const card = this.list.querySelector(`[data-sku="${CSS.escape(sku)}"]`);
    const row = card?.querySelector<HTMLElement>(`[data-stock-for="${CSS.escape(variantSku)}"]`);
    const toggle = card?.querySelector<HTMLElement>(`[data-variant-sku="${CSS.escape(variantSku)}"] .hc-stock-toggle`);
    if (!row || !toggle) return;
    row.hidden = !row.hidden;
    toggle.setAttribute("aria-expanded", String(!row.hidden));
    if (!row.hidden) row.querySelector<HTMLInputElement>("input")?.select();
  }

  private async changeStock(
    form: HTMLFormElement,
    product: StaffProduct,
    variant: VariantStock,
    direction: 1 | -1,
    buttons: HTMLButtonElement[],
  ): Promise<void> {
    const typed = integerOrText(valueOf(form, "add"));
    // A negative or empty count goes to the API as typed: its answer says what is wrong.
    const add = typeof typed === "number" ? typed * direction : typed;
    clearErrors(form);
    try {
      const changed = await whileBusy(buttons, () => this.api.changeStock(product.sku, variant.sku, add));
      const card = this.replace(changed);
      const units = Math.abs(Number(add));
      this.toasts.show(
        `${count(units)} ${units === 1 ? "unit" : "units"} of ${product.name} ${variantLabel(variant)} ${direction > 0 ? "put on sale" : "taken off sale"}`,
        { kind: "ack" },
      );
      card.querySelector<HTMLElement>(`[data-variant-sku="${CSS.escape(variant.sku)}"] .hc-stock-toggle`)?.focus();
    } catch (error) {
      showErrors(form, error);
    }
  }

  // --- adding a variant to a product --------------------------------------------------------

  /** Under the variants: the "Add a variant" toggle and, when open, its form. */
  private variantAdder(product: StaffProduct): HTMLElement {
    const box = h("div", { class: "hc-variant-add" });
    if (product.variants.length >= MAX_VARIANTS) {
      box.append(h("p", { class: "hc-field-hint", text: `${MAX_VARIANTS} variants: the most a product can have.` }));
      return box;
    }
    const form = this.adding?.sku === product.sku ? this.adding.form : null;
    const toggle = button("+ Add a variant", () => this.toggleAdding(product.sku), "hc-chip hc-add-variant");
    toggle.setAttribute("aria-label", `Add a variant to ${product.name}`);
    toggle.setAttribute("aria-expanded", String(form !== null));
    if (form) toggle.setAttribute("aria-controls", form.id);
    box.append(toggle);
    if (form) box.append(form);
    return box;
  }

  private toggleAdding(sku: string): void {
    const previous = this.adding?.sku ?? null;
    const product = this.products.find((known) => known.sku === sku);
    this.adding = previous !== sku && product ? { sku, form: this.variantForm(product) } : null;
    if (previous !== null && previous !== sku) this.redrawAdder(previous);
    const box = this.redrawAdder(sku);
    const opened = box?.querySelector<HTMLInputElement>(".hc-variant-form input");
    if (opened) {
      // The SKU starts as the product's and a dash: the caret waits at its end.
      opened.focus();
      opened.setSelectionRange(opened.value.length, opened.value.length);
    } else {
      box?.querySelector<HTMLElement>(".hc-add-variant")?.focus();
    }
  }

  /** Draws a card's adder again, leaving the rest of the card (an open editor) as it is. */
  private redrawAdder(sku: string): HTMLElement | null {
    const product = this.products.find((known) => known.sku === sku);
    const old = this.list.querySelector(`[data-sku="${CSS.escape(sku)}"] > .hc-variant-add`);
    if (!product || !old) return null;
    const box = this.variantAdder(product);
    old.replaceWith(box);
    return box;
  }

  private variantForm(product: StaffProduct): HTMLFormElement {
    const form = h("form", {
      class: "hc-variant-form hc-catalog-form",
      attrs: { id: uid("add-variant"), novalidate: "", "aria-label": `New variant of ${product.name}` },
    });
    const sku = input("sku", { maxlength: "64", spellcheck: "false", autocapitalize: "characters", value: `${product.sku}-` });
    // Suggested from the product's SKU and the size/colour until the host types one.
    sku.dataset.suggested = "true";
    sku.addEventListener("input", () => delete sku.dataset.suggested);
    const size = input("size", { maxlength: "40", placeholder: "XL, 44…" });
    const colour = input("colour", { maxlength: "40", placeholder: "Navy…" });
    for (const source of [size, colour]) {
      source.addEventListener("input", () => {
        if (sku.dataset.suggested === "true") sku.value = `${product.sku}-${skuSuffix(size.value, colour.value)}`;
      });
    }
    const save = h("button", { text: "Add variant", attrs: { type: "submit" } });
    const cancel = button("Cancel", () => this.toggleAdding(product.sku), "hc-ghost");
    form.append(
      h(
        "div",
        { class: "hc-field-grid" },
        field("Variant SKU", sku, { required: true, hint: "It cannot change later." }),
        field("Size", size),
        field("Colour", colour),
        field("Units on sale", input("stock", { type: "number", inputmode: "numeric", min: "0", step: "1", value: "0" })),
        field(`Variant price (${product.currency})`, input("price", { inputmode: "decimal" }), { hint: "Empty: the product's price" }),
        field("Storefront ID", input("storefront_id", { maxlength: "64", spellcheck: "false" }), { hint: "Empty: the variant SKU" }),
      ),
      formError(),
      h("div", { class: "hc-form-buttons" }, save, cancel),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.createVariant(product.sku, form, [save, cancel]);
    });
    return form;
  }

  private async createVariant(sku: string, form: HTMLFormElement, buttons: HTMLButtonElement[]): Promise<void> {
    const price = valueOf(form, "price");
    const draft: VariantDraft = {
      sku: valueOf(form, "sku"),
      size: valueOf(form, "size"),
      colour: valueOf(form, "colour"),
      stock: integerOrText(valueOf(form, "stock") || "0"),
      storefront_id: valueOf(form, "storefront_id"),
      ...(price ? { price } : {}),
    };
    clearErrors(form);
    try {
      const changed = await whileBusy(buttons, () => this.api.addVariant(sku, draft));
      if (this.adding?.form === form) this.adding = null;
      const card = this.replace(changed);
      const added = changed.variants.find((variant) => variant.sku === draft.sku);
      const units = added?.available ?? 0;
      this.toasts.show(
        `${variantLabel(added ?? draft)} added to ${changed.name}: ${count(units)} ${units === 1 ? "unit" : "units"} on sale`,
        { kind: "ack" },
      );
      const row = added ? card.querySelector<HTMLElement>(`[data-variant-sku="${CSS.escape(added.sku)}"]`) : null;
      row?.classList.add("is-new");
      row?.scrollIntoView({ block: "nearest" });
      // On the new variant, whose stock is the next thing a host may change.
      (row?.querySelector<HTMLElement>(".hc-stock-toggle") ?? card.querySelector<HTMLElement>(".hc-add-variant"))?.focus();
    } catch (error) {
      // A SKU the product already has is the SKU field's fault: its message goes next to it.
      const taken = error instanceof ApiRefusal && error.code === "variant_exists";
      showErrors(form, taken ? new ApiRefusal(error.message, error.status, error.code, [{ field: "sku", message: error.message }]) : error);
    }
  }

  // --- editing a product's details ------------------------------------------------------------

  private edit(sku: string): void {
    this.editing = this.editing === sku ? null : sku;
    const product = this.products.find((known) => known.sku === sku);
    if (!product) return;
    const card = this.replace(product);
    card.querySelector<HTMLInputElement>(".hc-product-edit input")?.focus();
  }

  private editForm(product: StaffProduct): HTMLFormElement {
    const form = h("form", { class: "hc-product-edit hc-catalog-form", attrs: { novalidate: "", "aria-label": `Edit ${product.name}` } });
    const name = input("name", { maxlength: "120", value: product.name });
    const price = input("price", { inputmode: "decimal", value: product.price });
    const description = textarea("description", { maxlength: "2000" });
    description.value = product.description;
    const image = input("image_url", { type: "url", value: product.image_url.startsWith("data:") ? "" : product.image_url });
    const page = input("product_url", { type: "url", value: product.product_url });
    const save = h("button", { text: "Save changes", attrs: { type: "submit" } });
    const cancel = button("Cancel", () => this.edit(product.sku), "hc-ghost");
    form.append(
      h(
        "div",
        { class: "hc-field-grid" },
        field("Name", name, { required: true }),
        field(`Price (${product.currency})`, price, { required: true, hint: "Variants without a price of their own follow it." }),
      ),
      field("Description", description),
      h(
        "div",
        { class: "hc-field-grid" },
        field("Image URL", image, { hint: product.image_url.startsWith("data:") ? "Now an inline image: a URL replaces it." : "" }),
        field("Product page URL", page),
      ),
      formError(),
      h("div", { class: "hc-form-buttons" }, save, cancel),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const changes: ProductChanges = {};
      const typed = {
        name: valueOf(form, "name"),
        description: valueOf(form, "description"),
        price: valueOf(form, "price"),
        image_url: valueOf(form, "image_url"),
        product_url: valueOf(form, "product_url"),
      };
      if (typed.name !== product.name) changes.name = typed.name;
      if (typed.description !== product.description) changes.description = typed.description;
      if (typed.price !== product.price) changes.price = typed.price;
      if (typed.image_url && typed.image_url !== product.image_url) changes.image_url = typed.image_url;
      if (typed.product_url !== product.product_url) changes.product_url = typed.product_url;
      if (Object.keys(changes).length === 0) {
        this.edit(product.sku);
        return;
      }
      try {
        const changed = await whileBusy([save, cancel], () => this.api.updateProduct(product.sku, changes));
        this.editing = null;
        const card = this.replace(changed);
        this.toasts.show(`${changed.name} saved`, { kind: "ack" });
        card.querySelector<HTMLElement>(".hc-product-head button")?.focus();
      } catch (error) {
        showErrors(form, error);
      }
    });
    return form;
  }

  // --- creating a product ---------------------------------------------------------------------

  private toggleForm(open: boolean): void {
    this.form.hidden = !open;
    this.newButton.setAttribute("aria-expanded", String(open));
    this.newButton.textContent = open ? "Close the form" : "New product";
    if (open) {
      if (this.form.childElementCount === 0) this.buildForm();
      this.form.querySelector<HTMLInputElement>("input")?.focus();
    } else {
      this.newButton.focus();
    }
  }

  private buildForm(): void {
    const sku = input("sku", { maxlength: "64", autocapitalize: "characters", spellcheck: "false" });
    const currency = input("currency", { maxlength: "3", value: "EUR", list: "currency-codes", autocapitalize: "characters" });
    const variants = h("ol", { class: "hc-variant-drafts" });
    const addVariant = button("+ Add variant", () => this.addVariant(variants, true), "hc-ghost");
    const group = h(
      "fieldset",
      { class: "hc-group", dataset: { field: "variants" } },
      h("legend", { text: "Variants" }),
      groupError(),
      h("p", { class: "hc-field-hint", text: "One per size or colour the viewer picks; the units put on sale now can be changed later." }),
      variants,
      addVariant,
    );
    const submit = h("button", { text: "Create product", attrs: { type: "submit" } });
    this.form.append(
      h("h2", { text: "New product", attrs: { id: "product-form-heading" } }),
      h(
        "div",
        { class: "hc-field-grid" },
        field("SKU", sku, { required: true, hint: "Letters, digits, - _ . : # @. It cannot change later." }),
        field("Name", input("name", { maxlength: "120" }), { required: true }),
        field("Price", input("price", { inputmode: "decimal", placeholder: "49.90" }), { required: true }),
        field("Currency", currency, { hint: "Three letters, e.g. EUR" }),
      ),
      h("datalist", { attrs: { id: "currency-codes" } }, ...CURRENCIES.map((code) => h("option", { attrs: { value: code } }))),
      field("Description", textarea("description", { maxlength: "2000" })),
      h(
        "div",
        { class: "hc-field-grid" },
        field("Image URL", input("image_url", { type: "url", placeholder: "https://…" })),
        field("Product page URL", input("product_url", { type: "url", placeholder: "https://…" })),
      ),
      group,
      formError(),
      h("div", { class: "hc-form-buttons" }, submit, button("Cancel", () => this.toggleForm(false), "hc-ghost")),
    );
    sku.addEventListener("input", () => this.suggestVariantSkus(variants));
    this.addVariant(variants, false);
  }

  private addVariant(list: HTMLOListElement, focus: boolean): void {
    if (list.children.length >= MAX_VARIANTS) return;
    const sku = input("sku", { maxlength: "64", spellcheck: "false" });
    // Suggested from the product's SKU and the size/colour until the host types one.
    sku.dataset.suggested = "true";
    sku.addEventListener("input", () => delete sku.dataset.suggested);
    const size = input("size", { maxlength: "40", placeholder: "M, 42…" });
    const colour = input("colour", { maxlength: "40", placeholder: "Navy…" });
    for (const source of [size, colour]) source.addEventListener("input", () => this.suggestVariantSkus(list));
    const remove = button("Remove", () => {
      row.remove();
      this.renumberVariants(list);
      list.querySelector<HTMLInputElement>("input")?.focus();
    }, "hc-chip hc-chip-danger");
    const row = h(
      "li",
      { class: "hc-variant-draft" },
      h("div", { class: "hc-variant-draft-head" }, h("strong", { class: "hc-variant-number" }), remove),
      groupError(),
      h(
        "div",
        { class: "hc-field-grid hc-field-grid-3" },
        field("Variant SKU", sku, { required: true }),
        field("Size", size),
        field("Colour", colour),
        field("Variant price", input("price", { inputmode: "decimal" }), { hint: "Empty: the product's price" }),
        field("Units on sale", input("stock", { type: "number", inputmode: "numeric", min: "0", value: "0" })),
        field("Storefront ID", input("storefront_id", { maxlength: "64", spellcheck: "false" }), { hint: "Empty: the variant SKU" }),
      ),
    );
    list.append(row);
    this.renumberVariants(list);
    this.suggestVariantSkus(list);
    if (focus) sku.focus();
  }

  /** Names follow the API's paths ("variants.1.sku"), so its errors find their field. */
  private renumberVariants(list: HTMLOListElement): void {
    const rows = [...list.children] as HTMLElement[];
    rows.forEach((row, index) => {
      row.dataset.field = `variants.${index}`;
      const number = row.querySelector(".hc-variant-number");
      if (number) number.textContent = `Variant ${index + 1}`;
      for (const control of row.querySelectorAll<HTMLInputElement>("input")) {
        const key = control.name.split(".").pop() ?? control.name;
        control.name = `variants.${index}.${key}`;
      }
      const remove = row.querySelector<HTMLButtonElement>(".hc-variant-draft-head button");
      if (remove) {
        remove.hidden = rows.length === 1;
        remove.setAttribute("aria-label", `Remove variant ${index + 1}`);
      }
    });
  }

  private suggestVariantSkus(list: HTMLOListElement): void {
    const productSku = valueOf(this.form, "sku");
    [...list.children].forEach((row, index) => {
      const sku = row.querySelector<HTMLInputElement>(`[name="variants.${index}.sku"]`);
      if (!sku || sku.dataset.suggested !== "true") return;
      const size = row.querySelector<HTMLInputElement>(`[name="variants.${index}.size"]`)?.value ?? "";
      const colour = row.querySelector<HTMLInputElement>(`[name="variants.${index}.colour"]`)?.value ?? "";
      sku.value = productSku ? `${productSku}-${skuSuffix(size, colour) || String(index + 1)}` : "";
    });
  }

  private draft(): ProductDraft {
    const form = this.form;
    const rows = [...form.querySelectorAll<HTMLElement>(".hc-variant-draft")];
    const draft: ProductDraft = {
      sku: valueOf(form, "sku"),
      name: valueOf(form, "name"),
      description: valueOf(form, "description"),
      price: valueOf(form, "price"),
      currency: valueOf(form, "currency").toUpperCase(),
      variants: rows.map((_, index) => {
        const at = (key: string): string => valueOf(form, `variants.${index}.${key}`);
        const price = at("price");
        return {
          sku: at("sku"),
          size: at("size"),
          colour: at("colour"),
          stock: integerOrText(at("stock") || "0"),
          storefront_id: at("storefront_id"),
          ...(price ? { price } : {}),
        };
      }),
    };
    const image = valueOf(form, "image_url");
    const page = valueOf(form, "product_url");
    if (image) draft.image_url = image;
    if (page) draft.product_url = page;
    return draft;
  }

  private async create(): Promise<void> {
    const submit = this.form.querySelector<HTMLButtonElement>("button[type=submit]");
    const draft = this.draft();
    clearErrors(this.form);
    try {
      const created = await whileBusy(submit ? [submit] : [], () => this.api.createProduct(draft));
      this.form.replaceChildren();
      this.toggleForm(false);
      this.filter.value = "";
      const card = this.replace(created);
      this.render();
      const shown = this.list.querySelector<HTMLElement>(`[data-sku="${CSS.escape(created.sku)}"]`) ?? card;
      shown.classList.add("is-new");
      shown.scrollIntoView({ block: "nearest" });
      this.toasts.show(`${created.name} created with ${created.variants.length} ${created.variants.length === 1 ? "variant" : "variants"}`, { kind: "ack" });
    } catch (error) {
      showErrors(this.form, error);
    }
  }
}

/** The product's image, or its initial on a tile when it has none. */
export function productImage(product: { name: string; image_url: string }, size = 56): HTMLElement {
  const source = product.image_url ? safeImageUrl(product.image_url) : null;
  if (!source) return h("span", { class: "hc-product-image hc-no-image", text: product.name.trim().charAt(0).toUpperCase(), attrs: { "aria-hidden": "true" } });
  const image = h("img", { class: "hc-product-image", attrs: { alt: "", loading: "lazy", width: String(size), height: String(size) } });
  image.src = source;
  return image;
}

/** "NAVY-41" from size 41, colour Navy: what a variant SKU suggested from them ends with. */
function skuSuffix(size: string, colour: string): string {
  return [colour, size]
    .map((part) => part.trim().replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, ""))
    .filter(Boolean)
    .join("-")
    .toUpperCase();
}

/** "M · Navy", "One size". */
export function variantLabel(variant: { size: string; colour: string }): string {
  return [variant.size, variant.colour].filter(Boolean).join(" · ") || "One size";
}

function counterCell(name: "reserved" | "sold", value: number | undefined): HTMLTableCellElement {
  // An answer without the staff counters shows a dash, never a made-up 0.
  return h("td", { class: "hc-counter", dataset: { counter: name } }, value === undefined ? "–" : count(value));
}

function sortByName(products: StaffProduct[]): StaffProduct[] {
  return [...products].sort((a, b) => a.name.localeCompare(b.name) || a.sku.localeCompare(b.sku));
}
