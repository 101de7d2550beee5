"""Small handlers that show what an execution environment isolates and enforces."""

import os
import time
from typing import Any

_remembered: dict[str, Any] = {}  # module globals live as long as the environment


def echo(event: Any, context: Any) -> Any:
    return {"event": event, "function": context.function_name, "pid": os.getpid()}


def remember(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Stores `event["value"]` in a module global and returns what was there before."""
    before = _remembered.get("value")
    if "value" in event:
        _remembered["value"] = event["value"]
    return {"before": before, "pid": os.getpid()}


def environment(event: dict[str, Any], context: Any) -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in event["names"]}


def sleep(event: dict[str, Any], context: Any) -> dict[str, Any]:
    time.sleep(event["seconds"])
    return {
        "slept": event["seconds"],
        "pid": os.getpid(),
        "left": context.get_remaining_time_in_millis(),
    }


def fail(event: dict[str, Any], context: Any) -> None:
    raise ValueError(f"failing on purpose: {event.get('reason', 'asked to')}")


def crash(event: dict[str, Any], context: Any) -> None:
    os._exit(3)


def not_json(event: dict[str, Any], context: Any) -> object:
    return object()


def decimal_item(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """What boto3 reads from DynamoDB: numbers as Decimal."""
    from decimal import Decimal

    return {"stock": Decimal("3"), "price": Decimal("19.90")}
