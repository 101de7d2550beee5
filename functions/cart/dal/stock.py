"""Stock that never oversells: every unit moves between a variant's counters in one DynamoDB
transaction with the cart line and the event that record it.

    reserve   available -> reserved   (condition: available >= quantity)
    release   reserved  -> available  (the viewer took units out, or the hold ran out)
    sell      reserved  -> sold       (checkout, with every line of the cart at once)

Each transaction keeps available + reserved + sold = stock, and its conditions make it refuse
rather than drive a counter below zero, so no interleaving of Lambda environments oversells:
DynamoDB serializes transactions on the items they share. A refused transaction changes
nothing; one retried by the SDK after a timeout is made idempotent by its request token."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from functions.cart.dal.models import (
    CartLineModel,
    CartModel,
    CartStatus,
    LineState,
    OrderModel,
    PromoModel,
    cart_expiry,
)
from functions.cart.dal.transaction import Refused, Transaction
from functions.cart.logic.carts import MAX_QUANTITY
from functions.cart.logic.stock import StockCounters
from functions.common.events import CartCheckedOut, CartItemAdded, CartItemRemoved
from functions.common.models import EventModel, VariantModel


class OutOfStock(Exception):
    def __init__(self, sku: str, available: int) -> None:
        super().__init__(f"{sku}: {available} left")
        self.sku, self.available = sku, available


class CartNotOpen(Exception):
    """The cart was checked out (or does not exist): it takes no more changes."""


class LineChanged(Exception):
    """The line is not as the caller read it (a concurrent change, an expiry, a checkout)."""


class TooMany(Exception):
    """The line would exceed MAX_QUANTITY units."""


class HoldExpired(Exception):
    def __init__(self, skus: list[str]) -> None:
        super().__init__(", ".join(skus))
        self.skus = skus


class PromoExhausted(Exception):
    pass


def _variant(product_sku: str, sku: str) -> VariantModel:
    return VariantModel(VariantModel.key_of(product_sku), VariantModel.sort_key(sku))


def counters(product_sku: str, sku: str) -> StockCounters | None:
    try:
        item = VariantModel.get(
            VariantModel.key_of(product_sku), VariantModel.sort_key(sku), consistent_read=True
        )
    except VariantModel.DoesNotExist:
        return None
    return StockCounters(
        stock=int(item.stock),
        available=int(item.available),
        reserved=int(item.reserved),
        sold=int(item.sold),
    )


@dataclass(frozen=True, slots=True)
class Reservation:
    cart_id: str
    product_sku: str
    sku: str
    quantity: int
    unit_price_cents: int
    currency: str
    held_until: int  # epoch seconds
    event: CartItemAdded
    # The line's quantity this reservation was computed from (a change to an absolute
    # quantity): another request that moved it meanwhile refuses this one (LineChanged), so
    # a retried or doubled PUT reserves once. None: add to whatever the line holds.
    expected_quantity: int | None = None


def reserve(r: Reservation) -> None:
    """Moves `quantity` units of the variant into the cart's line, all of which is then held
    until `held_until`. Raises OutOfStock, CartNotOpen, TooMany or LineChanged, having
    changed nothing."""
    held_line = (
        (CartLineModel.state == LineState.HELD)
        & (CartLineModel.product_sku == r.product_sku)
        & (CartLineModel.quantity <= MAX_QUANTITY - r.quantity)
    )
    if r.expected_quantity:
        line_condition = held_line & (CartLineModel.quantity == r.expected_quantity)
    elif r.expected_quantity == 0:
        line_condition = CartLineModel.line_id.does_not_exist()
    else:
        line_condition = CartLineModel.line_id.does_not_exist() | held_line
    transaction = Transaction()
    transaction.update(
        "stock",
        _variant(r.product_sku, r.sku),
        actions=[
            VariantModel.available.add(-r.quantity),
            VariantModel.reserved.add(r.quantity),
        ],
        condition=VariantModel.pk.exists() & (VariantModel.available >= r.quantity),
    )
    transaction.update(
        "line",
        CartLineModel(r.cart_id, CartLineModel.key(r.sku)),
        actions=[
            CartLineModel.product_sku.set(r.product_sku),
            CartLineModel.sku.set(r.sku),
            CartLineModel.quantity.add(r.quantity),
            CartLineModel.unit_price_cents.set(r.unit_price_cents),
            CartLineModel.currency.set(r.currency),
            CartLineModel.state.set(LineState.HELD),
            CartLineModel.held_until.set(r.held_until),
            CartLineModel.mode.set(r.event.mode.value),
            CartLineModel.offset_seconds.set(r.event.offset_seconds),
            CartLineModel.added_at.set(r.event.at),
            # An update sets no default: the line expires with its cart (TTL, 30 days).
            CartLineModel.expires_at.set(cart_expiry()),
        ],
        condition=line_condition,
    )
    # The header lives as long as its newest line: the hold expiry reads it to release one.
    transaction.update(
        "cart",
        CartModel(r.cart_id, CartModel.HEADER),
        actions=[CartModel.expires_at.set(cart_expiry())],
        condition=CartModel.status == CartStatus.OPEN,
    )
    transaction.put("event", EventModel.from_event(r.event))
    try:
        transaction.commit_retrying()
    except Refused as refused:
        if "cart" in refused.failed:
            raise CartNotOpen(r.cart_id) from refused
        if "stock" in refused.failed:
            found = counters(r.product_sku, r.sku)
            raise OutOfStock(r.sku, found.available if found else 0) from refused
        if "line" in refused.failed:
            raise _why_line_refused(r) from refused
        raise


def _why_line_refused(r: Reservation) -> Exception:
    try:
        line = CartLineModel.get(r.cart_id, CartLineModel.key(r.sku), consistent_read=True)
    except CartLineModel.DoesNotExist:
        return LineChanged(r.sku)  # removed since the caller read it
    unchanged = r.expected_quantity is None or int(line.quantity) == r.expected_quantity
    if line.state != LineState.HELD or line.product_sku != r.product_sku or not unchanged:
        return LineChanged(r.sku)
    return TooMany(r.sku)


def release(
    line: CartLineModel,
    quantity: int,
    event: CartItemRemoved,
    *,
    only_hold: int | None = None,
) -> None:
    """Puts `quantity` units of a held line back on sale; the line goes when that is all of it.
    `only_hold` (the expiry's case) releases only the hold it was scheduled for: a line renewed,
    changed or sold since is left alone. Raises LineChanged, having changed nothing."""
    held = int(line.quantity)
    unchanged = (
        (CartLineModel.state == LineState.HELD)
        & (CartLineModel.quantity == held)
        & (CartLineModel.held_until == (line.held_until if only_hold is None else only_hold))
    )
    transaction = Transaction()
    transaction.update(
        "stock",
        _variant(line.product_sku, line.sku),
        actions=[VariantModel.available.add(quantity), VariantModel.reserved.add(-quantity)],
        condition=VariantModel.reserved >= quantity,
    )
    if quantity >= held:
        transaction.delete("line", line, condition=unchanged)
    else:
        transaction.update(
            "line", line, actions=[CartLineModel.quantity.add(-quantity)], condition=unchanged
        )
    transaction.put("event", EventModel.from_event(event))
    try:
        transaction.commit_retrying()
    except Refused as refused:
        if refused.failed:
            raise LineChanged(line.sku) from refused
        raise


@dataclass(frozen=True, slots=True)
class Sale:
    cart: CartModel
    lines: Sequence[CartLineModel]
    order: OrderModel
    event: CartCheckedOut
    now: datetime


def sell(sale: Sale) -> None:
    """Turns every held line of the cart into a sale, takes one use of its promo and records
    the order: all or nothing. Raises HoldExpired (naming the lines whose hold ran out),
    PromoExhausted, CartNotOpen or LineChanged, having changed nothing."""
    now = int(sale.now.timestamp())
    transaction = Transaction()
    for line in sale.lines:
        quantity = int(line.quantity)
        transaction.update(
            f"line:{line.sku}",
            line,
            actions=[CartLineModel.state.set(LineState.SOLD), CartLineModel.held_until.remove()],
            condition=(CartLineModel.state == LineState.HELD)
            & (CartLineModel.quantity == quantity)
            & (CartLineModel.held_until > now),
        )
        transaction.update(
            f"stock:{line.sku}",
            _variant(line.product_sku, line.sku),
            actions=[VariantModel.reserved.add(-quantity), VariantModel.sold.add(quantity)],
            condition=VariantModel.reserved >= quantity,
        )
    transaction.update(
        "cart",
        sale.cart,
        actions=[
            CartModel.status.set(CartStatus.CHECKED_OUT),
            CartModel.order_id.set(sale.order.order_id),
        ],
        condition=CartModel.status == CartStatus.OPEN,
    )
    if sale.order.promo_code:
        transaction.update(
            "promo",
            PromoModel(PromoModel.key(sale.order.promo_code), "PROMO"),
            actions=[PromoModel.used.add(1)],
            condition=PromoModel.pk.exists()
            & (
                PromoModel.usage_limit.does_not_exist() | (PromoModel.used < PromoModel.usage_limit)
            ),
        )
    transaction.put("order", sale.order, condition=OrderModel.line_id.does_not_exist())
    transaction.put("event", EventModel.from_event(sale.event))
    try:
        transaction.commit_retrying()
    except Refused as refused:
        expired = [
            line.sku
            for line in sale.lines
            if f"line:{line.sku}" in refused.failed and int(line.held_until or 0) <= now
        ]
        if expired:
            raise HoldExpired(expired) from refused
        if "cart" in refused.failed:
            raise CartNotOpen(sale.cart.cart_id) from refused
        if "promo" in refused.failed:
            raise PromoExhausted(str(sale.order.promo_code)) from refused
        if refused.failed:
            raise LineChanged(sale.cart.cart_id) from refused
        raise
