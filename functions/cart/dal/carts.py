"""Carts in the carts table (PynamoDB): a cart's header, lines and order in one partition."""

from dataclasses import dataclass, field

from pynamodb.exceptions import PutError

from functions.cart.dal.models import CartLineModel, CartModel, OrderModel
from functions.common.models import partition


@dataclass
class StoredCart:
    header: CartModel
    lines: list[CartLineModel] = field(default_factory=list)
    order: OrderModel | None = None

    def line(self, sku: str) -> CartLineModel | None:
        return next((line for line in self.lines if line.sku == sku), None)


class CartExists(Exception):
    pass


def create(header: CartModel) -> None:
    try:
        header.save(condition=CartModel.cart_id.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise CartExists(header.cart_id) from error
        raise


def load(cart_id: str) -> StoredCart | None:
    """The whole cart in one strongly consistent Query (a viewer reads their own writes)."""
    header: CartModel | None = None
    lines: list[CartLineModel] = []
    order: OrderModel | None = None
    for raw in partition(CartModel, cart_id, consistent=True):
        kind = raw["line_id"]["S"]
        if kind == CartModel.HEADER:
            header = CartModel.from_raw_data(raw)
        elif kind == OrderModel.HEADER:
            order = OrderModel.from_raw_data(raw)
        else:
            lines.append(CartLineModel.from_raw_data(raw))
    if header is None:
        return None
    return StoredCart(header, sorted(lines, key=lambda line: line.added_at), order)


def line(cart_id: str, sku: str) -> CartLineModel | None:
    try:
        return CartLineModel.get(cart_id, CartLineModel.key(sku), consistent_read=True)
    except CartLineModel.DoesNotExist:
        return None


def set_promo(cart_id: str, code: str | None) -> None:
    action = CartModel.promo_code.set(code) if code else CartModel.promo_code.remove()
    CartModel(cart_id, CartModel.HEADER).update(
        actions=[action], condition=CartModel.cart_id.exists()
    )
