"""The room's snapshot, for a viewer who joins or reconnects (issue 6, part 5)."""

from functions.chat.actions.context import ActionContext
from functions.chat.dal import room, shows
from functions.chat.logic.frames import SnapshotFrame, You, refuse
from functions.common.events import StaffRole


def snapshot(context: ActionContext) -> SnapshotFrame:
    actor = context.actor
    show = shows.show(actor.show_id)
    if show is None:
        raise refuse("not_found", f"no show {actor.show_id}")
    state = context.room()
    poll = room.poll(actor.show_id, state.open_poll_id) if state.open_poll_id else None
    contest = room.contest(actor.show_id, state.open_contest_id) if state.open_contest_id else None
    viewer = room.viewer_state(actor.show_id, actor.viewer_id)
    muted_until = viewer.muted_until if viewer and viewer.muted_until else None
    return SnapshotFrame(
        show=shows.show_view(show),
        you=You(
            viewer_id=actor.viewer_id,
            display_name=actor.display_name,
            role=actor.role,
            muted_until=muted_until if muted_until and muted_until > context.now else None,
        ),
        viewers=max(0, int(state.viewer_count or 0)),
        slow_mode_seconds=int(state.slow_mode_seconds or 0),
        pinned=room.pinned(state),
        featured=room.featured(state),
        poll=room.view_poll(poll) if poll else None,
        contest=room.view_contest(contest) if contest else None,
        promo=shows.promo_banner(show, now=context.now),
        messages=room.last_messages(actor.show_id),
        blocklist=room.blocklist() if actor.staff_role is StaffRole.ADMIN else None,
    )
