"""Games: polls and quizzes with live results, contests drawn at random with a recorded seed."""

from functions.chat.actions.context import ActionContext
from functions.chat.actions.viewer import new_message_id, refused
from functions.chat.dal import room
from functions.chat.logic import contests, polls
from functions.chat.logic.frames import (
    AckFrame,
    ClosePoll,
    DrawContest,
    OpenContest,
    OpenPoll,
    ServerFrame,
)
from functions.common.events import ContestDrawn, ContestOpened, PollClosed, PollOpened


def open_poll(context: ActionContext, frame: OpenPoll) -> ServerFrame:
    poll = polls.validated(frame)
    actor = context.actor
    poll_id = new_message_id(context.now)
    try:
        room.open_poll(actor.show_id, poll_id, poll.question, poll.options, poll.correct_option)
    except room.Refused as error:
        raise refused(error, frame.ref) from error
    context.record(
        PollOpened(
            **context.stamp,
            poll_id=poll_id,
            question=poll.question,
            options=tuple(poll.options),
            correct_option=poll.correct_option,
        )
    )
    return AckFrame(action=frame.action, ref=frame.ref, detail=poll_id)


def close_poll(context: ActionContext, frame: ClosePoll) -> ServerFrame:
    actor = context.actor
    try:
        closed = room.close_poll(actor.show_id, frame.poll_id)
    except room.Refused as error:
        raise refused(error, frame.ref) from error
    result = room.view_poll(closed)
    context.record(
        PollClosed(
            **context.stamp,
            poll_id=frame.poll_id,
            counts=tuple(result.counts),
            correct_option=result.correct_option,
        )
    )
    return AckFrame(action=frame.action, ref=frame.ref, detail=frame.poll_id)


def open_contest(context: ActionContext, frame: OpenContest) -> ServerFrame:
    actor = context.actor
    contest_id = new_message_id(context.now)
    try:
        room.open_contest(actor.show_id, contest_id, frame.title.strip())
    except room.Refused as error:
        raise refused(error, frame.ref) from error
    context.record(
        ContestOpened(
            **context.stamp,
            contest_id=contest_id,
            title=frame.title.strip(),
        )
    )
    return AckFrame(action=frame.action, ref=frame.ref, detail=contest_id)


def draw_contest(context: ActionContext, frame: DrawContest) -> ServerFrame:
    actor = context.actor
    if room.contest(actor.show_id, frame.contest_id) is None:
        raise refused(room.Refused("not_found", "no such contest"), frame.ref)
    names = {entry.viewer_id: entry.display_name for entry in room.entrants(frame.contest_id)}
    result = contests.draw(names, contests.new_seed())
    winner_name = names.get(result.winner_id or "")
    try:
        room.record_draw(
            actor.show_id,
            frame.contest_id,
            seed=result.seed,
            winner_id=result.winner_id,
            winner_name=winner_name,
        )
    except room.Refused as error:
        raise refused(error, frame.ref) from error
    context.record(
        ContestDrawn(
            **context.stamp,
            contest_id=frame.contest_id,
            seed=result.seed,
            entrant_count=result.entrant_count,
            winner_viewer_id=result.winner_id,
            winner_name=winner_name or "",
        )
    )
    detail = f"winner: {winner_name}" if winner_name else "no entrants"
    return AckFrame(action=frame.action, ref=frame.ref, detail=f"{detail} (seed {result.seed})")
