"""Publishes the stand-in's IVS events to EventBridge, where the stack's rules route them.

Only for the local runtime: real EventBridge refuses `aws.*` sources from PutEvents (IVS
itself emits them in AWS); moto accepts them and runs the matching rules' targets."""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from local.ivs.notifications import IvsEvent


class EventNotDelivered(RuntimeError):
    pass


def publish_event(events_client: Any, event: IvsEvent, *, bus_name: str = "default") -> None:
    """PutEvents with the fields of an EventBridge event dict (`source`, `detail-type`, ...)."""
    response = events_client.put_events(
        Entries=[
            {
                "Source": event["source"],
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "Resources": event["resources"],
                "Time": datetime.fromisoformat(event["time"]),
                "EventBusName": bus_name,
            }
        ]
    )
    if response.get("FailedEntryCount"):
        raise EventNotDelivered(f"EventBridge refused {event['detail-type']}: {response}")


def eventbridge_publisher(
    events_client: Any, *, bus_name: str = "default"
) -> Callable[[IvsEvent], None]:
    """An `on_event` callback for LocalIvsChannel that forwards every event to EventBridge."""

    def publish(event: IvsEvent) -> None:
        publish_event(events_client, event, bus_name=bus_name)

    return publish
