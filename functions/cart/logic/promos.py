"""Promo codes: what a valid code is, when it applies, what it takes off. Pure Python."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from functions.common.events import Currency, Identifier, Money, PromoCode, PromoKind, ViewingMode

MAX_PUSH_SECONDS = 3600


class PromoScope(StrEnum):
    LIVE = "live"  # only while the show is live
    LIVE_AND_REPLAY = "live_and_replay"
    WINDOW = "window"  # between starts_at and ends_at, live or replay


class PromoDraft(BaseModel):
    """The body of `POST /promos`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: PromoCode
    kind: PromoKind
    percent: int | None = Field(default=None, ge=1, le=90)
    amount: Money | None = Field(default=None, gt=0)
    currency: Currency | None = None
    scope: PromoScope = PromoScope.LIVE
    show_id: Identifier | None = None  # None: valid in every show
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    usage_limit: int | None = Field(default=None, ge=1, le=1_000_000)
    label: str = Field(default="", max_length=80)

    @model_validator(mode="after")
    def _consistent(self) -> "PromoDraft":
        if self.kind is PromoKind.PERCENT and (self.percent is None or self.amount is not None):
            raise ValueError("a percent promo takes `percent` (1-90) and no `amount`")
        if self.kind is PromoKind.AMOUNT and (
            self.amount is None or self.currency is None or self.percent is not None
        ):
            raise ValueError("an amount promo takes `amount` and `currency`, and no `percent`")
        if self.scope is PromoScope.WINDOW and (self.starts_at is None or self.ends_at is None):
            raise ValueError("a window promo takes `starts_at` and `ends_at`")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("`ends_at` must come after `starts_at`")
        return self


class PromoPush(BaseModel):
    """The body of `POST /shows/{show_id}/promos/{code}/push`."""

    model_config = ConfigDict(extra="forbid")

    duration_seconds: int = Field(default=300, ge=30, le=MAX_PUSH_SECONDS)


class PromoApplication(BaseModel):
    """The body of `POST /carts/{cart_id}/promo`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=32)


class PromoView(BaseModel):
    code: str
    kind: PromoKind
    value: int  # percent, or minor units off
    currency: str | None
    scope: PromoScope
    show_id: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    usage_limit: int | None
    used: int
    label: str


class PromoList(BaseModel):
    promos: list[PromoView]


@dataclass(frozen=True, slots=True)
class Promo:
    code: str
    kind: PromoKind
    value: int
    currency: str | None
    scope: PromoScope
    show_id: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    usage_limit: int | None
    used: int
    label: str = ""

    @property
    def exhausted(self) -> bool:
        return self.usage_limit is not None and self.used >= self.usage_limit

    def banner(self) -> str:
        """The room banner's text, e.g. "-20 %" or "-10.00 EUR"."""
        if self.label:
            return self.label
        if self.kind is PromoKind.PERCENT:
            return f"-{self.value} %"
        return f"-{self.value // 100}.{self.value % 100:02d} {self.currency}"


class PromoRefused(Exception):
    """Why a code does not apply here and now (the message is for the viewer)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_applies(
    promo: Promo,
    *,
    show_id: str,
    mode: ViewingMode,
    currency: str,
    now: datetime,
) -> None:
    """Raises PromoRefused unless `promo` applies to a cart of `show_id` watched in `mode`.
    (Pushing a code to the room brings its `ends_at` forward: it expires for everyone at once.)"""
    if promo.show_id is not None and promo.show_id != show_id:
        raise PromoRefused("promo_not_for_show", f"{promo.code} is not valid for this show")
    if promo.scope is PromoScope.LIVE and mode is not ViewingMode.LIVE:
        raise PromoRefused("promo_live_only", f"{promo.code} is valid during the live show only")
    if promo.starts_at and now < promo.starts_at:
        raise PromoRefused("promo_not_started", f"{promo.code} is not valid yet")
    if promo.ends_at and now >= promo.ends_at:
        raise PromoRefused("promo_expired", f"{promo.code} has expired")
    if promo.kind is PromoKind.AMOUNT and promo.currency != currency:
        raise PromoRefused("promo_currency", f"{promo.code} is for {promo.currency} baskets")
    if promo.exhausted:
        raise PromoRefused("promo_exhausted", f"{promo.code} has been used up")


def discount_cents(promo: Promo, subtotal_cents: int) -> int:
    """What `promo` takes off a basket: never more than the basket."""
    if promo.kind is PromoKind.PERCENT:
        off = (subtotal_cents * promo.value + 50) // 100
    else:
        off = promo.value
    return max(0, min(off, subtotal_cents))


def push_ends_at(promo: Promo, now: datetime, duration_seconds: int) -> datetime:
    """When a push's banner, and with it the code, ends: after `duration_seconds`, or sooner
    when the code's own window closes first. A push shortens a code, never extends it."""
    ends = now + timedelta(seconds=duration_seconds)
    return min(ends, promo.ends_at) if promo.ends_at else ends
