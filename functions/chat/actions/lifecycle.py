"""Applies a stream's start or end to its show: the one place the lifecycle is written.

Used by the IVS event handler and by `arm_show` (arming while the channel is already live adopts
the running stream: the host who is streaming and arms the show is live at once)."""

from datetime import datetime

from functions.chat.dal import room, shows
from functions.chat.logic.lifecycle import StreamEventName, StreamRecord, on_stream_event
from functions.common import event_log
from functions.common.events import ShowEnded, ShowStarted
from functions.common.models import ShowStatus
from functions.common.observability import logger, metrics

_LIVE_FROM = {ShowStatus.SCHEDULED, ShowStatus.ENDED, ShowStatus.LIVE}


def apply_stream_event(
    channel_arn: str, stream_id: str, name: StreamEventName, at: datetime
) -> str:
    """What the event did, in words (for logs and acks)."""
    record = room.stream(channel_arn, stream_id)
    if record is None:
        # A stream seen for the first time belongs to the show armed now (also when its End
        # overtook its Start).
        show_id = room.armed_show(channel_arn)
        if show_id is None:
            metrics().add_metric(name="StreamWithoutArmedShow", unit="Count", value=1)
            logger().warning("no show is armed on the channel", extra={"stream_id": stream_id})
            return "no show is armed"
        record = StreamRecord(show_id)
    show_id = record.show_id
    show = shows.show(show_id)
    transition = on_stream_event(
        name,
        at,
        record,
        show_status=ShowStatus(show.status) if show else None,
        current_stream_id=room.room(show_id).stream_id,
        stream_id=stream_id,
    )
    if transition.logged is None or not room.save_stream(channel_arn, stream_id, transition.record):
        logger().info("no-op", extra={"reason": transition.reason, "stream_id": stream_id})
        return transition.reason
    if transition.status is ShowStatus.LIVE:
        shows.set_status(show_id, ShowStatus.LIVE, only_from=_LIVE_FROM)
        room.went_live(show_id, stream_id, at)
    elif transition.status is ShowStatus.ENDED:
        shows.set_status(show_id, ShowStatus.ENDED, only_from={ShowStatus.LIVE})
        # The encoder reconnects after a StopStream (OBS does): that stream is not this show's.
        room.disarm(channel_arn, show_id)
    logged = ShowStarted if transition.logged == "show.started" else ShowEnded
    event_log.append(logged(show_id=show_id, at=at, stream_id=stream_id))
    metrics().add_metric(name="ShowTransition", unit="Count", value=1)
    logger().info(transition.reason, extra={"show_id": show_id, "stream_id": stream_id})
    return transition.reason
