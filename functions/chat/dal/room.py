"""Room data access: the live state of a show room in the chat table (models.py), in PynamoDB.

Every rule that must hold across concurrent Lambdas (one vote per viewer, the pace of a viewer's
messages, a mute, one open poll) is one conditional write here, never a read then a write."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from functions.chat.dal import batch
from functions.chat.dal.models import (
    ArmedShowModel,
    BlocklistModel,
    ContestModel,
    EntryModel,
    MessageModel,
    PollModel,
    RoomModel,
    StreamModel,
    ViewerStateModel,
    VoteModel,
)
from functions.chat.logic.frames import ContestView, MessageView, PollView, ProductCard
from functions.chat.logic.lifecycle import StreamRecord
from functions.chat.logic.pace import Pace
from functions.chat.logic.polls import view as poll_view
from functions.common.events import ChatPosted
from functions.common.models import EventModel, connection

_CONDITION_FAILED = "ConditionalCheckFailedException"
BLOCKLIST_CACHE_SECONDS = 10.0
LAST_MESSAGES = 50


class Refused(Exception):
    """A conditional write refused the action; `reason` is the error code for the frame."""

    def __init__(self, reason: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.retry_after = retry_after


def _transaction() -> TransactWrite:
    return TransactWrite(connection=connection())


def _failed_condition(error: PutError | UpdateError) -> bool:
    return error.cause_response_code == _CONDITION_FAILED


def _cancelled_by_condition(error: TransactWriteError) -> list[bool]:
    return [
        reason is not None and reason.code == "ConditionalCheckFailed"
        for reason in error.cancellation_reasons
    ]


# --- the room ----------------------------------------------------------------------------------


def room(show_id: str) -> RoomModel:
    """The room as stored; a room nobody touched yet is an empty one."""
    try:
        return RoomModel.get(*RoomModel.key(show_id))
    except RoomModel.DoesNotExist:
        return RoomModel(*RoomModel.key(show_id))


def _room(show_id: str) -> RoomModel:
    return RoomModel(*RoomModel.key(show_id))


def claim_viewer_count_broadcast(
    show_id: str, count: int, *, now: float, every_seconds: float
) -> bool:
    """Stores the viewer count; True if this window is due to broadcast it (at most once per
    interval across every fan-out Lambda). The snapshot reads the stored count."""
    try:
        _room(show_id).update(
            actions=[
                RoomModel.viewers_broadcast_at.set(now),
                RoomModel.viewer_count.set(count),
            ],
            condition=RoomModel.viewers_broadcast_at.does_not_exist()
            | (RoomModel.viewers_broadcast_at <= now - every_seconds),
        )
    except UpdateError as error:
        if _failed_condition(error):
            return False
        raise
    return True


def set_pinned(show_id: str, message: MessageView | None) -> None:
    pinned = RoomModel.pinned
    action = pinned.set(message.model_dump_json()) if message else pinned.remove()
    _room(show_id).update(actions=[action])


def set_featured(show_id: str, card: ProductCard, offset_seconds: float) -> None:
    _room(show_id).update(
        actions=[
            RoomModel.featured.set(card.model_dump_json()),
            RoomModel.featured_offset_seconds.set(offset_seconds),
        ]
    )


def still_featured(show_id: str, sku: str) -> bool:
    """False once another product was featured: a pending cue for `sku` is obsolete."""
    featured = room(show_id).featured
    return featured is not None and ProductCard.model_validate_json(featured).sku == sku


def set_slow_mode(show_id: str, seconds: int) -> None:
    _room(show_id).update(actions=[RoomModel.slow_mode_seconds.set(seconds)])


def went_live(show_id: str, stream_id: str, at: datetime) -> None:
    _room(show_id).update(
        actions=[RoomModel.live_started_at.set(at), RoomModel.stream_id.set(stream_id)]
    )


def pinned(model: RoomModel) -> MessageView | None:
    return MessageView.model_validate_json(model.pinned) if model.pinned else None


def featured(model: RoomModel) -> ProductCard | None:
    return ProductCard.model_validate_json(model.featured) if model.featured else None


# --- messages ----------------------------------------------------------------------------------


def post_message(show_id: str, message: MessageView, posted: ChatPosted) -> None:
    """Stores the message (for the snapshot) and logs its event (for everyone, through the
    fan-out) in one round trip: two unconditional puts, after the pace was claimed."""
    item = MessageModel(
        *MessageModel.key(show_id, message.message_id),
        message_id=message.message_id,
        body=message.model_dump_json(),
    )
    batch.put_items([item, EventModel.from_event(posted)])


def message(show_id: str, message_id: str) -> MessageView | None:
    try:
        item = MessageModel.get(*MessageModel.key(show_id, message_id))
    except MessageModel.DoesNotExist:
        return None
    return MessageView.model_validate_json(item.body)


def delete_message(show_id: str, message_id: str) -> MessageView | None:
    """Removes the message and returns it (None if it was not there)."""
    found = message(show_id, message_id)
    if found is not None:
        MessageModel(*MessageModel.key(show_id, message_id)).delete()
    return found


def last_messages(show_id: str, limit: int = LAST_MESSAGES) -> list[MessageView]:
    """The newest messages, oldest first (message ids sort by time)."""
    pk, _ = MessageModel.key(show_id, "")
    items = MessageModel.query(
        pk, MessageModel.sk.startswith("MSG#"), scan_index_forward=False, limit=limit
    )
    return [MessageView.model_validate_json(item.body) for item in items][::-1]


# --- viewers: moderation and pace --------------------------------------------------------------


def viewer_state(show_id: str, viewer_id: str) -> ViewerStateModel | None:
    try:
        return ViewerStateModel.get(*ViewerStateModel.key(show_id, viewer_id))
    except ViewerStateModel.DoesNotExist:
        return None


def is_banned(show_id: str, viewer_id: str) -> bool:
    state = viewer_state(show_id, viewer_id)
    return state is not None and bool(state.banned)


def claim_message_slot(show_id: str, viewer_id: str, pace: Pace, *, now: datetime) -> None:
    """Records that the viewer posts now, unless muted, banned or too soon: one atomic check."""
    _claim(show_id, viewer_id, ViewerStateModel.last_message_at, pace, now)


def claim_reaction_slot(show_id: str, viewer_id: str, pace: Pace, *, now: datetime) -> None:
    _claim(show_id, viewer_id, ViewerStateModel.last_reaction_at, pace, now)


def _claim(show_id: str, viewer_id: str, last_at: Any, pace: Pace, now: datetime) -> None:
    epoch = now.timestamp()
    state = ViewerStateModel(*ViewerStateModel.key(show_id, viewer_id))
    model = ViewerStateModel
    try:
        state.update(
            actions=[last_at.set(epoch)],
            condition=(model.banned.does_not_exist() | (model.banned == False))  # noqa: E712
            & (model.muted_until.does_not_exist() | (model.muted_until <= now))
            & (last_at.does_not_exist() | (last_at <= epoch - pace.min_interval)),
        )
    except UpdateError as error:
        if not _failed_condition(error):
            raise
        _explain_refusal(show_id, viewer_id, last_at, pace, now)


def _explain_refusal(show_id: str, viewer_id: str, last_at: Any, pace: Pace, now: datetime) -> None:
    state = viewer_state(show_id, viewer_id)
    if state is None:  # deleted meanwhile: nothing holds the viewer back
        return
    if state.banned:
        raise Refused("banned", "you are banned from this show")
    if state.muted_until and state.muted_until > now:
        until = state.muted_until.astimezone(UTC).isoformat(timespec="seconds")
        raise Refused(
            "muted",
            f"a moderator muted you until {until}",
            (state.muted_until - now).total_seconds(),
        )
    retry_after = pace.retry_after(float(getattr(state, last_at.attr_name) or 0), now.timestamp())
    if pace.slow_mode:
        raise Refused(
            "slow_mode", f"slow mode: one message every {pace.min_interval:g} s", retry_after
        )
    raise Refused("rate_limited", "you are sending too fast", retry_after)


def mute(show_id: str, viewer_id: str, until: datetime) -> None:
    ViewerStateModel(*ViewerStateModel.key(show_id, viewer_id)).update(
        actions=[ViewerStateModel.muted_until.set(until)]
    )


def unmute(show_id: str, viewer_id: str) -> None:
    ViewerStateModel(*ViewerStateModel.key(show_id, viewer_id)).update(
        actions=[ViewerStateModel.muted_until.remove()]
    )


def set_banned(show_id: str, viewer_id: str, banned: bool) -> None:
    ViewerStateModel(*ViewerStateModel.key(show_id, viewer_id)).update(
        actions=[ViewerStateModel.banned.set(banned)]
    )


# --- the brand-wide blocklist ------------------------------------------------------------------

_blocklist_cache: tuple[float, list[str]] | None = None


def blocklist() -> list[str]:
    """The blocklist, cached for 10 s per Lambda environment (a message must not cost a read)."""
    global _blocklist_cache
    if _blocklist_cache and time.monotonic() - _blocklist_cache[0] < BLOCKLIST_CACHE_SECONDS:
        return _blocklist_cache[1]
    try:
        words = list(BlocklistModel.get(*BlocklistModel.key()).words)
    except BlocklistModel.DoesNotExist:
        words = []
    _blocklist_cache = (time.monotonic(), words)
    return words


def save_blocklist(words: list[str], by: str) -> None:
    global _blocklist_cache
    BlocklistModel(*BlocklistModel.key(), words=words, updated_by=by).save()
    _blocklist_cache = (time.monotonic(), words)


# --- polls -------------------------------------------------------------------------------------


def _counts(poll: PollModel) -> list[int]:
    return [int(getattr(poll, f"votes_{index}") or 0) for index in range(len(poll.options))]


def view_poll(poll: PollModel) -> PollView:
    return poll_view(
        poll_id=poll.poll_id,
        question=poll.question,
        options=list(poll.options),
        counts=_counts(poll),
        correct_option=None if poll.correct_option is None else int(poll.correct_option),
        is_open=bool(poll.open),
    )


def poll(show_id: str, poll_id: str) -> PollModel | None:
    try:
        return PollModel.get(*PollModel.key(show_id, poll_id))
    except PollModel.DoesNotExist:
        return None


def open_poll(
    show_id: str, poll_id: str, question: str, options: list[str], correct_option: int | None
) -> PollModel:
    """Opens the poll and makes it the room's, unless another poll is still open."""
    item = PollModel(
        *PollModel.key(show_id, poll_id),
        poll_id=poll_id,
        question=question,
        options=options,
        correct_option=correct_option,
        open=True,
    )
    try:
        with _transaction() as transaction:
            transaction.update(
                _room(show_id),
                actions=[RoomModel.open_poll_id.set(poll_id)],
                condition=RoomModel.open_poll_id.does_not_exist(),
            )
            transaction.save(item, condition=PollModel.pk.does_not_exist())
    except TransactWriteError as error:
        if any(_cancelled_by_condition(error)):
            raise Refused("conflict", "a poll is already open: close it first") from error
        raise
    return item


