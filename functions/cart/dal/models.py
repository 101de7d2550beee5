"""The commerce domain's own items (PynamoDB): carts, their lines and orders in the carts table;
promo codes and variant sku claims in the catalog table beside the shows and products they sell.

A cart is one partition of the carts table: `CART` is its header, `LINE#<variant sku>` each
line (a reservation while it is held, a sale once checked out), `ORDER` the order it became."""

from datetime import UTC, datetime, timedelta

from pynamodb.attributes import (
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from functions.common.aws import region as aws_region
from functions.common.models import TableName
from functions.common.settings import Env

CART_TTL = timedelta(days=30)  # an abandoned cart's items are deleted by TTL after this


def _utcnow() -> datetime:
    return datetime.now(UTC)


def cart_expiry() -> datetime:
    return _utcnow() + CART_TTL


class CartStatus:
    OPEN = "open"
    CHECKED_OUT = "checked_out"


class LineState:
    HELD = "held"  # units reserved until held_until
    SOLD = "sold"  # checked out


class CartModel(Model):
    """The cart's header: who it belongs to, where it came from, what it became."""

    class Meta:
        table_name = TableName(Env.CARTS_TABLE)
        region = aws_region()

    cart_id = UnicodeAttribute(hash_key=True)
    line_id = UnicodeAttribute(range_key=True, default="CART")
    show_id = UnicodeAttribute()
    viewer_id = UnicodeAttribute()
    status = UnicodeAttribute(default=CartStatus.OPEN)
    traffic_source = UnicodeAttribute(default="direct")
    promo_code = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=_utcnow)
    expires_at = TTLAttribute(default=cart_expiry)

    HEADER = "CART"


class CartLineModel(Model):
    """One variant in a cart, with its attribution (show, live or replay, offset in the show)."""

    class Meta:
        table_name = TableName(Env.CARTS_TABLE)
        region = aws_region()

    cart_id = UnicodeAttribute(hash_key=True)
    line_id = UnicodeAttribute(range_key=True)
    product_sku = UnicodeAttribute()
    sku = UnicodeAttribute()  # the variant's
    quantity = NumberAttribute()
    unit_price_cents = NumberAttribute()
    currency = UnicodeAttribute()
    state = UnicodeAttribute(default=LineState.HELD)
    held_until = NumberAttribute(null=True)  # epoch seconds; None once sold
    mode = UnicodeAttribute(default="live")
    offset_seconds = NumberAttribute(default=0)
    added_at = UTCDateTimeAttribute(default=_utcnow)
    expires_at = TTLAttribute(default=cart_expiry)

    @staticmethod
    def key(sku: str) -> str:
        return f"LINE#{sku}"


class OrderModel(Model):
    """The order a checkout made: what was handed to the storefront, and what it confirmed."""

    class Meta:
        table_name = TableName(Env.CARTS_TABLE)
        region = aws_region()

    cart_id = UnicodeAttribute(hash_key=True)
    line_id = UnicodeAttribute(range_key=True, default="ORDER")
    order_id = UnicodeAttribute()
    show_id = UnicodeAttribute()
    viewer_id = UnicodeAttribute()
    subtotal_cents = NumberAttribute()
    discount_cents = NumberAttribute(default=0)
    total_cents = NumberAttribute()
    currency = UnicodeAttribute()
    promo_code = UnicodeAttribute(null=True)
    mode = UnicodeAttribute()
    offset_seconds = NumberAttribute(default=0)
    traffic_source = UnicodeAttribute(default="direct")
    checkout_url = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=_utcnow)
    # What the storefront reported back (POST /orders/confirmations).
    storefront_order_id = UnicodeAttribute(null=True)
    confirmed_total_cents = NumberAttribute(null=True)
    confirmed_at = UTCDateTimeAttribute(null=True)

    HEADER = "ORDER"


class VariantSkuModel(Model):
    """A variant sku's claim: pk `SKU#<variant sku>`, sk `SKU`. Written with the variant, on
    condition that it does not exist, so a variant sku names one variant of one product: a cart
    line, a storefront permalink and a stock badge all go by the variant sku alone."""

    class Meta:
        table_name = TableName(Env.CATALOG_TABLE)
        region = aws_region()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="SKU")
    product_sku = UnicodeAttribute()

    @staticmethod
    def key(sku: str) -> str:
        return f"SKU#{sku}"


class PromoModel(Model):
    """A promo code: pk `PROMO#<code>`, sk `PROMO`. `used` only grows, in the checkout's
    transaction, and never past `usage_limit`."""

    class Meta:
        table_name = TableName(Env.CATALOG_TABLE)
        region = aws_region()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="PROMO")
    code = UnicodeAttribute()
    kind = UnicodeAttribute()  # percent | amount
    value = NumberAttribute()  # percent (1-90), or minor units off the basket
    currency = UnicodeAttribute(null=True)  # for amounts
    scope = UnicodeAttribute()  # live | live_and_replay | window
    show_id = UnicodeAttribute(null=True)  # None: every show
    starts_at = UTCDateTimeAttribute(null=True)
    ends_at = UTCDateTimeAttribute(null=True)
    usage_limit = NumberAttribute(null=True)
    used = NumberAttribute(default=0)
    label = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute(default=_utcnow)

    @staticmethod
    def key(code: str) -> str:
        return f"PROMO#{code}"
