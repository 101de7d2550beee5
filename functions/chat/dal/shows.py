"""The chat's view of the catalog: a show's details and status, its products (PynamoDB)."""

from pynamodb.exceptions import UpdateError

from functions.chat.logic.frames import ProductCard, ShowView
from functions.common.models import ProductModel, ShowModel, ShowStatus


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


def set_status(show_id: str, status: ShowStatus, *, only_from: set[ShowStatus]) -> bool:
    """Moves the show to `status` if it is in one of `only_from` (False: it was not)."""
    condition = ShowModel.status.is_in(*[value.value for value in only_from])
    try:
        ShowModel(ShowModel.key(show_id), "SHOW").update(
            actions=[ShowModel.status.set(status.value)],
            condition=ShowModel.pk.exists() & condition,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def product_card(sku: str) -> ProductCard | None:
    try:
        product = ProductModel.get(ProductModel.key(sku), "PRODUCT")
    except ProductModel.DoesNotExist:
        return None
    cents = int(product.price_cents)
    return ProductCard(
        sku=product.sku,
        name=product.name,
        price=f"{cents // 100}.{cents % 100:02d}",
        currency=product.currency,
        image_url=product.image_url,
        product_url=product.product_url,
        in_stock=product.stock > 0,
    )