def answer_poll(show_id: str, poll_id: str, viewer_id: str, option: int) -> None:
    """One answer per viewer, counted atomically with it; refused once the poll closed."""
    stored = poll(show_id, poll_id)
    if stored is None:
        raise Refused("not_found", "no such poll")
    if option >= len(stored.options):
        raise Refused("invalid_frame", f"option {option} does not exist")
    counter = getattr(PollModel, f"votes_{option}")
    try:
        with _transaction() as transaction:
            transaction.save(
                VoteModel(*VoteModel.key(poll_id, viewer_id), option=option),
                condition=VoteModel.pk.does_not_exist(),
            )
            transaction.update(
                PollModel(*PollModel.key(show_id, poll_id)),
                actions=[counter.add(1)],
                condition=PollModel.open == True,  # noqa: E712
            )
    except TransactWriteError as error:
        vote_taken, poll_closed = _cancelled_by_condition(error)
        if vote_taken:
            raise Refused("conflict", "you already answered this poll") from error
        if poll_closed:
            raise Refused("conflict", "this poll is closed") from error
        raise


def close_poll(show_id: str, poll_id: str) -> PollModel:
    item = PollModel(*PollModel.key(show_id, poll_id))
    try:
        with _transaction() as transaction:
            transaction.update(
                item,
                actions=[PollModel.open.set(False)],
                condition=PollModel.open == True,  # noqa: E712
            )
            transaction.update(
                _room(show_id),
                actions=[RoomModel.open_poll_id.remove()],
                condition=RoomModel.open_poll_id == poll_id,
            )
    except TransactWriteError as error:
        if any(_cancelled_by_condition(error)):
            raise Refused("conflict", "this poll is not open") from error
        raise
    closed = poll(show_id, poll_id)
    assert closed is not None
    return closed


