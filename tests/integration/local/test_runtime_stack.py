"""The runtime test stack run by the local runtime, as `make dev` runs Vitrine: each trigger
delivers as Lambda would, and each function has its role's permissions and nothing more."""

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key

from tests.integration.local.conftest import RunningStack

pytestmark = pytest.mark.integration


def observations(stack: RunningStack, run: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(stack.physical("Observations"))
    return table.query(KeyConditionExpression=Key("run").eq(run))["Items"]


def eventually[T](probe: Callable[[], T], done: Callable[[T], bool], timeout: float = 30) -> T:
    """Poll `probe` until `done` holds (bounded), then return what it saw."""
    deadline = time.monotonic() + timeout
    while True:
        seen = probe()
        if done(seen) or time.monotonic() > deadline:
            return seen
        time.sleep(0.2)


def test_an_sqs_queue_delivers_in_batches_and_retries_only_failed_items(
    running_stack: RunningStack,
) -> None:
    run = f"orders-{uuid.uuid4().hex[:8]}"
    sqs = boto3.client("sqs")
    queue = running_stack.physical("Orders")
    orders = [{"run": run, "id": f"order-{n}"} for n in range(7)]
    poison = {"run": run, "id": "poison", "fail": "always"}
    for start in (0, 5):
        entries = [{"Id": str(n), "MessageBody": json.dumps(order)}
                   for n, order in enumerate(orders[start:start + 5])]  # fmt: skip
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(poison))

    seen = eventually(lambda: observations(running_stack, run), lambda items: len(items) >= 7)
    assert sorted(item["item"] for item in seen) == sorted(order["id"] for order in orders)
    assert all(int(item["batch_size"]) <= 5 for item in seen)  # the mapping's BatchSize

    # The poison message was retried (maxReceiveCount 2), then moved to the dead-letter queue.
    dlq = running_stack.physical("OrdersDeadLetters")
    moved = eventually(
        lambda: sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ),
        lambda messages: any(json.loads(m["Body"]).get("run") == run for m in messages),
        timeout=90,  # two receives, each visible again after the 10 s visibility timeout
    )
    assert [json.loads(m["Body"]) for m in moved if json.loads(m["Body"])["run"] == run] == [poison]
    assert len(observations(running_stack, run)) == 7  # no order delivered twice


def test_a_fifo_queue_keeps_each_message_group_in_order(running_stack: RunningStack) -> None:
    run = f"tickets-{uuid.uuid4().hex[:8]}"
    sqs = boto3.client("sqs")
    queue = running_stack.physical("Tickets")
    for n in range(6):
        for group in ("a", "b"):
            sqs.send_message(
                QueueUrl=queue,
                MessageBody=json.dumps({"run": run, "id": f"{group}-{n}"}),
                MessageGroupId=f"{run}-{group}",
                MessageDeduplicationId=f"{run}-{group}-{n}",
            )
    seen = eventually(lambda: observations(running_stack, run), lambda items: len(items) >= 12)
    by_time = sorted(seen, key=lambda item: item["id"].split("#")[1])
    for group in ("a", "b"):
        order = [item["item"] for item in by_time if item["item"].startswith(group)]
        assert order == [f"{group}-{n}" for n in range(6)]


