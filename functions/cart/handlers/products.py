"""Products and stock (staff): create, edit, add a variant, put units on sale, read every
counter."""

from chalice.app import Response

from functions.cart.dal import catalog
from functions.cart.handlers.api import Operation, Resource, answer, body_of, current_request
from functions.cart.logic import errors
from functions.cart.logic.products import (
    MAX_VARIANTS,
    ProductChanges,
    ProductDraft,
    ProductList,
    ProductView,
    StockChange,
    VariantDraft,
)
from functions.common.events import StaffRole
from functions.common.settings import Settings

products = Resource("products")
HOSTS = (StaffRole.HOST,)
STAFF = (StaffRole.HOST, StaffRole.MODERATOR)


@products.operation(
    Operation("/products", "GET", "Every product, with stock counters", "products",
              staff=STAFF, answer=ProductList)
)  # fmt: skip
def list_products() -> Response:
    return answer(ProductList(products=[p.view(staff=True) for p in catalog.list_products()]))


@products.operation(
    Operation("/products", "POST", "Create a product and its variants", "products",
              staff=HOSTS, body=ProductDraft, answer=ProductView, status=201, refusals=(409,))
)  # fmt: skip
def create_product() -> Response:
    draft = body_of(current_request(products), ProductDraft)
    _needs_storefront_ids([(f"variants.{i}.", v) for i, v in enumerate(draft.variants)])
    try:
        return answer(catalog.create_product(draft).view(staff=True), 201)
    except catalog.AlreadyExists as error:
        raise errors.conflict("product_exists", f"product {draft.sku} already exists") from error
    except catalog.SkuTaken as error:
        raise _taken(error) from error


@products.operation(
    Operation("/products/{sku}", "GET", "A product with every stock counter", "products",
              staff=STAFF, answer=ProductView, refusals=(404,))
)  # fmt: skip
def get_product(sku: str) -> Response:
    found = catalog.stored_product(sku, consistent=True)
    if found is None:
        raise errors.not_found(f"no product {sku}")
    return answer(found.view(staff=True))


@products.operation(
    Operation("/products/{sku}", "PATCH", "Change a product's details or price", "products",
              staff=HOSTS, body=ProductChanges, answer=ProductView, refusals=(404,))
)  # fmt: skip
def update_product(sku: str) -> Response:
    changes = body_of(current_request(products), ProductChanges)
    try:
        return answer(catalog.update_product(sku, changes).view(staff=True))
    except catalog.NotFound as error:
        raise errors.not_found(f"no product {sku}") from error


@products.operation(
    Operation("/products/{sku}/variants", "POST", "Add a size or colour to a product", "products",
              staff=HOSTS, body=VariantDraft, answer=ProductView, status=201, refusals=(404, 409))
)  # fmt: skip
def add_variant(sku: str) -> Response:
    draft = body_of(current_request(products), VariantDraft)
    _needs_storefront_ids([("", draft)])
    try:
        return answer(catalog.add_variant(sku, draft).view(staff=True), 201)
    except catalog.NotFound as error:
        raise errors.not_found(f"no product {sku}") from error
    except catalog.AlreadyExists as error:
        raise errors.conflict(
            "variant_exists", f"{sku} already has a variant {draft.sku}"
        ) from error
    except catalog.SkuTaken as error:
        raise _taken(error) from error
    except catalog.TooManyVariants as error:
        raise errors.conflict(
            "too_many_variants", f"a product has at most {MAX_VARIANTS} variants"
        ) from error


@products.operation(
    Operation("/products/{sku}/variants/{variant_sku}/stock", "POST",
              "Put units of a variant on sale (or take available ones off sale)", "products",
              staff=HOSTS, body=StockChange, answer=ProductView, refusals=(404, 409))
)  # fmt: skip
def change_stock(sku: str, variant_sku: str) -> Response:
    change = body_of(current_request(products), StockChange)
    try:
        catalog.put_on_sale(sku, variant_sku, change.add)
    except catalog.NotFound as error:
        raise errors.not_found(f"no variant {variant_sku} of {sku}") from error
    except catalog.NotEnoughAvailable as error:
        raise errors.conflict(
            "not_enough_available", f"only {error.available} units are available to take off"
        ) from error
    found = catalog.stored_product(sku, consistent=True)
    if found is None:
        raise errors.not_found(f"no product {sku}")
    return answer(found.view(staff=True))


def _taken(error: catalog.SkuTaken) -> errors.ApiError:
    # A variant sku names one variant: carts, permalinks and badges go by it alone.
    return errors.conflict(
        "sku_taken", f"another product already has a variant {', '.join(error.skus)}"
    )


def _needs_storefront_ids(variants: list[tuple[str, VariantDraft]]) -> None:
    """A Shopify cart permalink names each variant by the shop's own id: without one, the
    viewer would reach a broken cart after the sale (`vitrine:checkout` adapter shopify)."""
    if Settings.from_env().checkout_adapter != "shopify":
        return
    missing = [
        errors.FieldError(
            field=f"{prefix}storefront_id", message="Shopify's variant id is required"
        )
        for prefix, variant in variants
        if not variant.storefront_id
    ]
    if missing:
        raise errors.ApiError(
            400, "invalid_request", "every variant needs its Shopify variant id", missing
        )
