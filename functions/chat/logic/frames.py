"""The show room's WebSocket protocol: what clients send (parsed strictly) and what they receive.

Pure Python, no AWS. docs/realtime.md describes it for page authors; web/src/protocol.ts mirrors
it. A frame that does not parse yields an ErrorFrame, never an exception that would drop the
connection. Client text is raw here: logic/text.py applies the input rules (normalization,
stripping, length) before anything is stored or shown."""

import json
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from functions.common.events import (
    MAX_POLL_OPTIONS,
    Device,
    Identifier,
    MessageKind,
    PollOption,
    Reaction,
    StaffRole,
)
from functions.common.stock import StockState

MAX_FRAME_BYTES = 32 * 1024  # API Gateway's WebSocket frame limit
# Raw text may carry what the input rules strip (zero-width, controls): the 500-character limit
# applies after them, and this bound only keeps a single frame from being absurd.
RawText = Annotated[str, Field(min_length=1, max_length=4000)]
Ref = Annotated[str, Field(max_length=64)]


class ConnectRequest(BaseModel):
    """The query string of `wss://.../?show=...&viewer=...&name=...` validated on `$connect`."""

    model_config = ConfigDict(extra="ignore")

    show: Identifier
    viewer: Identifier
    device: Device = Device.UNKNOWN
    source: str = Field(default="direct", max_length=64)
    name: str = Field(default="", max_length=200)  # raw; logic/text.py validates it


# --- what clients send -------------------------------------------------------------------------


class _ClientFrame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Echoed in the error or ack frame that answers this one, so a page can match them up.
    ref: Ref | None = None


class Ping(_ClientFrame):
    action: Literal["ping"]


class Join(_ClientFrame):
    """Asks for the room's snapshot: sent after every (re)connection."""

    action: Literal["join"]


class Heartbeat(_ClientFrame):
    """Every minute while the page is visible: watch time and the viewer count rely on it."""

    action: Literal["heartbeat"]


class SetName(_ClientFrame):
    """Chooses (or changes) the display name others see; validated by logic/text.py."""

    action: Literal["set_name"]
    name: Annotated[str, Field(min_length=1, max_length=200)]


class SendChat(_ClientFrame):
    action: Literal["chat"]
    text: RawText


class React(_ClientFrame):
    """Taps batched by the page: at most one frame a second, carrying how many taps."""

    action: Literal["react"]
    reaction: Reaction = Reaction.LIKE
    count: int = Field(default=1, ge=1, le=50)


class AskQuestion(_ClientFrame):
    action: Literal["ask"]
    text: RawText


class AnswerPoll(_ClientFrame):
    action: Literal["answer_poll"]
    poll_id: Identifier
    option: int = Field(ge=0, lt=MAX_POLL_OPTIONS)


class EnterContest(_ClientFrame):
    action: Literal["enter_contest"]
    contest_id: Identifier


class DeleteMessage(_ClientFrame):
    action: Literal["delete_message"]
    message_id: Identifier


class PinMessage(_ClientFrame):
    action: Literal["pin_message"]
    message_id: Identifier


class UnpinMessage(_ClientFrame):
    action: Literal["unpin_message"]


class AnswerQuestion(_ClientFrame):
    action: Literal["answer_question"]
    message_id: Identifier
    text: RawText


class MuteViewer(_ClientFrame):
    action: Literal["mute_viewer"]
    viewer_id: Identifier
    minutes: int = Field(default=5, ge=1, le=24 * 60)


class UnmuteViewer(_ClientFrame):
    action: Literal["unmute_viewer"]
    viewer_id: Identifier


class BanViewer(_ClientFrame):
    action: Literal["ban_viewer"]
    viewer_id: Identifier


class UnbanViewer(_ClientFrame):
    action: Literal["unban_viewer"]
    viewer_id: Identifier


class SetBlocklist(_ClientFrame):
    """Replaces the brand-wide list of words that no chat message may contain."""

    action: Literal["set_blocklist"]
    words: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(max_length=500)


class SetSlowMode(_ClientFrame):
    action: Literal["set_slow_mode"]
    seconds: int = Field(ge=0, le=300)


class FeatureProduct(_ClientFrame):
    action: Literal["feature_product"]
    sku: Identifier


class MarkChapter(_ClientFrame):
    action: Literal["mark_chapter"]
    title: str = Field(min_length=1, max_length=120)