# --- contests ----------------------------------------------------------------------------------


def view_contest(contest: ContestModel) -> ContestView:
    return ContestView(
        contest_id=contest.contest_id,
        title=contest.title,
        open=bool(contest.open),
        entrant_count=int(contest.entrant_count or 0),
        winner_name=contest.winner_name,
        winner_id=contest.winner_id,
    )


def contest(show_id: str, contest_id: str) -> ContestModel | None:
    try:
        return ContestModel.get(*ContestModel.key(show_id, contest_id))
    except ContestModel.DoesNotExist:
        return None


def open_contest(show_id: str, contest_id: str, title: str) -> ContestModel:
    item = ContestModel(
        *ContestModel.key(show_id, contest_id), contest_id=contest_id, title=title, open=True
    )
    try:
        with _transaction() as transaction:
            transaction.update(
                _room(show_id),
                actions=[RoomModel.open_contest_id.set(contest_id)],
                condition=RoomModel.open_contest_id.does_not_exist(),
            )
            transaction.save(item, condition=ContestModel.pk.does_not_exist())
    except TransactWriteError as error:
        if any(_cancelled_by_condition(error)):
            raise Refused("conflict", "a contest is already open: draw it first") from error
        raise
    return item


def enter_contest(show_id: str, contest_id: str, viewer_id: str, name: str) -> None:
    try:
        with _transaction() as transaction:
            transaction.save(
                EntryModel(
                    *EntryModel.key(contest_id, viewer_id), viewer_id=viewer_id, display_name=name
                ),
                condition=EntryModel.pk.does_not_exist(),
            )
            transaction.update(
                ContestModel(*ContestModel.key(show_id, contest_id)),
                actions=[ContestModel.entrant_count.add(1)],
                condition=ContestModel.open == True,  # noqa: E712
            )
    except TransactWriteError as error:
        entered, closed = _cancelled_by_condition(error)
        if entered:
            raise Refused("conflict", "you already entered this contest") from error
        if closed:
            raise Refused("conflict", "this contest is not open") from error
        raise


