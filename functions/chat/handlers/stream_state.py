"""IVS "Stream State Change" (EventBridge) → the show lifecycle (actions/lifecycle.py).

IVS events are best effort: late, repeated or out of order. Each stream only moves forward, so
a repeated event is a no-op and a Start that arrives after its End revives nothing."""

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from functions.chat.actions.lifecycle import apply_stream_event
from functions.chat.logic.lifecycle import StreamEventName, StreamStateChange
from functions.common.observability import instrumented, logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, str]:
    try:
        change = StreamStateChange.parse(event)
        name = StreamEventName(change.detail.event_name)
    except (ValidationError, ValueError) as error:
        # Not a stream start or end (IVS also sends "Session Created" and others): nothing to do.
        logger().info("ignored IVS event", extra={"reason": str(error)[:300]})
        return {"result": "ignored"}
    result = apply_stream_event(change.channel_arn, change.detail.stream_id, name, change.time)
    return {"result": result}