class OpenPoll(_ClientFrame):
    """A poll; a quiz when `correct_option` names the right answer."""

    action: Literal["open_poll"]
    question: str = Field(min_length=1, max_length=200)
    options: list[PollOption] = Field(min_length=2, max_length=MAX_POLL_OPTIONS)
    correct_option: int | None = Field(default=None, ge=0, lt=MAX_POLL_OPTIONS)


class ClosePoll(_ClientFrame):
    action: Literal["close_poll"]
    poll_id: Identifier


class OpenContest(_ClientFrame):
    action: Literal["open_contest"]
    title: str = Field(min_length=1, max_length=120)


class DrawContest(_ClientFrame):
    action: Literal["draw_contest"]
    contest_id: Identifier


class ArmShow(_ClientFrame):
    """The next stream on the channel is this show (the connection's show)."""

    action: Literal["arm_show"]


class EndShow(_ClientFrame):
    """Stops the stream (IVS StopStream); the show ends with IVS's Stream End event."""

    action: Literal["end_show"]


ViewerFrame = (
    Ping | Join | Heartbeat | SetName | SendChat | React | AskQuestion | AnswerPoll | EnterContest
)
StaffFrame = (
    DeleteMessage
    | PinMessage
    | UnpinMessage
    | AnswerQuestion
    | MuteViewer
    | UnmuteViewer
    | BanViewer
    | UnbanViewer
    | SetBlocklist
    | SetSlowMode
    | FeatureProduct
    | MarkChapter
    | OpenPoll
    | ClosePoll
    | OpenContest
    | DrawContest
    | ArmShow
    | EndShow
)
ClientFrame = Annotated[ViewerFrame | StaffFrame, Field(discriminator="action")]
_CLIENT_FRAME: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)


def _actions(frames: object) -> frozenset[str]:
    return frozenset(
        frame.model_fields["action"].annotation.__args__[0]
        for frame in frames.__args__  # type: ignore[attr-defined]
    )


# The WebSocket API has one route per action (infra/chat), each to the function that owns it.
VIEWER_ACTIONS = _actions(ViewerFrame)
STAFF_ACTIONS = _actions(StaffFrame)


# --- what clients receive ----------------------------------------------------------------------


class _ServerFrame(BaseModel):
    model_config = ConfigDict(frozen=True)


class PongFrame(_ServerFrame):
    type: Literal["pong"] = "pong"


class ErrorFrame(_ServerFrame):
    type: Literal["error"] = "error"
    error: str  # a stable code: invalid_frame, forbidden, muted, slow_mode, ...
    detail: str = ""
    ref: str | None = None
    retry_after_seconds: float | None = None


class AckFrame(_ServerFrame):
    """The action was done (its effect reaches everyone through the next updates frame)."""

    type: Literal["ack"] = "ack"
    action: str
    ref: str | None = None
    detail: str = ""


class MessageView(BaseModel):
    message_id: str
    author_id: str
    author_name: str
    author_role: StaffRole | None = None
    kind: MessageKind = MessageKind.CHAT
    reply_to: str | None = None
    text: str
    at: datetime


class ProductCard(BaseModel):
    """The call-to-action card; also the timed-metadata cue's content (≤ 1 KB)."""

    sku: str
    name: str
    price: str  # major units, e.g. "49.90"
    currency: str
    image_url: str = ""
    product_url: str = ""
    in_stock: bool = True


class PromoBanner(BaseModel):
    """A pushed promo code: the banner every viewer sees until `expires_at`. `server_time` is
    when the frame was made, so a page counts down on the server's clock, not the phone's."""

    code: str
    label: str  # e.g. "20% off" or "€10 off"
    expires_at: datetime
    server_time: datetime


class VariantStockView(BaseModel):
    sku: str
    available: int
    stock_state: StockState
    badge: str  # "In stock", "Only 3 left", "Sold out"


class PollView(BaseModel):
    poll_id: str
    question: str
    options: list[str]
    counts: list[int]
    quiz: bool = False
    open: bool = True
    correct_option: int | None = None  # revealed when a quiz closes


class ContestView(BaseModel):
    contest_id: str
    title: str
    open: bool = True
    entrant_count: int = 0
    winner_name: str | None = None
    winner_id: str | None = None


class ShowView(BaseModel):
    show_id: str
    title: str
    status: str
    starts_at: datetime
    host_name: str = ""


class You(BaseModel):
    viewer_id: str
    display_name: str
    role: str  # viewer | moderator | host | admin
    muted_until: datetime | None = None


