"""IVS "Stream State Change" (EventBridge) → the show lifecycle (logic/lifecycle.py).

The stream belongs to the show armed on the channel when its first event arrives; from then on
its own record decides, so late, repeated and out-of-order events are harmless."""

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from functions.chat.dal import room, shows
from functions.chat.logic.lifecycle import (
    StreamEventName,
    StreamRecord,
    StreamStateChange,
    on_stream_event,
)
from functions.common import event_log
from functions.common.events import ShowEnded, ShowStarted
from functions.common.models import ShowStatus
from functions.common.observability import instrumented, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

_LIVE_FROM = {ShowStatus.SCHEDULED, ShowStatus.ENDED, ShowStatus.LIVE}


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, str]:
    try:
        change = StreamStateChange.parse(event)
        name = StreamEventName(change.detail.event_name)
    except (ValidationError, ValueError) as error:
        # Not a stream start or end (IVS also sends "Session Created" and others): nothing to do.
        logger().info("ignored IVS event", extra={"reason": str(error)[:300]})
        return {"result": "ignored"}
    channel, stream_id = change.channel_arn, change.detail.stream_id
    record = room.stream(channel, stream_id)
    if record is None:
        show_id = room.armed_show(channel)
        if show_id is None:
            metrics().add_metric(name="StreamWithoutArmedShow", unit="Count", value=1)
            logger().warning("no show is armed on the channel", extra={"stream_id": stream_id})
            return {"result": "no armed show"}
        record = StreamRecord(show_id)
    show = shows.show(record.show_id)
    transition = on_stream_event(
        name,
        change.time,
        record,
        show_status=ShowStatus(show.status) if show else None,
        current_stream_id=room.room(record.show_id).stream_id,
        stream_id=stream_id,
    )
    if transition.logged is None or not room.save_stream(channel, stream_id, transition.record):
        logger().info("no-op", extra={"reason": transition.reason, "stream_id": stream_id})
        return {"result": transition.reason}
    show_id = record.show_id
    if transition.status is ShowStatus.LIVE:
        shows.set_status(show_id, ShowStatus.LIVE, only_from=_LIVE_FROM)
        room.went_live(show_id, stream_id, change.time)
    elif transition.status is ShowStatus.ENDED:
        shows.set_status(show_id, ShowStatus.ENDED, only_from={ShowStatus.LIVE})
    logged = ShowStarted if transition.logged == "show.started" else ShowEnded
    event_log.append(logged(show_id=show_id, at=change.time, stream_id=stream_id))
    metrics().add_metric(name="ShowTransition", unit="Count", value=1)
    logger().info(transition.reason, extra={"show_id": show_id, "stream_id": stream_id})
    return {"result": transition.reason}
