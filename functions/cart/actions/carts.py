"""What a viewer does with a cart: add, change, remove, apply a promo, check out.

Each step reads what it needs, decides with logic/, and writes through dal/stock.py's
transactions; the hold timer is started before the reservation it guards, so a reservation can
never outlive its timer (a timer whose reservation failed finds nothing to release)."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from functions.cart.adapters.hold_timer import HoldDue, HoldTimer
from functions.cart.dal import carts, catalog, promos, stock
from functions.cart.dal.carts import StoredCart
from functions.cart.dal.models import CartLineModel, CartModel, CartStatus, OrderModel
from functions.cart.dal.transaction import Busy
from functions.cart.logic import errors
from functions.cart.logic.carts import (
    MAX_LINES,
    CartDraft,
    CartView,
    LineRequest,
    LineView,
    Totals,
    show_offset,
    variant_label,
)
from functions.cart.logic.money import price_text, to_decimal
from functions.cart.logic.promos import Promo, PromoRefused, check_applies, discount_cents
from functions.common.events import (
    CartCheckedOut,
    CartItemAdded,
    CartItemRemoved,
    RemovalReason,
    ViewingMode,
)
from functions.common.models import ShowModel, ShowStatus
from functions.common.settings import Settings

SELLING = {ShowStatus.SCHEDULED, ShowStatus.LIVE, ShowStatus.ENDED, ShowStatus.REPLAY_PUBLISHED}


@dataclass(frozen=True, slots=True)
class Shop:
    """What the cart actions need from the deployment."""

    hold_seconds: int
    timer: HoldTimer

    @classmethod
    def from_settings(cls, settings: Settings) -> "Shop":
        return cls(settings.hold_seconds, HoldTimer(settings.require("holds_queue_url")))


def _now() -> datetime:
    return datetime.now(UTC)


def _cart(cart_id: str) -> StoredCart:
    found = carts.load(cart_id)
    if found is None:
        raise errors.not_found(f"no cart {cart_id}")
    return found


def _open(cart: StoredCart) -> None:
    if cart.header.status != CartStatus.OPEN:
        raise errors.conflict("cart_checked_out", "this cart has been checked out already")


def _show(show_id: str) -> ShowModel:
    show = catalog.show_item(show_id)
    if show is None:
        raise errors.not_found(f"no show {show_id}")
    return show


def create(draft: CartDraft) -> CartView:
    show = _show(draft.show_id)
    if ShowStatus(show.status) not in SELLING:
        raise errors.conflict("show_not_selling", f"show {draft.show_id} sells nothing now")
    header = CartModel(
        uuid4().hex,
        CartModel.HEADER,
        show_id=draft.show_id,
        viewer_id=draft.viewer_id,
        traffic_source=draft.traffic_source,
    )
    carts.create(header)
    return view(StoredCart(header), hold_seconds=0)


def _promo(cart: StoredCart) -> Promo | None:
    code = cart.header.promo_code
    return promos.get(code) if code else None


def _mode(show: ShowModel, requested: ViewingMode) -> ViewingMode:
    return ViewingMode.LIVE if show.status == ShowStatus.LIVE else requested


def totals(cart: StoredCart, promo: Promo | None) -> Totals:
    subtotal = sum(int(line.unit_price_cents) * int(line.quantity) for line in cart.lines)
    return Totals(
        subtotal_cents=subtotal,
        discount_cents=discount_cents(promo, subtotal) if promo else 0,
    )


def view(cart: StoredCart, *, hold_seconds: int) -> CartView:
    promo = _promo(cart)
    problem = None
    if promo is not None and cart.header.status == CartStatus.OPEN:
        # A code that stopped applying (its banner ended, the live did) takes nothing off:
        # the cart says why, instead of a total that checkout would refuse.
        refused = _promo_refusal(cart, promo, _show(cart.header.show_id))
        problem = str(refused) if refused else None
    products = {
        p.product.sku: p for p in catalog.products({line.product_sku for line in cart.lines})
    }
    lines = []
    for line in cart.lines:
        product = products.get(line.product_sku)
        variant = product.variant(line.sku) if product else None
        quantity, unit = int(line.quantity), int(line.unit_price_cents)
        lines.append(
            LineView(
                product_sku=line.product_sku,
                sku=line.sku,
                name=product.product.name if product else line.product_sku,
                variant=variant_label(variant.size, variant.colour) if variant else "",
                image_url=product.product.image_url if product else "",
                quantity=quantity,
                unit_price=price_text(unit),
                line_total=price_text(unit * quantity),
                currency=line.currency,
                held_until=datetime.fromtimestamp(int(line.held_until), UTC)
                if line.held_until
                else None,
            )
        )
    sums = totals(cart, None if problem else promo)
    return CartView(
        cart_id=cart.header.cart_id,
        show_id=cart.header.show_id,
        status=cart.header.status,
        lines=lines,
        item_count=sum(line.quantity for line in lines),
        currency=cart.lines[0].currency if cart.lines else "EUR",
        **sums.texts(),
        promo_code=promo.code if promo else None,
        promo_label=promo.banner() if promo else None,
        promo_problem=problem,
        hold_seconds=hold_seconds,
        order_id=cart.header.order_id,
    )


def get(cart_id: str, shop: Shop) -> CartView:
    return view(_cart(cart_id), hold_seconds=shop.hold_seconds)


def add(
    cart_id: str, request: LineRequest, shop: Shop, *, expected_quantity: int | None = None
) -> CartView:
    """Reserves `request.quantity` more units in the cart's line of that variant (a new line
    if none). `expected_quantity`: the line's quantity the request was computed from."""
    cart = _cart(cart_id)
    _open(cart)
    show = _show(cart.header.show_id)
    if request.product_sku not in show.product_skus:
        raise errors.not_found(f"show {show.show_id} does not sell {request.product_sku}")
    product = catalog.stored_product(request.product_sku)
    variant = product.variant(request.sku) if product else None
    if product is None or variant is None:
        raise errors.not_found(f"no variant {request.sku} of {request.product_sku}")
    if cart.line(request.sku) is None and len(cart.lines) >= MAX_LINES:
        raise errors.conflict("cart_full", f"a cart holds at most {MAX_LINES} products")
    if cart.lines and cart.lines[0].currency != product.product.currency:
        raise errors.conflict("currency_mismatch", "this cart is in another currency")
    now = _now()
    mode = _mode(show, request.mode)
    held_until = int(time.time()) + shop.hold_seconds
    unit_cents = product.unit_price_cents(variant)
    event = CartItemAdded(
        show_id=show.show_id,
        viewer_id=cart.header.viewer_id,
        at=now,
        cart_id=cart_id,
        product_sku=request.product_sku,
        sku=request.sku,
        quantity=request.quantity,
        unit_price=to_decimal(unit_cents),
        currency=product.product.currency,
        mode=mode,
        offset_seconds=show_offset(
            show.live_started_at if mode is ViewingMode.LIVE else None, now, request.offset_seconds
        ),
    )
    shop.timer.start(HoldDue(cart_id, request.sku, held_until))
    try:
        stock.reserve(
            stock.Reservation(
                cart_id=cart_id,
                product_sku=request.product_sku,
                sku=request.sku,
                quantity=request.quantity,
                unit_price_cents=unit_cents,
                currency=product.product.currency,
                held_until=held_until,
                event=event,
                expected_quantity=expected_quantity,
            )
        )
    except stock.OutOfStock as refused:
        left = "sold out" if refused.available <= 0 else f"only {refused.available} left"
        raise errors.conflict("out_of_stock", f"{request.sku} is {left}") from refused
    except stock.CartNotOpen as refused:
        raise errors.conflict("cart_checked_out", "this cart has been checked out") from refused
    except stock.TooMany as refused:
        raise errors.conflict("too_many", "at most 10 of one product per cart") from refused
    except stock.LineChanged as refused:
        raise errors.conflict("line_changed", "this line changed meanwhile: reload") from refused
    except Busy as refused:
        raise errors.ApiError(429, "busy", "many viewers are buying this: try again") from refused
    return get(cart_id, shop)


