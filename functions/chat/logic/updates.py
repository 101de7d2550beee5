"""Coalescing: the events of one window become one `updates` frame per show.

Pure Python. Messages keep their order and are all delivered up to a cap per window (above it
viewers see the newest, and a metric counts the rest); reactions are summed; for state
(pin, featured product, poll, contest, a product's stock) only the latest matters, and the
caller supplies it as stored, so a frame always carries the room's current truth even if events
were retried. A promo banner comes from its push event, stamped with the server's clock."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from functions.chat.logic.frames import (
    Chapter,
    ContestChanged,
    ContestView,
    Featured,
    MessageDeleted,
    MessagePosted,
    MessageView,
    PinChanged,
    PollChanged,
    PollView,
    PromoBanner,
    PromoChanged,
    Reactions,
    ShowStatusChanged,
    SlowMode,
    StockChanged,
    Update,
    UpdatesFrame,
    ViewerCount,
)
from functions.common.events import (
    CartItemAdded,
    CartItemRemoved,
    ChapterMarked,
    ChatDeleted,
    ChatPinned,
    ChatPosted,
    ChatUnpinned,
    ContestDrawn,
    ContestEntered,
    ContestOpened,
    PollAnswered,
    PollClosed,
    PollOpened,
    ProductFeatured,
    PromoPushed,
    ReactionSent,
    ShowEnded,
    ShowEvent,
    ShowStarted,
    SlowModeSet,
)

MAX_MESSAGES_PER_WINDOW = 200
# API Gateway accepts 128 KB per @connections post; browsers and phones digest smaller frames
# faster, and 32 KB is what API Gateway allows a client to send: keep frames under it.
MAX_FRAME_BYTES = 30 * 1024


def message_view(event: ChatPosted) -> MessageView:
    return MessageView(
        message_id=event.message_id,
        author_id=event.viewer_id or "",
        author_name=event.author_name,
        author_role=event.author_role,
        kind=event.kind,
        reply_to=event.reply_to,
        text=event.text,
        at=event.at,
    )


def promo_banner(event: PromoPushed, *, now: datetime | None) -> PromoBanner:
    return PromoBanner(
        code=event.code,
        label=event.label or event.code,
        expires_at=event.expires_at,
        server_time=now or datetime.now(UTC),
    )


@dataclass
class RoomChanges:
    """What a window of events changed in one show's room."""

    show_id: str
    messages: list[MessageView] = field(default_factory=list)
    dropped_messages: int = 0
    deleted: list[str] = field(default_factory=list)
    reactions: Counter[str] = field(default_factory=Counter)
    chapters: list[Chapter] = field(default_factory=list)
    status: str | None = None
    slow_mode: int | None = None
    pin_changed: bool = False
    featured_changed: bool = False
    polls: set[str] = field(default_factory=set)
    contests: set[str] = field(default_factory=set)
    promo: PromoPushed | None = None  # the latest push of the window
    stock: set[str] = field(default_factory=set)  # products whose units carts moved

    @property
    def empty(self) -> bool:
        """Nothing anyone in the room would see (heartbeats, joins, moderation trails)."""
        return not (
            self.messages
            or self.deleted
            or self.reactions
            or self.chapters
            or self.status
            or self.slow_mode is not None
            or self.pin_changed
            or self.featured_changed
            or self.polls
            or self.contests
            or self.promo
            or self.stock
        )


def collect(show_id: str, events: Iterable[ShowEvent]) -> RoomChanges:
    changes = RoomChanges(show_id)
    for event in events:
        match event:
            case ChatPosted():
                changes.messages.append(message_view(event))
            case ChatDeleted():
                changes.deleted.append(event.message_id)
            case ChatPinned() | ChatUnpinned():
                changes.pin_changed = True
            case ReactionSent():
                changes.reactions[event.reaction.value] += event.count
            case ProductFeatured():
                changes.featured_changed = True
            case ChapterMarked():
                changes.chapters.append(
                    Chapter(title=event.title, offset_seconds=event.offset_seconds)
                )
            case PollOpened() | PollAnswered() | PollClosed():
                changes.polls.add(event.poll_id)
            case ContestOpened() | ContestEntered() | ContestDrawn():
                changes.contests.add(event.contest_id)
            case ShowStarted():
                changes.status = "live"
            case ShowEnded():
                changes.status = "ended"
            case SlowModeSet():
                changes.slow_mode = event.seconds
            case PromoPushed():
                changes.promo = event
            case CartItemAdded() | CartItemRemoved():  # a sale moves no unit viewers can buy
                changes.stock.add(event.product_sku)
    deleted = set(changes.deleted)
    kept = sorted(
        (m for m in changes.messages if m.message_id not in deleted),
        key=lambda m: (m.at, m.message_id),
    )
    changes.dropped_messages = max(0, len(kept) - MAX_MESSAGES_PER_WINDOW)
    changes.messages = kept[-MAX_MESSAGES_PER_WINDOW:]
    return changes


@dataclass(frozen=True, slots=True)
class RoomState:
    """The stored state the frame reports for what changed (read once per show per window)."""

    pinned: MessageView | None = None
    featured: Featured | None = None
    polls: tuple[PollView, ...] = ()
    contests: tuple[ContestView, ...] = ()
    stock: tuple[StockChanged, ...] = ()
    viewers: int | None = None  # None: not due for a broadcast in this window
    now: datetime | None = None  # the server's clock, for a promo banner's countdown


def updates(changes: RoomChanges, state: RoomState) -> list[Update]:
    result: list[Update] = []
    if changes.status is not None:
        result.append(ShowStatusChanged(status=changes.status))
    result.extend(MessagePosted(message=message) for message in changes.messages)
    result.extend(MessageDeleted(message_id=message_id) for message_id in changes.deleted)
    if changes.pin_changed:
        result.append(PinChanged(message=state.pinned))
    if changes.featured_changed and state.featured is not None:
        result.append(state.featured)
    result.extend(changes.chapters)
    result.extend(PollChanged(poll=poll) for poll in state.polls)
    result.extend(ContestChanged(contest=contest) for contest in state.contests)
    if changes.slow_mode is not None:
        result.append(SlowMode(seconds=changes.slow_mode))
    if changes.promo is not None:
        result.append(PromoChanged(promo=promo_banner(changes.promo, now=state.now)))
    result.extend(state.stock)
    if changes.reactions:
        result.append(Reactions(counts=dict(changes.reactions)))  # type: ignore[arg-type]
    if state.viewers is not None:
        result.append(ViewerCount(count=state.viewers))
    return result


def frames(show_id: str, items: list[Update], size: Callable[[Update], int]) -> list[UpdatesFrame]:
    """The updates split into frames under MAX_FRAME_BYTES, in order (usually just one)."""
    batches: list[list[Update]] = [[]]
    used = 0
    for item in items:
        item_size = size(item)
        if batches[-1] and used + item_size > MAX_FRAME_BYTES:
            batches.append([])
            used = 0
        batches[-1].append(item)
        used += item_size
    return [UpdatesFrame(show_id=show_id, updates=batch) for batch in batches if batch]
