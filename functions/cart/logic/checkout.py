"""The checkout hand-off: Vitrine is not the store. A checkout gives the brand's storefront the
cart, as a signed webhook or as a cart permalink, and the viewer the URL to pay at. Pure Python.

The webhook is signed like Stripe's: header `Vitrine-Signature: t=<unix seconds>,v1=<hex>`,
where v1 = HMAC-SHA256(secret, f"{t}.{raw body}"). Receivers check it and refuse old `t`s."""

import hashlib
import hmac
import string
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field

from functions.common.events import Identifier, StorefrontOrderId, ViewingMode

SIGNATURE_HEADER = "Vitrine-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300


class CheckoutAdapter(StrEnum):
    WEBHOOK = "webhook"  # POST the signed order to the brand; it answers the checkout URL
    SHOPIFY = "shopify"  # https://<shop>/cart/<variant id>:<qty>,...
    GENERIC = "generic"  # a URL template with {items}, {cart_id}, {order_id}, {promo}


class OpensIn(StrEnum):
    NEW_TAB = "new_tab"
    SAME_TAB = "same_tab"


class OrderLine(BaseModel):
    product_sku: str
    sku: str
    storefront_id: str  # the storefront's variant id; the sku when the brand gave none
    name: str
    quantity: int
    unit_price: str
    currency: str


class Attribution(BaseModel):
    show_id: str
    mode: ViewingMode
    offset_seconds: float
    traffic_source: str
    viewer_id: str


class HandOff(BaseModel):
    """The webhook's body (docs/commerce.md): the order as the storefront should take it."""

    event: str = "vitrine.checkout"
    order_id: str
    cart_id: str
    created_at: datetime
    currency: str
    subtotal: str
    discount: str
    total: str
    promo_code: str | None
    lines: list[OrderLine]
    attribution: Attribution


class WebhookAnswer(BaseModel):
    """What the brand's webhook answers: where the viewer pays."""

    model_config = ConfigDict(extra="ignore")

    checkout_url: str = Field(pattern=r"^https?://")


class CheckoutResult(BaseModel):
    """The answer of `POST /carts/{cart_id}/checkout`."""

    order_id: str
    checkout_url: str
    opens_in: OpensIn
    total: str
    currency: str


class OrderConfirmation(BaseModel):
    """The body of `POST /orders/confirmations`, signed by the storefront like the webhook."""

    model_config = ConfigDict(extra="forbid")

    order_id: Identifier  # Vitrine's, from the hand-off
    storefront_order_id: StorefrontOrderId
    total: str = Field(pattern=r"^\d{1,10}(\.\d{1,2})?$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Confirmed(BaseModel):
    order_id: str
    storefront_order_id: str
    confirmed: bool  # False: this confirmation had already been recorded


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def signature_valid(secret: str, body: bytes, header: str | None, now: int) -> bool:
    """True when `header` signs `body` with `secret` within the tolerance."""
    if not header:
        return False
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, a 500).
    return hmac.compare_digest(expected.encode(), parts.get("v1", "").encode())


TEMPLATE_FIELDS = ("items", "cart_id", "order_id", "promo")


def template_problem(template: str) -> str | None:
    """What makes `template` unusable as the generic adapter's URL (None: nothing). Checked
    when the stack is synthesized: at checkout the units would already be sold."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        return f"{error} (write a literal brace as {{{{ or }}}})"
    if "items" not in fields:
        return "it needs {items}"
    unknown = sorted(fields - set(TEMPLATE_FIELDS))
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in TEMPLATE_FIELDS)
        return f"unknown {', '.join(f'{{{name}}}' for name in unknown)}: it may use {known}"
    return None


def permalink(adapter: CheckoutAdapter, template: str, order: HandOff) -> str:
    """The storefront URL that opens a cart holding the order's lines."""
    if adapter is CheckoutAdapter.SHOPIFY:
        items = ",".join(f"{quote(line.storefront_id)}:{line.quantity}" for line in order.lines)
        query = {"ref": order.order_id}
        if order.promo_code:
            query["discount"] = order.promo_code
        return f"{template.rstrip('/')}/cart/{items}?{urlencode(query)}"
    if adapter is CheckoutAdapter.GENERIC:
        items = ",".join(f"{line.storefront_id}:{line.quantity}" for line in order.lines)
        return template.format(
            items=quote(items, safe=":,"),
            cart_id=quote(order.cart_id),
            order_id=quote(order.order_id),
            promo=quote(order.promo_code or ""),
        )
    raise ValueError(f"{adapter} hands off by webhook, not by permalink")