def entrants(contest_id: str) -> Iterator[EntryModel]:
    pk, _ = EntryModel.key(contest_id, "")
    return EntryModel.query(pk, EntryModel.sk.startswith("ENTRY#"))


def record_draw(
    show_id: str,
    contest_id: str,
    *,
    seed: int,
    winner_id: str | None,
    winner_name: str | None,
) -> ContestModel:
    """Closes the contest with its draw; a contest is drawn once."""
    item = ContestModel(*ContestModel.key(show_id, contest_id))
    try:
        with _transaction() as transaction:
            transaction.update(
                item,
                actions=[
                    ContestModel.open.set(False),
                    ContestModel.seed.set(seed),
                    *([ContestModel.winner_id.set(winner_id)] if winner_id else []),
                    *([ContestModel.winner_name.set(winner_name)] if winner_name else []),
                ],
                condition=ContestModel.open == True,  # noqa: E712
            )
            transaction.update(
                _room(show_id),
                actions=[RoomModel.open_contest_id.remove()],
                condition=RoomModel.open_contest_id == contest_id,
            )
    except TransactWriteError as error:
        if any(_cancelled_by_condition(error)):
            raise Refused("conflict", "this contest was already drawn") from error
        raise
    drawn = contest(show_id, contest_id)
    assert drawn is not None
    return drawn


# --- the channel: which show a stream carries --------------------------------------------------


def arm(channel_arn: str, show_id: str, by: str) -> None:
    ArmedShowModel(*ArmedShowModel.key(channel_arn), show_id=show_id, armed_by=by).save()


def disarm(channel_arn: str, show_id: str) -> None:
    """Forgets the armed show, unless another show was armed meanwhile."""
    try:
        ArmedShowModel(*ArmedShowModel.key(channel_arn)).delete(
            condition=ArmedShowModel.show_id == show_id
        )
    except DeleteError as error:
        if error.cause_response_code != _CONDITION_FAILED:
            raise


def armed_show(channel_arn: str) -> str | None:
    try:
        return ArmedShowModel.get(*ArmedShowModel.key(channel_arn)).show_id
    except ArmedShowModel.DoesNotExist:
        return None


def stream(channel_arn: str, stream_id: str) -> StreamRecord | None:
    try:
        item = StreamModel.get(*StreamModel.key(channel_arn, stream_id))
    except StreamModel.DoesNotExist:
        return None
    return StreamRecord(item.show_id, item.started_at, item.ended_at)


def save_stream(channel_arn: str, stream_id: str, record: StreamRecord) -> bool:
    """Stores the stream's new record unless another Lambda moved it first (False)."""
    item = StreamModel(
        *StreamModel.key(channel_arn, stream_id),
        show_id=record.show_id,
        started_at=record.started_at,
        ended_at=record.ended_at,
    )
    # Only forward: a field, once set, is never overwritten by a concurrent duplicate.
    condition = StreamModel.pk.does_not_exist()
    if record.started_at is not None and record.ended_at is not None:
        condition = condition | StreamModel.started_at.does_not_exist()
        condition = condition | StreamModel.ended_at.does_not_exist()
    elif record.started_at is not None:
        condition = condition | StreamModel.started_at.does_not_exist()
    else:
        condition = condition | StreamModel.ended_at.does_not_exist()
    try:
        item.save(condition=condition)
    except PutError as error:
        if _failed_condition(error):
            return False
        raise
    return True


def now() -> datetime:
    return datetime.now(UTC)
