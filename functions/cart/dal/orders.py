"""Orders in the carts table: the storefront's confirmation and its `order.confirmed` event, in
one transaction, once (a repeated confirmation changes nothing)."""

from datetime import UTC, datetime
from decimal import Decimal

from functions.cart.dal.models import OrderModel
from functions.cart.dal.transaction import Refused, Transaction
from functions.cart.logic import errors
from functions.cart.logic.checkout import Confirmed, OrderConfirmation
from functions.cart.logic.money import to_cents
from functions.common.events import OrderConfirmed, ViewingMode
from functions.common.models import EventModel

ORDER_PREFIX = "vt-"


class NoSuchOrder(Exception):
    pass


def cart_of(order_id: str) -> str:
    cart_id = order_id.removeprefix(ORDER_PREFIX)
    if cart_id in ("", order_id):
        raise NoSuchOrder(order_id)
    return cart_id


def confirm(confirmation: OrderConfirmation) -> Confirmed:
    cart_id = cart_of(confirmation.order_id)
    try:
        order = OrderModel.get(cart_id, OrderModel.HEADER, consistent_read=True)
    except OrderModel.DoesNotExist as error:
        raise NoSuchOrder(confirmation.order_id) from error
    if order.storefront_order_id:
        if order.storefront_order_id != confirmation.storefront_order_id:
            raise errors.conflict(
                "order_already_confirmed",
                f"{confirmation.order_id} was confirmed as {order.storefront_order_id}",
            )
        return Confirmed(
            order_id=order.order_id,
            storefront_order_id=order.storefront_order_id,
            confirmed=False,
        )
    if confirmation.currency != order.currency:
        raise errors.conflict(
            "currency_mismatch",
            f"{confirmation.order_id} was handed off in {order.currency}, "
            f"not {confirmation.currency}",
        )
    now = datetime.now(UTC)
    value = Decimal(confirmation.total)
    transaction = Transaction()
    transaction.update(
        "order",
        order,
        actions=[
            OrderModel.storefront_order_id.set(confirmation.storefront_order_id),
            OrderModel.confirmed_total_cents.set(to_cents(value)),
            OrderModel.confirmed_at.set(now),
        ],
        condition=OrderModel.storefront_order_id.does_not_exist(),
    )
    event = OrderConfirmed(
        show_id=order.show_id,
        viewer_id=order.viewer_id,
        at=now,
        cart_id=cart_id,
        order_id=order.order_id,
        storefront_order_id=confirmation.storefront_order_id,
        value=value,
        currency=confirmation.currency,
        mode=ViewingMode(order.mode),
        traffic_source=order.traffic_source,
    )
    transaction.put("event", EventModel.from_event(event))
    try:
        transaction.commit_retrying()
    except Refused as refused:
        if "order" in refused.failed:  # a concurrent confirmation won
            return confirm(confirmation)
        raise
    return Confirmed(
        order_id=order.order_id,
        storefront_order_id=confirmation.storefront_order_id,
        confirmed=True,
    )
