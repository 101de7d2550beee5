"""The event vocabulary (docs/architecture.md §4): every interaction in a show is a typed event.

An event is written once to the event log (partitioned by show) and read back by KPIs, replays
and the live dashboard. Parse untrusted input with `parse_event`; never pass free-form dicts."""

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:#@-]+$")]
# A storefront's own order id: Shopify's are URIs (gid://shopify/Order/4471).
StorefrontOrderId = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:#@/-]+$")
]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Device(StrEnum):
    MOBILE = "mobile"
    TABLET = "tablet"
    DESKTOP = "desktop"
    UNKNOWN = "unknown"


class ViewingMode(StrEnum):
    LIVE = "live"
    REPLAY = "replay"


class StaffRole(StrEnum):
    ADMIN = "admin"
    HOST = "host"
    MODERATOR = "moderator"


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid4().hex


class ShowEventBase(BaseModel):
    """Fields every event carries. `viewer_id` is the anonymous viewer or the staff member."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: Identifier = Field(default_factory=_new_id)
    show_id: Identifier
    at: datetime = Field(default_factory=_now)
    viewer_id: Identifier | None = None

    @property
    def sort_key(self) -> str:
        """Orders the event log of a show by time, with the id breaking ties."""
        return f"{self.at.astimezone(UTC).isoformat(timespec='milliseconds')}#{self.event_id}"


class ViewerJoined(ShowEventBase):
    type: Literal["viewer.joined"] = "viewer.joined"
    mode: ViewingMode = ViewingMode.LIVE
    device: Device = Device.UNKNOWN
    traffic_source: str = Field(default="direct", max_length=64)


class ViewerLeft(ShowEventBase):
    type: Literal["viewer.left"] = "viewer.left"
    mode: ViewingMode = ViewingMode.LIVE
    watch_seconds: int = Field(ge=0)
    device: Device = Device.UNKNOWN
    traffic_source: str = Field(default="direct", max_length=64)


class ViewerHeartbeat(ShowEventBase):
    type: Literal["viewer.heartbeat"] = "viewer.heartbeat"
    mode: ViewingMode = ViewingMode.LIVE


class MessageKind(StrEnum):
    CHAT = "chat"
    QUESTION = "question"  # flagged for the moderator
    ANSWER = "answer"  # a staff reply to a question, highlighted


MessageText = Annotated[str, Field(min_length=1, max_length=500)]
DisplayName = Annotated[str, Field(min_length=1, max_length=40)]


class ChatPosted(ShowEventBase):
    type: Literal["chat.posted"] = "chat.posted"
    message_id: Identifier = Field(default_factory=_new_id)
    author_name: DisplayName
    author_role: StaffRole | None = None
    kind: MessageKind = MessageKind.CHAT
    reply_to: Identifier | None = None  # the question an answer replies to
    text: MessageText


class ChatDeleted(ShowEventBase):
    type: Literal["chat.deleted"] = "chat.deleted"
    message_id: Identifier
    reason: str = Field(default="", max_length=200)


class ChatPinned(ShowEventBase):
    type: Literal["chat.pinned"] = "chat.pinned"
    message_id: Identifier
    author_name: DisplayName
    text: MessageText


class ChatUnpinned(ShowEventBase):
    type: Literal["chat.unpinned"] = "chat.unpinned"
    message_id: Identifier


class ViewerMuted(ShowEventBase):
    """`viewer_id` is the moderator; `target_viewer_id` the viewer muted until `until`."""

    type: Literal["viewer.muted"] = "viewer.muted"
    target_viewer_id: Identifier
    until: datetime


class ViewerBanned(ShowEventBase):
    type: Literal["viewer.banned"] = "viewer.banned"
    target_viewer_id: Identifier


class SlowModeSet(ShowEventBase):
    """One message per `seconds` per viewer; 0 turns slow mode off."""

    type: Literal["room.slow_mode_set"] = "room.slow_mode_set"
    seconds: int = Field(ge=0, le=3600)


class Reaction(StrEnum):
    LIKE = "like"
    LOVE = "love"
    WOW = "wow"
    LAUGH = "laugh"
    FIRE = "fire"


class ReactionSent(ShowEventBase):
    """`count` taps of one viewer, batched by the page (at most one frame a second)."""

    type: Literal["reaction.sent"] = "reaction.sent"
    reaction: Reaction = Reaction.LIKE
    count: int = Field(default=1, ge=1, le=50)


class ProductFeatured(ShowEventBase):
    type: Literal["product.featured"] = "product.featured"
    sku: Identifier
    offset_seconds: float = Field(ge=0)


class ChapterMarked(ShowEventBase):
    type: Literal["chapter.marked"] = "chapter.marked"
    title: str = Field(min_length=1, max_length=120)
    offset_seconds: float = Field(ge=0)


PollOption = Annotated[str, Field(min_length=1, max_length=80)]
MAX_POLL_OPTIONS = 6


class PollOpened(ShowEventBase):
    """A poll, or a quiz when `correct_option` is set (revealed when the quiz closes)."""

    type: Literal["poll.opened"] = "poll.opened"
    poll_id: Identifier = Field(default_factory=_new_id)
    question: str = Field(min_length=1, max_length=200)
    options: tuple[PollOption, ...] = Field(min_length=2, max_length=MAX_POLL_OPTIONS)
    correct_option: int | None = Field(default=None, ge=0, lt=MAX_POLL_OPTIONS)


class PollAnswered(ShowEventBase):
    type: Literal["poll.answered"] = "poll.answered"
    poll_id: Identifier
    option_index: int = Field(ge=0, lt=MAX_POLL_OPTIONS)


class PollClosed(ShowEventBase):
    type: Literal["poll.closed"] = "poll.closed"
    poll_id: Identifier
    counts: tuple[int, ...] = ()  # answers per option at closing
    correct_option: int | None = None


class ContestOpened(ShowEventBase):
    type: Literal["contest.opened"] = "contest.opened"
    contest_id: Identifier = Field(default_factory=_new_id)
    title: str = Field(min_length=1, max_length=120)


class ContestEntered(ShowEventBase):
    type: Literal["contest.entered"] = "contest.entered"
    contest_id: Identifier


class ContestDrawn(ShowEventBase):
    """The draw, reproducible: sorting the entrants and `random.Random(seed).choice` names the
    winner (functions/chat/logic/contests.py)."""

    type: Literal["contest.drawn"] = "contest.drawn"
    contest_id: Identifier
    seed: int = Field(ge=0)
    entrant_count: int = Field(ge=0)
    winner_viewer_id: Identifier | None = None
    winner_name: str = Field(default="", max_length=40)


class PromoKind(StrEnum):
    PERCENT = "percent"  # value: percent off the basket
    AMOUNT = "amount"  # value: minor units off the basket


PromoCode = Annotated[str, Field(pattern=r"^[A-Z0-9_-]{3,32}$")]


class PromoPushed(ShowEventBase):
    """A moderator pushed a code to the room: a banner until `expires_at`, the same for all."""

    type: Literal["promo.pushed"] = "promo.pushed"
    code: PromoCode
    kind: PromoKind
    value: int = Field(gt=0)
    currency: Currency | None = None
    label: str = Field(default="", max_length=80)
    expires_at: datetime


class CartItemAdded(ShowEventBase):
    """Units of a variant reserved in a cart (`sku` is the variant's, `product_sku` its product)."""

    type: Literal["cart.item_added"] = "cart.item_added"
    cart_id: Identifier
    product_sku: Identifier
    sku: Identifier
    quantity: int = Field(gt=0, le=99)
    unit_price: Money
    currency: Currency
    mode: ViewingMode
    offset_seconds: float = Field(ge=0)


class RemovalReason(StrEnum):
    REMOVED = "removed"  # the viewer took units out
    EXPIRED = "expired"  # the hold ran out: the units went back on sale


class CartItemRemoved(ShowEventBase):
    type: Literal["cart.item_removed"] = "cart.item_removed"
    cart_id: Identifier
    product_sku: Identifier
    sku: Identifier
    quantity: int = Field(gt=0, le=99)
    reason: RemovalReason


class CartCheckedOut(ShowEventBase):
    """A cart handed to the storefront: an intention to buy, until the order is confirmed."""

    type: Literal["cart.checked_out"] = "cart.checked_out"
    cart_id: Identifier
    order_id: Identifier
    basket_value: Money  # after the promo's discount
    discount: Money = Decimal(0)
    currency: Currency
    item_count: int = Field(gt=0)
    mode: ViewingMode
    offset_seconds: float = Field(default=0, ge=0)
    promo_code: PromoCode | None = None
    traffic_source: str = Field(default="direct", max_length=64)


class OrderConfirmed(ShowEventBase):
    """The storefront reported the order it took from a Vitrine checkout: revenue, for ROI."""

    type: Literal["order.confirmed"] = "order.confirmed"
    cart_id: Identifier
    order_id: Identifier
    storefront_order_id: StorefrontOrderId
    value: Money
    currency: Currency
    mode: ViewingMode
    traffic_source: str = Field(default="direct", max_length=64)


class CalendarAdded(ShowEventBase):
    type: Literal["calendar.added"] = "calendar.added"
    traffic_source: str = Field(default="direct", max_length=64)


class ReplayViewed(ShowEventBase):
    type: Literal["replay.viewed"] = "replay.viewed"
    device: Device = Device.UNKNOWN
    traffic_source: str = Field(default="direct", max_length=64)


class ShowStarted(ShowEventBase):
    type: Literal["show.started"] = "show.started"
    stream_id: str | None = Field(default=None, max_length=128)


class ShowEnded(ShowEventBase):
    type: Literal["show.ended"] = "show.ended"
    stream_id: str | None = Field(default=None, max_length=128)


ShowEvent = Annotated[
    ViewerJoined
    | ViewerLeft
    | ViewerHeartbeat
    | ChatPosted
    | ChatDeleted
    | ChatPinned
    | ChatUnpinned
    | ViewerMuted
    | ViewerBanned
    | SlowModeSet
    | ReactionSent
    | ProductFeatured
    | ChapterMarked
    | PollOpened
    | PollAnswered
    | PollClosed
    | ContestOpened
    | ContestEntered
    | ContestDrawn
    | PromoPushed
    | CartItemAdded
    | CartItemRemoved
    | CartCheckedOut
    | OrderConfirmed
    | CalendarAdded
    | ReplayViewed
    | ShowStarted
    | ShowEnded,
    Field(discriminator="type"),
]

_SHOW_EVENT = TypeAdapter(ShowEvent)
EVENT_TYPES: frozenset[str] = frozenset(
    model.model_fields["type"].default for model in ShowEventBase.__subclasses__()
)


def parse_event(data: str | bytes | Mapping[str, object]) -> ShowEvent:
    """Validate untrusted JSON (or an already decoded dict) into its typed event.

    Raises pydantic.ValidationError with a message per bad field."""
    if isinstance(data, str | bytes):
        return _SHOW_EVENT.validate_json(data)
    return _SHOW_EVENT.validate_python(data)