class SnapshotFrame(_ServerFrame):
    """The room as it is now: sent on `join` (every connection and reconnection)."""

    type: Literal["snapshot"] = "snapshot"
    show: ShowView
    you: You
    viewers: int
    slow_mode_seconds: int = 0
    pinned: MessageView | None = None
    featured: ProductCard | None = None
    poll: PollView | None = None
    contest: ContestView | None = None
    promo: PromoBanner | None = None  # the pushed code, until it expires
    messages: list[MessageView]  # the last 50, oldest first
    blocklist: list[str] | None = None  # to admins only: the brand-wide list they edit


class MessagePosted(BaseModel):
    kind: Literal["message"] = "message"
    message: MessageView


class MessageDeleted(BaseModel):
    kind: Literal["message_deleted"] = "message_deleted"
    message_id: str


class PinChanged(BaseModel):
    kind: Literal["pinned"] = "pinned"
    message: MessageView | None  # None: unpinned


class Reactions(BaseModel):
    kind: Literal["reactions"] = "reactions"
    counts: dict[Reaction, int]


class Featured(BaseModel):
    kind: Literal["featured"] = "featured"
    product: ProductCard
    offset_seconds: float


class Chapter(BaseModel):
    kind: Literal["chapter"] = "chapter"
    title: str
    offset_seconds: float


class PollChanged(BaseModel):
    kind: Literal["poll"] = "poll"
    poll: PollView


class ContestChanged(BaseModel):
    kind: Literal["contest"] = "contest"
    contest: ContestView


class ShowStatusChanged(BaseModel):
    kind: Literal["show"] = "show"
    status: str


class ViewerCount(BaseModel):
    kind: Literal["viewers"] = "viewers"
    count: int


class SlowMode(BaseModel):
    kind: Literal["slow_mode"] = "slow_mode"
    seconds: int


class PromoChanged(BaseModel):
    kind: Literal["promo"] = "promo"
    promo: PromoBanner


class StockChanged(BaseModel):
    """A product's stock moved (carts reserved or released units): its badges, as stored."""

    kind: Literal["stock"] = "stock"
    product_sku: str
    in_stock: bool
    variants: list[VariantStockView]


Update = Annotated[
    MessagePosted
    | MessageDeleted
    | PinChanged
    | Reactions
    | Featured
    | Chapter
    | PollChanged
    | ContestChanged
    | ShowStatusChanged
    | ViewerCount
    | SlowMode
    | PromoChanged
    | StockChanged,
    Field(discriminator="kind"),
]


class UpdatesFrame(_ServerFrame):
    """Everything that happened in the room during one coalescing window, in order."""

    type: Literal["updates"] = "updates"
    show_id: str
    updates: list[Update]


class NoticeFrame(_ServerFrame):
    """Addressed to one viewer: you were muted (until when), unmuted, or banned."""

    type: Literal["notice"] = "notice"
    notice: Literal["muted", "unmuted", "banned"]
    until: datetime | None = None
    detail: str = ""


ServerFrame = PongFrame | ErrorFrame | AckFrame | SnapshotFrame | UpdatesFrame | NoticeFrame


# --- parsing -----------------------------------------------------------------------------------


class FrameError(ValueError):
    """A request that cannot be served; carries the error frame to send back."""

    def __init__(self, frame: ErrorFrame) -> None:
        super().__init__(frame.detail or frame.error)
        self.frame = frame


def refuse(
    error: str, detail: str = "", *, ref: str | None = None, retry_after: float | None = None
) -> FrameError:
    return FrameError(
        ErrorFrame(error=error, detail=detail, ref=ref, retry_after_seconds=retry_after)
    )


def parse_client_frame(body: str | None) -> ClientFrame:
    """The typed frame in `body`; raises FrameError carrying the error frame to send back."""
    if not body:
        raise refuse("empty_frame", "send a JSON object")
    if len(body.encode()) > MAX_FRAME_BYTES:
        raise refuse("frame_too_large", "frames are limited to 32 KB")
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, RecursionError) as error:
        raise refuse("malformed_json", str(error)[:200]) from error
    if not isinstance(data, dict) or "action" not in data:
        raise refuse("missing_action", 'a frame is {"action": ..., ...}')
    ref = data.get("ref") if isinstance(data.get("ref"), str) else None
    action = data["action"]
    if not isinstance(action, str) or action not in VIEWER_ACTIONS | STAFF_ACTIONS:
        raise refuse("unknown_action", f"no action {str(action)[:40]!r}", ref=ref and ref[:64])
    try:
        return _CLIENT_FRAME.validate_python(data)
    except ValidationError as error:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in issue['loc'][1:])}: {issue['msg']}"
            for issue in error.errors()
        )
        raise refuse("invalid_frame", detail[:500], ref=ref and ref[:64]) from error
