"""What anyone in the room may do: chat, ask, react, answer a poll, enter a contest, join."""

import secrets
from datetime import datetime

from functions.chat.actions.context import ActionContext
from functions.chat.actions.snapshot import snapshot
from functions.chat.dal import audience, room
from functions.chat.logic import pace, text
from functions.chat.logic.frames import (
    AckFrame,
    AnswerPoll,
    AskQuestion,
    EnterContest,
    FrameError,
    Heartbeat,
    Join,
    MessageView,
    Ping,
    PongFrame,
    React,
    SendChat,
    ServerFrame,
    SetName,
    refuse,
)
from functions.chat.logic.updates import message_view
from functions.common.events import (
    ChatPosted,
    ContestEntered,
    MessageKind,
    PollAnswered,
    ReactionSent,
    ViewerHeartbeat,
)


def new_message_id(at: datetime) -> str:
    """Sorts by time (the last 50 messages are one query), unique across Lambdas."""
    return f"{int(at.timestamp() * 1000):012x}{secrets.token_hex(6)}"


def refused(error: room.Refused, ref: str | None) -> FrameError:
    return refuse(error.reason, error.detail, ref=ref, retry_after=error.retry_after)


def ping(context: ActionContext, frame: Ping) -> ServerFrame:
    return PongFrame()


def join(context: ActionContext, frame: Join) -> ServerFrame:
    return snapshot(context)


def heartbeat(context: ActionContext, frame: Heartbeat) -> None:
    actor = context.actor
    if not actor.is_staff:
        context.record(ViewerHeartbeat(**context.stamp))


def post_message(
    context: ActionContext,
    raw_text: str,
    *,
    kind: MessageKind,
    ref: str | None,
    reply_to: str | None = None,
) -> MessageView:
    """Every rule a message passes, then stored (for the snapshot) and logged (for everyone)."""
    actor = context.actor
    if not actor.display_name:
        raise refuse("name_required", "choose a display name before you chat", ref=ref)
    try:
        body = text.message_text(raw_text)
    except text.TextRejected as error:
        raise refuse("invalid_text", str(error), ref=ref) from error
    if not actor.is_staff and (word := text.blocked_word(body, room.blocklist())):
        raise refuse("blocked_word", f"“{word}” is not allowed in this chat", ref=ref)
    # Staff are exempt from slow mode: their pace needs no read of the room.
    slow_mode = 0 if actor.is_staff else int(context.room().slow_mode_seconds or 0)
    message_pace = pace.message_pace(is_staff=actor.is_staff, slow_mode_seconds=slow_mode)
    try:
        room.claim_message_slot(actor.show_id, actor.viewer_id, message_pace, now=context.now)
    except room.Refused as error:
        raise refused(error, ref) from error
    posted = ChatPosted(
        **context.stamp,
        message_id=new_message_id(context.now),
        author_name=actor.display_name,
        author_role=actor.staff_role,
        kind=kind,
        reply_to=reply_to,
        text=body,
    )
    message = message_view(posted)  # what viewers see is what the log holds
    room.post_message(actor.show_id, message, posted)  # stored and logged in one round trip
    return message


def chat(context: ActionContext, frame: SendChat) -> ServerFrame:
    message = post_message(context, frame.text, kind=MessageKind.CHAT, ref=frame.ref)
    return AckFrame(action=frame.action, ref=frame.ref, detail=message.message_id)


def ask(context: ActionContext, frame: AskQuestion) -> ServerFrame:
    message = post_message(context, frame.text, kind=MessageKind.QUESTION, ref=frame.ref)
    return AckFrame(action=frame.action, ref=frame.ref, detail=message.message_id)


def react(context: ActionContext, frame: React) -> None:
    actor = context.actor
    try:
        room.claim_reaction_slot(
            actor.show_id, actor.viewer_id, pace.reaction_pace(), now=context.now
        )
    except room.Refused as error:
        raise refused(error, frame.ref) from error
    context.record(
        ReactionSent(
            **context.stamp,
            reaction=frame.reaction,
            count=frame.count,
        )
    )


def answer_poll(context: ActionContext, frame: AnswerPoll) -> ServerFrame:
    actor = context.actor
    try:
        room.answer_poll(actor.show_id, frame.poll_id, actor.viewer_id, frame.option)
    except room.Refused as error:
        raise refused(error, frame.ref) from error
    context.record(
        PollAnswered(
            **context.stamp,
            poll_id=frame.poll_id,
            option_index=frame.option,
        )
    )
    return AckFrame(action=frame.action, ref=frame.ref, detail=str(frame.option))


def enter_contest(context: ActionContext, frame: EnterContest) -> ServerFrame:
    actor = context.actor
    if not actor.display_name:
        raise refuse("name_required", "choose a display name to enter", ref=frame.ref)
    if actor.is_staff:
        raise refuse("forbidden", "staff cannot enter their own contest", ref=frame.ref)
    try:
        room.enter_contest(actor.show_id, frame.contest_id, actor.viewer_id, actor.display_name)
    except room.Refused as error:
        raise refused(error, frame.ref) from error
    context.record(
        ContestEntered(
            **context.stamp,
            contest_id=frame.contest_id,
        )
    )
    return AckFrame(action=frame.action, ref=frame.ref)


def set_name(context: ActionContext, frame: SetName) -> ServerFrame:
    actor = context.actor
    if actor.is_staff:
        raise refuse("forbidden", "staff appear under their sign-in name", ref=frame.ref)
    try:
        name = text.display_name(frame.name)
    except text.TextRejected as error:
        raise refuse("invalid_name", str(error), ref=frame.ref) from error
    audience.rename(actor.connection_id, name)
    return AckFrame(action=frame.action, ref=frame.ref, detail=name)
