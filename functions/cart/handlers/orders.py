"""Order confirmations: the storefront reports the order it took from a Vitrine checkout, signed
with the secret the checkout webhook uses, so revenue and ROI count orders, not intentions."""

import time

from chalice.app import Response

from functions.cart.adapters.storefront import shared_secret
from functions.cart.dal.orders import NoSuchOrder, confirm
from functions.cart.handlers.api import Operation, Resource, answer, body_of, current_request
from functions.cart.logic import errors
from functions.cart.logic.checkout import (
    SIGNATURE_HEADER,
    Confirmed,
    OrderConfirmation,
    signature_valid,
)
from functions.common.settings import Settings

orders = Resource("orders")


@orders.operation(
    Operation("/orders/confirmations", "POST",
              f"The storefront confirms an order (signed: `{SIGNATURE_HEADER}` header)",
              "orders", body=OrderConfirmation, answer=Confirmed, refusals=(401, 404, 409))
)  # fmt: skip
def confirm_order() -> Response:
    request = current_request(orders)
    secret = shared_secret(Settings.from_env().require("storefront_secret_arn"))
    raw = request.raw_body or b""
    body = raw.encode() if isinstance(raw, str) else raw
    if not signature_valid(secret, body, request.headers.get(SIGNATURE_HEADER), int(time.time())):
        raise errors.unauthorized(f"the {SIGNATURE_HEADER} header does not sign this body")
    confirmation = body_of(request, OrderConfirmation)
    try:
        return answer(confirm(confirmation))
    except NoSuchOrder as error:
        raise errors.not_found(f"no Vitrine order {confirmation.order_id}") from error
