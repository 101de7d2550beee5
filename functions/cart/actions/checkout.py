"""Checkout: sell the cart, hand it to the storefront, tell the viewer where to pay.

Idempotent twice over. Powertools idempotency (DynamoDB) answers a retried checkout of the same
cart with the first answer, without selling or calling the webhook again. Below it, the sale
itself is conditional on the cart being open: an attempt that failed after the sale (the
webhook was down) resumes with the same order instead of making another."""

from functools import cache
from typing import TYPE_CHECKING, Any

from functions.cart.actions.carts import sell
from functions.cart.adapters.storefront import StorefrontUnavailable, send_checkout, shared_secret
from functions.cart.dal import carts, catalog
from functions.cart.dal.models import LineState, OrderModel
from functions.cart.logic import errors
from functions.cart.logic.checkout import (
    Attribution,
    CheckoutAdapter,
    CheckoutResult,
    HandOff,
    OpensIn,
    OrderLine,
    permalink,
)
from functions.cart.logic.money import price_text
from functions.common.events import ViewingMode
from functions.common.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

IDEMPOTENCY_SECONDS = 3600  # a retry within the hour gets the first answer


def hand_off_of(cart_id: str, order: OrderModel) -> HandOff:
    """The order as the storefront receives it: the lines the sale sold, nothing else (a line
    added by another tab while the sale ran stays held, and goes back on sale with its hold)."""
    cart = carts.load(cart_id)
    lines = [line for line in (cart.lines if cart else []) if line.state == LineState.SOLD]
    products = {p.product.sku: p for p in catalog.products({line.product_sku for line in lines})}
    order_lines = []
    for line in lines:
        product = products.get(line.product_sku)
        variant = product.variant(line.sku) if product else None
        order_lines.append(
            OrderLine(
                product_sku=line.product_sku,
                sku=line.sku,
                storefront_id=(variant.storefront_id if variant else "") or line.sku,
                name=product.product.name if product else line.product_sku,
                quantity=int(line.quantity),
                unit_price=price_text(int(line.unit_price_cents)),
                currency=line.currency,
            )
        )
    return HandOff(
        order_id=order.order_id,
        cart_id=cart_id,
        created_at=order.created_at,
        currency=order.currency,
        subtotal=price_text(int(order.subtotal_cents)),
        discount=price_text(int(order.discount_cents)),
        total=price_text(int(order.total_cents)),
        promo_code=order.promo_code,
        lines=order_lines,
        attribution=Attribution(
            show_id=order.show_id,
            mode=ViewingMode(order.mode),
            offset_seconds=float(order.offset_seconds),
            traffic_source=order.traffic_source,
            viewer_id=order.viewer_id,
        ),
    )


def _checkout_url(settings: Settings, hand_off: HandOff) -> str:
    adapter = CheckoutAdapter(settings.checkout_adapter)
    target = settings.require("checkout_url")
    if adapter is CheckoutAdapter.WEBHOOK:
        secret = shared_secret(settings.require("storefront_secret_arn"))
        try:
            return send_checkout(target, secret, hand_off).checkout_url
        except StorefrontUnavailable as error:
            raise errors.ApiError(502, "storefront_unavailable", str(error)) from error
    return permalink(adapter, target, hand_off)


def checkout_cart(cart_id: str, settings: Settings) -> CheckoutResult:
    cart = carts.load(cart_id)
    if cart is None:
        raise errors.not_found(f"no cart {cart_id}")
    order = sell(cart)
    if not order.checkout_url:
        order.checkout_url = _checkout_url(settings, hand_off_of(cart_id, order))
        order.update(actions=[OrderModel.checkout_url.set(order.checkout_url)])
    return CheckoutResult(
        order_id=order.order_id,
        checkout_url=order.checkout_url,
        opens_in=OpensIn(settings.checkout_opens_in),
        total=price_text(int(order.total_cents)),
        currency=order.currency,
    )


@cache
def _idempotent(table: str) -> "tuple[Callable[..., dict[str, Any]], IdempotencyConfig]":
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(
        event_key_jmespath="cart_id", expires_after_seconds=IDEMPOTENCY_SECONDS
    )

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="request",
        config=config,
        persistence_store=DynamoDBPersistenceLayer(table_name=table),
    )
    def checkout_once(request: dict[str, str]) -> dict[str, Any]:
        settings = Settings.from_env()
        return checkout_cart(request["cart_id"], settings).model_dump(mode="json")

    return checkout_once, config


def checkout(
    cart_id: str, settings: Settings, lambda_context: "LambdaContext | None" = None
) -> CheckoutResult:
    """Raises ApiError (409 with a reason, 502 when the storefront failed: retrying is safe).

    With the invocation's `lambda_context`, a checkout counts as under way only while its
    Lambda can still be running: a retry after one that timed out or crashed is served at
    once, instead of being told "in progress" for IDEMPOTENCY_SECONDS."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
    )

    checkout_once, config = _idempotent(settings.require("idempotency_table"))
    config.lambda_context = lambda_context  # this invocation's, never a previous one's
    try:
        answer = checkout_once(request={"cart_id": cart_id})
    except IdempotencyAlreadyInProgressError as error:
        raise errors.conflict(
            "checkout_in_progress", "this cart's checkout is under way: retry in a moment"
        ) from error
    return CheckoutResult.model_validate(answer)