def _release(cart: StoredCart, line: CartLineModel, quantity: int) -> None:
    event = CartItemRemoved(
        show_id=cart.header.show_id,
        viewer_id=cart.header.viewer_id,
        cart_id=cart.header.cart_id,
        product_sku=line.product_sku,
        sku=line.sku,
        quantity=quantity,
        reason=RemovalReason.REMOVED,
    )
    try:
        stock.release(line, quantity, event)
    except stock.LineChanged as refused:
        raise errors.conflict("line_changed", "this line changed meanwhile: reload") from refused
    except Busy as refused:
        raise errors.ApiError(429, "busy", "try again in a moment") from refused


def change(cart_id: str, sku: str, quantity: int, shop: Shop) -> CartView:
    """Sets the line's quantity: more reserves (and renews the hold), less releases."""
    cart = _cart(cart_id)
    _open(cart)
    line = cart.line(sku)
    if line is None:
        raise errors.not_found(f"no line {sku} in this cart")
    held = int(line.quantity)
    if quantity > held:
        request = LineRequest(
            product_sku=line.product_sku,
            sku=sku,
            quantity=quantity - held,
            mode=ViewingMode(line.mode),
            offset_seconds=float(line.offset_seconds),
        )
        return add(cart_id, request, shop, expected_quantity=held)
    if quantity < held:
        _release(cart, line, held - quantity)
    return get(cart_id, shop)


