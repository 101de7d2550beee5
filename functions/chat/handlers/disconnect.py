"""`$disconnect`: forget the connection and log how long the viewer watched."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from functions.chat.dal import connections
from functions.chat.logic import presence
from functions.common import event_log
from functions.common.events import Device
from functions.common.observability import instrumented, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, int | str]:
    connection = connections.close_connection(event["requestContext"]["connectionId"])
    if connection is not None and connection.role == "viewer":
        left = presence.left(
            show_id=connection.show_id,
            viewer_id=connection.viewer_id,
            device=Device(connection.device),
            source=connection.traffic_source,
            since=connection.connected_at,
            at=datetime.now(UTC),
        )
        event_log.append(left)
        metrics().add_metric(name="WatchSeconds", unit="Seconds", value=left.watch_seconds)
    metrics().add_metric(name="Disconnected", unit="Count", value=1)
    return {"statusCode": 200, "body": "disconnected"}
