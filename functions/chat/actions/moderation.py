"""Moderation: remove, pin and answer messages; mute and ban viewers; blocklist; slow mode."""

from datetime import timedelta

from functions.chat.actions.context import ActionContext
from functions.chat.actions.viewer import post_message
from functions.chat.dal import audience, room
from functions.chat.logic import text
from functions.chat.logic.frames import (
    AckFrame,
    AnswerQuestion,
    BanViewer,
    DeleteMessage,
    MuteViewer,
    NoticeFrame,
    PinMessage,
    ServerFrame,
    SetBlocklist,
    SetSlowMode,
    StaffFrame,
    UnbanViewer,
    UnmuteViewer,
    UnpinMessage,
    refuse,
)
from functions.chat.logic.roles import VIEWER
from functions.common.events import (
    ChatDeleted,
    ChatPinned,
    ChatUnpinned,
    MessageKind,
    SlowModeSet,
    ViewerBanned,
    ViewerMuted,
)


def _ack(frame: StaffFrame, detail: str = "") -> AckFrame:
    return AckFrame(action=frame.action, ref=frame.ref, detail=detail)


def delete_message(context: ActionContext, frame: DeleteMessage) -> ServerFrame:
    show_id = context.actor.show_id
    removed = room.delete_message(show_id, frame.message_id)
    if removed is None:
        raise refuse("not_found", "no such message (already deleted?)", ref=frame.ref)
    context.record(
        ChatDeleted(
            **context.stamp,
            message_id=frame.message_id,
        )
    )
    pinned = room.pinned(room.room(show_id))
    if pinned is not None and pinned.message_id == frame.message_id:
        _unpin(context, frame.message_id)
    return _ack(frame)


def pin_message(context: ActionContext, frame: PinMessage) -> ServerFrame:
    show_id = context.actor.show_id
    message = room.message(show_id, frame.message_id)
    if message is None:
        raise refuse("not_found", "no such message", ref=frame.ref)
    room.set_pinned(show_id, message)
    context.record(
        ChatPinned(
            **context.stamp,
            message_id=message.message_id,
            author_name=message.author_name,
            text=message.text,
        )
    )
    return _ack(frame)


def _unpin(context: ActionContext, message_id: str) -> None:
    room.set_pinned(context.actor.show_id, None)
    context.record(
        ChatUnpinned(
            **context.stamp,
            message_id=message_id,
        )
    )


def unpin_message(context: ActionContext, frame: UnpinMessage) -> ServerFrame:
    pinned = room.pinned(room.room(context.actor.show_id))
    if pinned is None:
        raise refuse("not_found", "nothing is pinned", ref=frame.ref)
    _unpin(context, pinned.message_id)
    return _ack(frame)


def answer_question(context: ActionContext, frame: AnswerQuestion) -> ServerFrame:
    question = room.message(context.actor.show_id, frame.message_id)
    if question is None or question.kind is not MessageKind.QUESTION:
        raise refuse("not_found", "no such question", ref=frame.ref)
    answer = post_message(
        context, frame.text, kind=MessageKind.ANSWER, ref=frame.ref, reply_to=question.message_id
    )
    return _ack(frame, answer.message_id)


def _viewer_connections(context: ActionContext, viewer_id: str, ref: str | None) -> list[str]:
    """The target's open connections; staff cannot be muted or banned (their role says so)."""
    connections = list(audience.connections_of(context.actor.show_id, viewer_id))
    if any(connection.role != VIEWER for connection in connections):
        raise refuse("forbidden", "staff members cannot be muted or banned", ref=ref)
    return [connection.connection_id for connection in connections]


def mute_viewer(context: ActionContext, frame: MuteViewer) -> ServerFrame:
    targets = _viewer_connections(context, frame.viewer_id, frame.ref)
    until = context.now + timedelta(minutes=frame.minutes)
    room.mute(context.actor.show_id, frame.viewer_id, until)
    context.record(
        ViewerMuted(
            **context.stamp,
            target_viewer_id=frame.viewer_id,
            until=until,
        )
    )
    notice = NoticeFrame(notice="muted", until=until, detail=f"muted for {frame.minutes} min")
    for connection_id in targets:
        context.api.send(connection_id, notice)
    return _ack(frame, until.isoformat(timespec="seconds"))


def unmute_viewer(context: ActionContext, frame: UnmuteViewer) -> ServerFrame:
    targets = _viewer_connections(context, frame.viewer_id, frame.ref)
    room.unmute(context.actor.show_id, frame.viewer_id)
    for connection_id in targets:
        context.api.send(connection_id, NoticeFrame(notice="unmuted"))
    return _ack(frame)


def ban_viewer(context: ActionContext, frame: BanViewer) -> ServerFrame:
    """The ban is stored first, so a reconnect racing the close is refused at `$connect`."""
    targets = _viewer_connections(context, frame.viewer_id, frame.ref)
    room.set_banned(context.actor.show_id, frame.viewer_id, True)
    context.record(
        ViewerBanned(
            **context.stamp,
            target_viewer_id=frame.viewer_id,
        )
    )
    notice = NoticeFrame(notice="banned", detail="a moderator removed you from this show")
    for connection_id in targets:
        context.api.send(connection_id, notice)
        context.api.close(connection_id)
    return _ack(frame, f"{len(targets)} connection(s) closed")


def unban_viewer(context: ActionContext, frame: UnbanViewer) -> ServerFrame:
    room.set_banned(context.actor.show_id, frame.viewer_id, False)
    return _ack(frame)


def set_blocklist(context: ActionContext, frame: SetBlocklist) -> ServerFrame:
    words = text.blocklist(frame.words)
    room.save_blocklist(words, by=context.actor.viewer_id)
    return _ack(frame, f"{len(words)} word(s)")


def set_slow_mode(context: ActionContext, frame: SetSlowMode) -> ServerFrame:
    room.set_slow_mode(context.actor.show_id, frame.seconds)
    context.record(
        SlowModeSet(
            **context.stamp,
            seconds=frame.seconds,
        )
    )
    return _ack(frame)
