"""The runtime test stack's functions. Each writes what it received to the Observations
table, so a test (another process) can see what was delivered, how often and in what order."""

import json
import os
import time
import uuid
from typing import Any

import boto3


def _table(variable: str = "OBSERVATIONS_TABLE") -> Any:
    return boto3.resource("dynamodb").Table(os.environ[variable])


def _observe(run: str, item: str, **details: Any) -> None:
    _table().put_item(
        Item={
            "run": run,
            "id": f"{item}#{time.time_ns()}#{uuid.uuid4().hex[:6]}",
            "item": item,
            "pid": os.getpid(),
            **{key: json.dumps(value) for key, value in details.items()},
        }
    )


class FlakyError(Exception):
    """Retried by the workflow's Retry."""


def consume_orders(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Orders whose body says `"fail": "always"` are reported as failed items."""
    failures = []
    for record in event["Records"]:
        order = json.loads(record["body"])
        if order.get("fail") == "always":
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        _observe(order["run"], order["id"], batch_size=len(event["Records"]),
                 receive_count=record["attributes"]["ApproximateReceiveCount"])  # fmt: skip
    return {"batchItemFailures": failures}


def consume_tickets(event: dict[str, Any], context: Any) -> None:
    for record in event["Records"]:
        ticket = json.loads(record["body"])
        _observe(ticket["run"], ticket["id"], group=record["attributes"]["MessageGroupId"])


def consume_ledger(event: dict[str, Any], context: Any) -> None:
    """A batch holding a `poison` entry fails as a whole (bisecting isolates it)."""
    images = [record["dynamodb"]["NewImage"] for record in event["Records"]]
    if any(image.get("poison", {}).get("BOOL") for image in images):
        raise ValueError("poison entry in the batch")
    for record, image in zip(event["Records"], images, strict=True):
        _observe(image["run"]["S"], image["pk"]["S"],
                 sequence=record["dynamodb"]["SequenceNumber"])  # fmt: skip


def flaky(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Fails with FlakyError for the first `fail_times` attempts of a run."""
    run = event["run"]
    _observe(run, "attempt")
    attempts = _table().query(
        KeyConditionExpression="#run = :run", ExpressionAttributeNames={"#run": "run"},
        ExpressionAttributeValues={":run": run},
    )["Count"]  # fmt: skip
    if event.get("error") == "other":
        raise RuntimeError("not retried: caught")
    if attempts <= int(event.get("fail_times", 0)):
        raise FlakyError(f"attempt {attempts} fails")
    return {"run": run, "attempts": attempts}


def fallback(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _observe(event["run"], "fallback", error=event.get("error"))
    return {"run": event["run"], "recovered": True}


def tick(event: dict[str, Any], context: Any) -> None:
    _observe("ticks", event["id"], detail_type=event["detail-type"], time=event["time"])


def write_where_asked(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Writes one item to the table named by `event["table"]`: only one of them is granted."""
    variable = {"observations": "OBSERVATIONS_TABLE", "ledger": "LEDGER_TABLE"}[event["table"]]
    key = {"run": event["run"], "id": "written"} if variable == "OBSERVATIONS_TABLE" else {
        "pk": event["run"]}  # fmt: skip
    _table(variable).put_item(Item=key)
    return {"written": event["table"]}


def schedule_later(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Creates a one-time schedule that invokes Expire at `event["at"]` with the run's id."""
    name = f"expire-{event['run']}"
    boto3.client("scheduler").create_schedule(
        Name=name,
        ScheduleExpression=f"at({event['at']})",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": os.environ["EXPIRE_FUNCTION_ARN"],
            "RoleArn": os.environ["SCHEDULER_ROLE_ARN"],
            "Input": json.dumps({"run": event["run"]}),
        },
    )
    return {"schedule": name}


def expire(event: dict[str, Any], context: Any) -> None:
    _observe(event["run"], "expired")