def test_a_stream_isolates_a_poison_record_and_sends_it_to_the_destination(
    running_stack: RunningStack,
) -> None:
    run = f"ledger-{uuid.uuid4().hex[:8]}"
    ledger = boto3.resource("dynamodb").Table(running_stack.physical("Ledger"))
    with ledger.batch_writer() as batch:
        for n in range(6):
            batch.put_item(Item={"pk": f"{run}-{n}", "run": run, "poison": n == 3})
    seen = eventually(lambda: observations(running_stack, run), lambda items: len(items) >= 5)
    assert sorted(item["item"] for item in seen) == [f"{run}-{n}" for n in (0, 1, 2, 4, 5)]

    # The destination may hold failures of earlier runs: ours lies between this run's records.
    sequences = sorted(int(json.loads(item["sequence"])) for item in seen)
    sqs = boto3.client("sqs")
    failures = running_stack.physical("LedgerFailures")

    def this_runs() -> list[dict[str, Any]]:
        received = sqs.receive_message(QueueUrl=failures, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        bodies = [json.loads(m["Body"]) for m in received.get("Messages", [])]
        return [
            body for body in bodies
            if sequences[0] < int(body["DDBStreamBatchInfo"]["startSequenceNumber"]) < sequences[-1]
        ]  # fmt: skip

    (failure,) = eventually(this_runs, bool)
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1  # bisected down to the poison one
    assert failure["DDBStreamBatchInfo"]["streamArn"] == running_stack.physical(
        "Ledger", "StreamArn"
    )


def test_a_missing_grant_fails_locally_with_access_denied(running_stack: RunningStack) -> None:
    lambdas = running_stack.runtime.lambdas
    assert lambdas is not None
    function = running_stack.physical("UnderGranted")
    run = f"grants-{uuid.uuid4().hex[:8]}"

    granted = lambdas.invoke(function, {"table": "observations", "run": run}, trigger="test")
    assert granted.payload == {"written": "observations"}

    refused = lambdas.invoke(function, {"table": "ledger", "run": run}, trigger="test")
    assert refused.error is not None
    assert refused.error.error_type == "ClientError"
    assert "AccessDeniedException" in refused.error.message
    assert "is not authorized to perform: dynamodb:PutItem on resource: " in refused.error.message
    assert running_stack.physical("Ledger") in refused.error.message


def _run_workflow(stack: RunningStack, detail: dict[str, Any]) -> dict[str, Any]:
    """Put the event the rule matches; the execution it started, once finished."""
    from tests.runtime_stack.stack import EVENT_SOURCE, ORDER_PLACED

    if not stack.runtime.step_functions_bridged:
        pytest.skip("Step Functions at AWS_ENDPOINT_URL run their own Lambda: see the README")
    entry = {"Source": EVENT_SOURCE, "DetailType": ORDER_PLACED, "Detail": json.dumps(detail)}
    boto3.client("events").put_events(Entries=[entry])
    sfn = boto3.client("stepfunctions")
    machine = stack.physical("Workflow")

    def finished() -> list[dict[str, Any]]:
        found = []
        for execution in sfn.list_executions(stateMachineArn=machine)["executions"]:
            described = sfn.describe_execution(executionArn=execution["executionArn"])
            if json.loads(described["input"]).get("run") == detail["run"]:
                found.append(described)
        return [d for d in found if d["status"] != "RUNNING"]

    (execution,) = eventually(finished, bool, timeout=60)
    return execution


def test_a_rule_starts_the_workflow_which_retries_a_flaky_function(
    running_stack: RunningStack,
) -> None:
    run = f"workflow-{uuid.uuid4().hex[:8]}"
    execution = _run_workflow(running_stack, {"run": run, "fail_times": 1})
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"run": run, "attempts": 2}
    history = boto3.client("stepfunctions").get_execution_history(
        executionArn=execution["executionArn"]
    )["events"]
    kinds = [event["type"] for event in history]
    # payload_response_only: the task's Resource is the function's ARN, as AWS records it.
    assert kinds.count("LambdaFunctionFailed") == 1  # the Retry took the FlakyError
    assert kinds.count("LambdaFunctionSucceeded") == 1
    failed = next(event for event in history if event["type"] == "LambdaFunctionFailed")
    assert failed["lambdaFunctionFailedEventDetails"]["error"] == "FlakyError"


def test_the_workflow_catches_an_error_it_does_not_retry(running_stack: RunningStack) -> None:
    run = f"workflow-{uuid.uuid4().hex[:8]}"
    execution = _run_workflow(running_stack, {"run": run, "error": "other"})
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"run": run, "recovered": True}
    (fallback,) = [item for item in observations(running_stack, run) if item["item"] == "fallback"]
    assert "not retried: caught" in json.loads(fallback["error"])["Cause"]
    attempts = [item for item in observations(running_stack, run) if item["item"] == "attempt"]
    assert len(attempts) == 1  # RuntimeError is not in the Retry's errors


def test_a_schedule_rule_fires_on_time(running_stack: RunningStack) -> None:
    """`rate(1 minute)` on the test clock (60x): about one Scheduled Event per second."""
    started = time.time()
    ticks = eventually(
        lambda: [
            item for item in observations(running_stack, "ticks")
            if float(item["id"].split("#")[1]) / 1e9 >= started
        ],
        lambda items: len(items) >= 3,
        timeout=20,
    )  # fmt: skip
    assert len(ticks) >= 3
    assert {json.loads(tick["detail_type"]) for tick in ticks} == {"Scheduled Event"}
    assert len({tick["item"] for tick in ticks}) == len(ticks)  # each firing once


def test_a_function_schedules_another_one_with_eventbridge_scheduler(
    running_stack: RunningStack,
) -> None:
    """A one-time `at()` schedule created at run time (as stock holds will be) fires once on
    the runtime's clock, reaches its target with its input, and is deleted after."""
    from datetime import timedelta

    runtime = running_stack.runtime
    assert runtime.lambdas is not None
    assert runtime.triggers is not None
    run = f"expiry-{uuid.uuid4().hex[:8]}"
    at = (runtime.triggers.clock.now() + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S")
    created = runtime.lambdas.invoke(
        running_stack.physical("ScheduleLater"), {"run": run, "at": at}, trigger="test"
    )
    assert created.error is None, created.error
    fired = eventually(lambda: observations(running_stack, run), bool, timeout=20)
    assert [item["item"] for item in fired] == ["expired"]
    scheduler = boto3.client("scheduler")
    names = [s["Name"] for s in scheduler.list_schedules()["Schedules"]]
    assert f"expire-{run}" not in names  # ActionAfterCompletion DELETE
    time.sleep(2)  # two more minutes of the runtime's clock: it fired once
    assert len(observations(running_stack, run)) == 1
