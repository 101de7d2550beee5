"""Carts: the requests viewers send, the cart they see, and its totals. Pure Python."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from functions.cart.logic.money import price_text
from functions.cart.logic.products import Sku
from functions.common.events import Identifier, ViewingMode

MAX_LINES = 20  # one checkout is one DynamoDB transaction: 100 items, 2 to 3 per line
MAX_QUANTITY = 10  # units of one variant in one cart
DEFAULT_HOLD_SECONDS = 600


class CartDraft(BaseModel):
    """The body of `POST /carts`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    show_id: Identifier
    viewer_id: Identifier  # the anonymous viewer id the page keeps
    traffic_source: str = Field(default="direct", max_length=64)


class LineRequest(BaseModel):
    """The body of `POST /carts/{cart_id}/lines`: units of a variant to reserve."""

    model_config = ConfigDict(extra="forbid")

    product_sku: Sku
    sku: Sku
    quantity: int = Field(default=1, ge=1, le=MAX_QUANTITY)
    mode: ViewingMode = ViewingMode.LIVE
    # Where the viewer was in the show when they added it: the replay's position (live lines
    # take the show's own clock).
    offset_seconds: float = Field(default=0, ge=0, le=86_400)


class QuantityChange(BaseModel):
    """The body of `PUT /carts/{cart_id}/lines/{sku}`: the line's new quantity (0 removes it)."""

    model_config = ConfigDict(extra="forbid")

    quantity: int = Field(ge=0, le=MAX_QUANTITY)


class LineView(BaseModel):
    product_sku: str
    sku: str
    name: str
    variant: str  # "42 · Blue"
    image_url: str
    quantity: int
    unit_price: str
    line_total: str
    currency: str
    held_until: datetime | None  # when the reservation lapses; None once checked out


class CartView(BaseModel):
    cart_id: str
    show_id: str
    status: str  # open | checked_out
    lines: list[LineView]
    item_count: int
    currency: str
    subtotal: str
    discount: str
    total: str
    promo_code: str | None
    promo_label: str | None
    promo_problem: str | None = None  # why the code takes nothing off now (it expired...)
    hold_seconds: int
    order_id: str | None


class Totals(BaseModel):
    subtotal_cents: int
    discount_cents: int

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents - self.discount_cents

    def texts(self) -> dict[str, str]:
        return {
            "subtotal": price_text(self.subtotal_cents),
            "discount": price_text(self.discount_cents),
            "total": price_text(self.total_cents),
        }


def variant_label(size: str, colour: str) -> str:
    return " · ".join(part for part in (size, colour) if part)


def show_offset(live_started_at: datetime | None, now: datetime, claimed: float) -> float:
    """A live line's offset is the show's clock; a replay line's, the position the page reports."""
    if live_started_at is None:
        return claimed
    return max(0.0, (now - live_started_at).total_seconds())
