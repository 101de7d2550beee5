"""`$disconnect`: forget the connection and log how long the viewer watched."""

from datetime import UTC, datetime

from functions.chat.dal import connections
from functions.chat.logic import presence
from functions.common import event_log
from functions.common.observability import instrumented, metrics


@instrumented
def handler(event: dict, context: object) -> dict:
    connection = connections.close_connection(event["requestContext"]["connectionId"])
    if connection is not None and connection.role == "viewer":
        left = presence.left(
            show_id=connection.show_id,
            viewer_id=connection.viewer_id,
            device=connection.device,
            source=connection.traffic_source,
            since=connection.connected_at,
            at=datetime.now(UTC),
        )
        event_log.append(left)
        metrics().add_metric(name="WatchSeconds", unit="Seconds", value=left.watch_seconds)
    metrics().add_metric(name="Disconnected", unit="Count", value=1)
    return {"statusCode": 200, "body": "disconnected"}
