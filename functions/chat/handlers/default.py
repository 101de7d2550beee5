"""`$default`: every frame a client sends. Bad frames get an error frame, never a crash."""

from typing import TYPE_CHECKING, Any

from functions.chat.adapters.connections_api import ConnectionsApi
from functions.chat.logic.frames import FrameError, Ping, PongFrame, parse_client_frame
from functions.common.observability import instrumented, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, int | str]:
    request_context = event["requestContext"]
    messenger = ConnectionsApi.for_request(request_context)
    connection_id = request_context["connectionId"]
    try:
        frame = parse_client_frame(event.get("body"))
    except FrameError as error:
        messenger.send(connection_id, error.frame)
        metrics().add_metric(name="FrameRejected", unit="Count", value=1)
        return {"statusCode": 400, "body": error.frame.error}
    metrics().add_metric(name="FrameHandled", unit="Count", value=1)
    match frame:
        case Ping():
            messenger.send(connection_id, PongFrame())
    return {"statusCode": 200, "body": "ok"}
