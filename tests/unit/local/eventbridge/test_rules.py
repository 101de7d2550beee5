"""Delivery to a target: retries, the dead-letter queue, and what arrives from a tap queue."""

import json
import time
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from local.eventbridge.clock import ManualClock
from local.eventbridge.rules import (
    Destination,
    LocalTarget,
    RetryPolicy,
    RuleTargetDelivery,
    TargetDispatcher,
    event_from_tap,
    tap_queue_name,
)
from local.eventbridge.transform import InputTransformer, TargetInput
from tests.unit.local.eventbridge.fakes import (
    ACCOUNT,
    FakeInvoker,
    FakeSqs,
    FakeStepFunctions,
)

FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:expire"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders.fifo"
DLQ = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq"
MACHINE = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:replay"
RULE = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/holds"


class RefusingStepFunctions(FakeStepFunctions):
    def start_execution(self, **request):
        self.started.append(request)
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "Start")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 5, 1, tzinfo=UTC))


@pytest.fixture
def sqs() -> FakeSqs:
    return FakeSqs()


def dispatcher(clock, sqs, invoker=None, stepfunctions=None) -> TargetDispatcher:
    return TargetDispatcher(
        invoker=invoker or FakeInvoker(),
        stepfunctions=stepfunctions or FakeStepFunctions(),
        sqs=sqs,
        clock=clock,
    )


def test_function_error_is_retried_twice_then_dead_lettered(clock, sqs):
    invoker = FakeInvoker(failing={FUNCTION})
    destination = Destination(FUNCTION, RetryPolicy(maximum_retry_attempts=0), DLQ)
    delivery = dispatcher(clock, sqs, invoker).deliver(
        destination, '{"sku": 1}', source_arn=RULE, trigger="eventbridge", original='{"e": 1}'
    )
    assert delivery.attempts == 3
    assert not delivery.delivered
    assert len(invoker.calls) == 3
    (dead,) = sqs.sent
    assert dead["QueueUrl"].endswith("/dlq")
    assert dead["MessageBody"] == '{"e": 1}'
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "FunctionError"
    assert dead["MessageAttributes"]["RULE_ARN"]["StringValue"] == RULE


def test_unknown_function_is_not_retried(clock, sqs):
    invoker = FakeInvoker(known=set())
    delivery = dispatcher(clock, sqs, invoker).deliver(
        Destination(FUNCTION, dead_letter_arn=DLQ), "{}", source_arn=RULE, trigger="x"
    )
    assert delivery.attempts == 1
    assert sqs.sent[0]["MessageAttributes"]["ERROR_CODE"]["StringValue"] == (
        "ResourceNotFoundException"
    )


def test_plain_text_cannot_go_to_a_function(clock, sqs):
    invoker = FakeInvoker()
    delivery = dispatcher(clock, sqs, invoker).deliver(
        Destination(FUNCTION), "not json", source_arn=RULE, trigger="x"
    )
    assert delivery.error is not None
    assert "InvalidRequestContent" in delivery.error
    assert invoker.calls == []


def test_service_errors_are_retried_up_to_the_retry_policy_capped_locally(clock, sqs):
    stepfunctions = RefusingStepFunctions()
    for policy, attempts in ((0, 1), (1, 2), (185, 3)):
        stepfunctions.started.clear()
        delivery = dispatcher(clock, sqs, stepfunctions=stepfunctions).deliver(
            Destination(MACHINE, RetryPolicy(maximum_retry_attempts=policy)),
            "{}",
            source_arn=RULE,
            trigger="x",
        )
        assert delivery.attempts == attempts == len(stepfunctions.started)
        assert delivery.error is not None
        assert "ThrottlingException" in delivery.error


def test_state_machine_gets_the_payload_as_its_input(clock, sqs):
    stepfunctions = FakeStepFunctions()
    dispatcher(clock, sqs, stepfunctions=stepfunctions).deliver(
        Destination(MACHINE), '{"show": "s"}', source_arn=RULE, trigger="x"
    )
    (started,) = stepfunctions.started
    assert started.pop("name")  # each execution named, as EventBridge names it
    assert started == {"stateMachineArn": MACHINE, "input": '{"show": "s"}'}


def test_queue_gets_the_payload_with_its_message_group(clock, sqs):
    dispatcher(clock, sqs).deliver(
        Destination(QUEUE, message_group_id="show-1"), "plain text", source_arn=RULE, trigger="x"
    )
    assert sqs.sent == [
        {
            "QueueUrl": f"https://sqs/{ACCOUNT}/orders.fifo",
            "MessageBody": "plain text",
            "MessageGroupId": "show-1",
        }
    ]


def test_tap_event_is_the_event_eventbridge_sends():
    body = json.dumps({"id": "1", "detail": {}, "ingestion-time": 1.0, "time": "t"})
    assert event_from_tap(body, ACCOUNT) == {
        "id": "1",
        "detail": {},
        "time": "t",
        "account": ACCOUNT,
    }


def tapped_target(target_input: TargetInput) -> LocalTarget:
    """The `holds` rule's function target, delivered through a tap queue."""
    return LocalTarget(
        rule_name="holds",
        rule_arn=RULE,
        event_bus="default",
        target_id="Expire",
        destination=Destination(FUNCTION),
        input=target_input,
        tap_queue_url="https://sqs/tap",
    )


def test_tapped_event_is_transformed_for_its_target(clock, sqs):
    invoker = FakeInvoker()
    target = tapped_target(
        TargetInput(transformer=InputTransformer('{"r": "<aws.events.rule-name>"}'))
    )
    delivery = RuleTargetDelivery([target], sqs=sqs, dispatcher=dispatcher(clock, sqs, invoker))
    assert delivery.handle(target, json.dumps({"detail": {}})).delivered
    assert invoker.calls == [(FUNCTION, {"r": "holds"})]


def test_tap_queue_names_are_recognisable_and_fit_sqs():
    assert tap_queue_name("Stack-HoldRule", "Expire") == "vitrine-local-tap-Stack-HoldRule-Expire"
    long_a, long_b = tap_queue_name("r" * 64, "a" * 64), tap_queue_name("r" * 64, "b" * 64)
    assert len(long_a) <= 80
    assert len(long_b) <= 80
    assert long_a != long_b
    assert tap_queue_name("bus.rule", "t") == "vitrine-local-tap-bus-rule-t"


class FlakyTap:
    """A tap queue holding two events, whose first delete fails as a hiccup of the endpoint."""

    def __init__(self) -> None:
        self.waiting = [json.dumps({"detail": {"n": n}}) for n in (1, 2)]
        self.deletes = 0

    def receive_message(self, **request: object) -> dict[str, object]:
        bodies, self.waiting = self.waiting, []
        return {"Messages": [{"Body": b, "ReceiptHandle": b} for b in bodies]}

    def delete_message(self, **request: object) -> None:
        self.deletes += 1
        if self.deletes == 1:
            raise ConnectionError("the endpoint went away for a moment")


def test_a_failure_while_delivering_does_not_end_the_rules_delivery(clock, sqs):
    invoker = FakeInvoker()
    target = tapped_target(TargetInput(path="$.detail"))
    tap = FlakyTap()
    delivery = RuleTargetDelivery(
        [target], sqs=tap, dispatcher=dispatcher(clock, sqs, invoker), poll_seconds=0.01
    )
    delivery.start()
    try:
        deadline = time.monotonic() + 5
        while len(invoker.calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        delivery.stop()
    assert invoker.calls == [(FUNCTION, {"n": 1}), (FUNCTION, {"n": 2})]
