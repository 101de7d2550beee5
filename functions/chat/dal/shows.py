"""The chat's view of the catalog: a show's details and status, its products (PynamoDB)."""

from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from functions.chat.logic.frames import ProductCard, PromoBanner, ShowView, VariantStockView
from functions.common.models import (
    ProductModel,
    ShowModel,
    ShowStatus,
    VariantModel,
    partition,
)
from functions.common.stock import badge, stock_state


def show(show_id: str) -> ShowModel | None:
    try:
        return ShowModel.get(ShowModel.key(show_id), "SHOW")
    except ShowModel.DoesNotExist:
        return None


def show_view(model: ShowModel) -> ShowView:
    return ShowView(
        show_id=model.show_id,
        title=model.title,
        status=model.status,
        starts_at=model.starts_at,  # type: ignore[arg-type]  # ISO text, parsed by pydantic
        host_name=model.host_name,
    )


def promo_banner(model: ShowModel, *, now: datetime) -> PromoBanner | None:
    """The promo pushed to the show's room, while it runs."""
    expires_at = model.promo_expires_at
    if not model.promo_code or expires_at is None or expires_at <= now:
        return None
    return PromoBanner(
        code=model.promo_code,
        label=model.promo_label or model.promo_code,
        expires_at=expires_at,
        server_time=now,
    )


def set_status(show_id: str, status: ShowStatus, *, only_from: set[ShowStatus]) -> bool:
    """Moves the show to `status` if it is in one of `only_from` (False: it was not)."""
    condition = ShowModel.status.is_in(*[value.value for value in only_from])
    actions: list[Action] = [ShowModel.status.set(status.value)]
    if status is ShowStatus.LIVE:  # the show's clock: where in the show a cart line was added
        actions.append(ShowModel.live_started_at.set(datetime.now(UTC)))
    try:
        ShowModel(ShowModel.key(show_id), "SHOW").update(
            actions=actions,
            condition=ShowModel.pk.exists() & condition,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def product_card(sku: str) -> ProductCard | None:
    """The card of product `sku`: one Query reads the product and its variants' stock."""
    product: ProductModel | None = None
    available = 0
    for raw in partition(ProductModel, ProductModel.key(sku)):
        if raw["sk"]["S"] == "PRODUCT":
            product = ProductModel.from_raw_data(raw)
        else:
            available += max(0, int(VariantModel.from_raw_data(raw).available))
    if product is None:
        return None
    cents = int(product.price_cents)
    return ProductCard(
        sku=product.sku,
        name=product.name,
        price=f"{cents // 100}.{cents % 100:02d}",
        currency=product.currency,
        image_url=product.image_url,
        product_url=product.product_url,
        in_stock=available > 0,
    )


def product_stock(sku: str) -> tuple[bool, list[VariantStockView]] | None:
    """Product `sku`'s variants as viewers see them (one Query): in stock, and each badge."""
    found = False
    variants: list[VariantModel] = []
    for raw in partition(ProductModel, ProductModel.key(sku)):
        if raw["sk"]["S"] == "PRODUCT":
            found = True
        else:
            variants.append(VariantModel.from_raw_data(raw))
    if not found:
        return None
    variants.sort(key=lambda variant: (int(variant.position or 0), variant.sku))
    views = [
        VariantStockView(
            sku=variant.sku,
            available=max(0, int(variant.available)),
            stock_state=stock_state(int(variant.available)),
            badge=badge(int(variant.available)),
        )
        for variant in variants
    ]
    return any(view.available > 0 for view in views), views
