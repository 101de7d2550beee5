"""Catalog adapter: shows and products in the catalog table (PynamoDB)."""

from datetime import datetime

from pynamodb.exceptions import PutError

from functions.cart.logic.shows import ProductView, ShowDraft, ShowView, price_text
from functions.common.models import ProductModel, ShowModel, ShowStatus


class ShowAlreadyExists(Exception):
    pass


def _product_view(product: ProductModel) -> ProductView:
    return ProductView(
        sku=product.sku,
        name=product.name,
        description=product.description,
        price=price_text(int(product.price_cents)),
        currency=product.currency,
        in_stock=product.stock > 0,
        image_url=product.image_url,
        product_url=product.product_url,
    )


def _show_view(show: ShowModel, products: list[ProductView]) -> ShowView:
    return ShowView(
        show_id=show.show_id,
        title=show.title,
        description=show.description,
        host_name=show.host_name,
        status=show.status,
        starts_at=datetime.fromisoformat(show.starts_at),
        duration_minutes=int(show.duration_minutes),
        recurrence_rule=show.recurrence_rule,
        products=products,
    )


def products(skus: list[str]) -> list[ProductView]:
    """The products of `skus`, in that order; unknown skus are skipped."""
    if not skus:
        return []
    found = {
        item.sku: item
        for item in ProductModel.batch_get([(ProductModel.key(sku), "PRODUCT") for sku in skus])
    }
    return [_product_view(found[sku]) for sku in skus if sku in found]


def get_show(show_id: str) -> ShowView | None:
    try:
        show = ShowModel.get(ShowModel.key(show_id), "SHOW")
    except ShowModel.DoesNotExist:
        return None
    return _show_view(show, products(list(show.product_skus)))


def list_shows(status: ShowStatus, limit: int = 50) -> list[ShowView]:
    shows = ShowModel.by_status.query(status.value, limit=limit)
    return [_show_view(show, []) for show in shows]


def create_show(draft: ShowDraft) -> ShowView:
    show = ShowModel(
        ShowModel.key(draft.show_id),
        "SHOW",
        show_id=draft.show_id,
        title=draft.title,
        description=draft.description,
        host_name=draft.host_name,
        starts_at=draft.starts_at_utc,
        duration_minutes=draft.duration_minutes,
        recurrence_rule=draft.recurrence_rule,
        product_skus=draft.product_skus,
    )
    try:
        show.save(condition=ShowModel.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise ShowAlreadyExists(draft.show_id) from error
        raise
    return _show_view(show, products(draft.product_skus))