def remove(cart_id: str, sku: str, shop: Shop) -> CartView:
    cart = _cart(cart_id)
    _open(cart)
    line = cart.line(sku)
    if line is None:
        raise errors.not_found(f"no line {sku} in this cart")
    _release(cart, line, int(line.quantity))
    return get(cart_id, shop)


def _promo_refusal(cart: StoredCart, promo: Promo, show: ShowModel) -> PromoRefused | None:
    """Why `promo` does not apply to this cart now (None: it does)."""
    mode = ViewingMode.LIVE if show.status == ShowStatus.LIVE else ViewingMode.REPLAY
    currency = cart.lines[0].currency if cart.lines else promo.currency or "EUR"
    try:
        check_applies(promo, show_id=show.show_id, mode=mode, currency=currency, now=_now())
    except PromoRefused as refused:
        return refused
    return None


def _check_promo(cart: StoredCart, promo: Promo, show: ShowModel) -> None:
    # 409: the request is well formed, the code's state (ended, used up, live only) refuses it.
    if refused := _promo_refusal(cart, promo, show):
        raise errors.conflict(refused.code, str(refused)) from refused


def apply_promo(cart_id: str, code: str, shop: Shop) -> CartView:
    cart = _cart(cart_id)
    _open(cart)
    promo = promos.get(code.strip().upper())
    if promo is None:
        raise errors.not_found(f"no promo code {code}")
    _check_promo(cart, promo, _show(cart.header.show_id))
    carts.set_promo(cart_id, promo.code)
    return get(cart_id, shop)


def remove_promo(cart_id: str, shop: Shop) -> CartView:
    cart = _cart(cart_id)
    _open(cart)
    carts.set_promo(cart_id, None)
    return get(cart_id, shop)


def sell(cart: StoredCart) -> OrderModel:
    """The cart's sale (dal/stock.sell), or the order an earlier attempt already made."""
    if cart.header.status == CartStatus.CHECKED_OUT and cart.order is not None:
        return cart.order
    _open(cart)
    if not cart.lines:
        raise errors.conflict("cart_empty", "the cart is empty")
    show = _show(cart.header.show_id)
    promo = _promo(cart)
    if promo is not None:
        _check_promo(cart, promo, show)
    sums = totals(cart, promo)
    now = _now()
    live = any(line.mode == ViewingMode.LIVE for line in cart.lines)
    mode = ViewingMode.LIVE if live else ViewingMode.REPLAY
    offset = show_offset(
        show.live_started_at if live else None, now, float(cart.lines[-1].offset_seconds)
    )
    order = OrderModel(
        cart.header.cart_id,
        OrderModel.HEADER,
        order_id=f"vt-{cart.header.cart_id}",  # one order per cart: the id leads back to it
        show_id=show.show_id,
        viewer_id=cart.header.viewer_id,
        subtotal_cents=sums.subtotal_cents,
        discount_cents=sums.discount_cents,
        total_cents=sums.total_cents,
        currency=cart.lines[0].currency,
        promo_code=promo.code if promo else None,
        mode=mode.value,
        offset_seconds=offset,
        traffic_source=cart.header.traffic_source,
        created_at=now,
    )
    event = CartCheckedOut(
        show_id=show.show_id,
        viewer_id=cart.header.viewer_id,
        at=now,
        cart_id=cart.header.cart_id,
        order_id=order.order_id,
        basket_value=to_decimal(sums.total_cents),
        discount=to_decimal(sums.discount_cents),
        currency=order.currency,
        item_count=sum(int(line.quantity) for line in cart.lines),
        mode=mode,
        offset_seconds=offset,
        promo_code=order.promo_code,
        traffic_source=cart.header.traffic_source,
    )
    try:
        stock.sell(stock.Sale(cart.header, cart.lines, order, event, now))
    except stock.HoldExpired as refused:
        raise errors.conflict(
            "hold_expired",
            f"the reservation of {', '.join(refused.skus)} ran out: add it again",
        ) from refused
    except stock.PromoExhausted as refused:
        raise errors.conflict(
            "promo_exhausted", f"{order.promo_code} has been used up"
        ) from refused
    except stock.CartNotOpen as refused:
        raise errors.conflict("cart_checked_out", "this cart has been checked out") from refused
    except stock.LineChanged as refused:
        raise errors.conflict("cart_changed", "the cart changed meanwhile: reload it") from refused
    except Busy as refused:
        raise errors.ApiError(429, "busy", "try again in a moment") from refused
    return order
