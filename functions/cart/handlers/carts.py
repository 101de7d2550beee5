"""Carts (viewers): create, read, add, change, remove, promo, checkout. The cart id is the
viewer's key to it: random, unguessable, kept by the page."""

from typing import TYPE_CHECKING, cast

from chalice.app import Response

from functions.cart.actions import carts as cart_actions
from functions.cart.actions.checkout import checkout
from functions.cart.handlers.api import (
    Operation,
    Resource,
    Throttle,
    answer,
    body_of,
    current_request,
)
from functions.cart.logic.carts import CartDraft, CartView, LineRequest, QuantityChange
from functions.cart.logic.checkout import CheckoutResult
from functions.cart.logic.promos import PromoApplication
from functions.common.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

carts = Resource("carts")
# Sized for a flash sale: DynamoDB serializes a variant's transactions on its one item (about
# 500 a second); beyond that API Gateway answers 429 rather than letting requests pile up.
FLASH_SALE = Throttle(rate=500, burst=1000)
REFUSALS = (404, 409, 429)


def _shop() -> cart_actions.Shop:
    return cart_actions.Shop.from_settings(Settings.from_env())


@carts.operation(
    Operation("/carts", "POST", "Open a cart for a show", "carts",
              body=CartDraft, answer=CartView, status=201, refusals=(404, 409))
)  # fmt: skip
def create_cart() -> Response:
    return answer(cart_actions.create(body_of(current_request(carts), CartDraft)), 201)


@carts.operation(
    Operation("/carts/{cart_id}", "GET", "The cart, its holds and totals", "carts",
              answer=CartView, refusals=(404,))
)  # fmt: skip
def get_cart(cart_id: str) -> Response:
    return answer(cart_actions.get(cart_id, _shop()))


@carts.operation(
    Operation("/carts/{cart_id}/lines", "POST", "Reserve units of a variant in the cart",
              "carts", body=LineRequest, answer=CartView, refusals=REFUSALS, throttle=FLASH_SALE)
)  # fmt: skip
def add_line(cart_id: str) -> Response:
    request = body_of(current_request(carts), LineRequest)
    return answer(cart_actions.add(cart_id, request, _shop()))


@carts.operation(
    Operation("/carts/{cart_id}/lines/{sku}", "PUT", "Set a line's quantity (0 removes it)",
              "carts", body=QuantityChange, answer=CartView, refusals=REFUSALS,
              throttle=FLASH_SALE)
)  # fmt: skip
def change_line(cart_id: str, sku: str) -> Response:
    change = body_of(current_request(carts), QuantityChange)
    if change.quantity == 0:
        return answer(cart_actions.remove(cart_id, sku, _shop()))
    return answer(cart_actions.change(cart_id, sku, change.quantity, _shop()))


@carts.operation(
    Operation("/carts/{cart_id}/lines/{sku}", "DELETE", "Remove a line: its units go back on sale",
              "carts", answer=CartView, refusals=REFUSALS)
)  # fmt: skip
def remove_line(cart_id: str, sku: str) -> Response:
    return answer(cart_actions.remove(cart_id, sku, _shop()))


@carts.operation(
    Operation("/carts/{cart_id}/promo", "POST", "Apply a promo code", "carts",
              body=PromoApplication, answer=CartView, refusals=REFUSALS)
)  # fmt: skip
def apply_promo(cart_id: str) -> Response:
    code = body_of(current_request(carts), PromoApplication).code
    return answer(cart_actions.apply_promo(cart_id, code, _shop()))


@carts.operation(
    Operation("/carts/{cart_id}/promo", "DELETE", "Remove the promo code", "carts",
              answer=CartView, refusals=(404, 409))
)  # fmt: skip
def remove_promo(cart_id: str) -> Response:
    return answer(cart_actions.remove_promo(cart_id, _shop()))


@carts.operation(
    Operation("/carts/{cart_id}/checkout", "POST",
              "Sell the cart and hand it to the storefront (idempotent per cart)", "carts",
              answer=CheckoutResult, refusals=(404, 409, 429, 502))
)  # fmt: skip
def checkout_cart(cart_id: str) -> Response:
    # Chalice types the context as its local stand-in; in AWS it is Lambda's own object.
    context = cast("LambdaContext", carts.blueprint.lambda_context)
    return answer(checkout(cart_id, Settings.from_env(), context))
