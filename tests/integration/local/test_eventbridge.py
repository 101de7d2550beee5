"""Rule targets and schedules run locally on the embedded AWS: moto matches the events, the
local delivery hands them, transformed, to functions (a fake `Invoker`), state machines and
queues; schedules fire on a clock running 60 times faster than real time."""

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from functions.common import aws
from local.awslambda.invocation import FunctionError, Invocation
from local.cloudformation.template import Resource, Template
from local.eventbridge import (
    RuleTargetDelivery,
    ScaledClock,
    Scheduler,
    TargetDispatcher,
    provision_rules,
    provision_schedules,
)
from local.eventbridge.rules import tap_queue_name
from local.eventbridge.scheduler import Firing

pytestmark = pytest.mark.integration

REGION = "us-east-1"
ACCOUNT = "123456789012"
SPEED = 60.0  # one real second is a minute: rate(1 minute) fires every second


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


@dataclass
class FakeInvoker:
    """Records every invocation; the functions named in `failing` raise."""

    failing: set[str] = field(default_factory=set)
    calls: list[tuple[str, Any, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def invoke(self, function: str, event: Any, *, trigger: str) -> Invocation:
        with self.lock:
            self.calls.append((function, event, trigger))
        if function in self.failing:
            return Invocation(function, None, error=FunctionError("ValueError", "sold out"))
        return Invocation(function, None)

    def events_for(self, function: str) -> list[Any]:
        with self.lock:
            return [event for name, event, _ in self.calls if name == function]


def eventually(condition: Callable[[], Any], *, attempts: int = 100, every: float = 0.1) -> Any:
    """Poll until `condition()` is truthy (bounded), and return its value."""
    for _ in range(attempts):
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition never became true")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def template_with(resources: dict[str, dict[str, Any]]) -> Template:
    return Template(
        stack_name=unique("EbTest"),
        resources={
            logical_id: Resource(logical_id, spec["Type"], spec["Properties"])
            for logical_id, spec in resources.items()
        },
        region=REGION,
    )


@dataclass
class Local:
    """The local EventBridge over the embedded AWS, started for one test."""

    invoker: FakeInvoker
    clock: ScaledClock
    dispatcher: TargetDispatcher
    firings: list[Firing]
    running: list[RuleTargetDelivery | Scheduler] = field(default_factory=list)

    def deliver_rules(self, template: Template) -> RuleTargetDelivery:
        targets = provision_rules(template, aws.client("events"), aws.client("sqs"))
        delivery = RuleTargetDelivery(
            targets, sqs=aws.client("sqs"), dispatcher=self.dispatcher, poll_seconds=0.05
        )
        delivery.start()
        self.running.append(delivery)
        scheduler = Scheduler(
            clock=self.clock,
            dispatcher=self.dispatcher,
            events=aws.client("events"),
            scheduler=None,
            rule_targets=targets,
            poll_seconds=0.1,
        )
        scheduler.start()
        self.running.append(scheduler)
        return delivery

    def run_schedules(self) -> Scheduler:
        scheduler = Scheduler(
            clock=self.clock,
            dispatcher=self.dispatcher,
            events=aws.client("events"),
            scheduler=aws.client("scheduler"),
            rule_targets=[],
            poll_seconds=0.1,
            on_fire=self.firings.append,
        )
        scheduler.start()
        self.running.append(scheduler)
        return scheduler


@pytest.fixture
def local(aws_endpoint) -> Iterator[Local]:
    invoker, clock = FakeInvoker(), ScaledClock(SPEED)
    dispatcher = TargetDispatcher(
        invoker=invoker,
        stepfunctions=aws.client("stepfunctions"),
        sqs=aws.client("sqs"),
        clock=clock,
    )
    harness = Local(invoker, clock, dispatcher, firings=[])
    yield harness
    for part in reversed(harness.running):
        part.stop()


def queue(name: str) -> tuple[str, str]:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def receive(url: str) -> list[dict[str, Any]]:
    response = aws.client("sqs").receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )
    return response.get("Messages", [])


def put_event(source: str, detail_type: str, detail: dict[str, Any]) -> None:
    response = aws.client("events").put_events(
        Entries=[{"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}]
    )
    assert response["FailedEntryCount"] == 0


def pattern_rule(source: str, target: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "EventPattern": {"source": [source], "detail-type": ["Hold Placed"]},
            "State": "ENABLED",
            "Targets": [target],
        },
    }


def test_lambda_target_gets_only_matching_events_transformed(local):
    source, function = unique("vitrine.cart"), unique("fn")
    template = template_with(
        {
            "HoldRule": pattern_rule(
                source,
                {
                    "Id": "ExpireHold",
                    "Arn": function_arn(function),
                    "InputTransformer": {
                        "InputPathsMap": {"sku": "$.detail.sku", "qty": "$.detail.quantity"},
                        "InputTemplate": '{"sku": <sku>, "label": "<qty> x <sku>"}',
                    },
                },
            )
        }
    )
    # Provisioning twice against a kept endpoint leaves one tap target, not two.
    provision_rules(template, aws.client("events"), aws.client("sqs"))
    local.deliver_rules(template)
    rule_name = template.resolve({"Ref": "HoldRule"})
    (target,) = aws.client("events").list_targets_by_rule(Rule=rule_name)["Targets"]
    assert target["Arn"].endswith(tap_queue_name(rule_name, "ExpireHold"))

    put_event(source, "Cart Updated", {"sku": "other", "quantity": 9})
    put_event(source, "Hold Placed", {"sku": "mug-1", "quantity": 2})

    events = eventually(lambda: local.invoker.events_for(function_arn(function)))
    assert events == [{"sku": "mug-1", "label": "2 x mug-1"}]
    tap_url = aws.client("sqs").get_queue_url(QueueName=tap_queue_name(rule_name, "ExpireHold"))
    eventually(lambda: not receive(tap_url["QueueUrl"]))  # handled and deleted
    assert local.invoker.events_for(function_arn(function)) == events
    assert {trigger for _, _, trigger in local.invoker.calls} == {"eventbridge"}


def test_a_queue_target_gets_the_event_as_eventbridge_sends_it(local):
    """Powertools' EventBridgeModel needs every field, `account` included (moto drops it)."""
    from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

    source = unique("vitrine.cart")
    url, arn = queue(unique("holds"))
    local.deliver_rules(template_with({"HoldRule": pattern_rule(source, {"Id": "Q", "Arn": arn})}))
    put_event(source, "Hold Placed", {"sku": "mug-1"})
    (message,) = eventually(lambda: receive(url))
    event = json.loads(message["Body"])
    assert event["account"] == "123456789012"
    assert event["detail"] == {"sku": "mug-1"}
    EventBridgeModel.model_validate(event)


def test_failing_function_sends_the_event_to_the_dead_letter_queue(local):
    source, function = unique("vitrine.cart"), unique("fn")
    dlq_url, dlq_arn = queue(unique("dlq"))
    local.invoker.failing.add(function_arn(function))
    template = template_with(
        {
            "HoldRule": pattern_rule(
                source,
                {
                    "Id": "ExpireHold",
                    "Arn": function_arn(function),
                    "InputPath": "$.detail",
                    "RetryPolicy": {"MaximumRetryAttempts": 0},
                    "DeadLetterConfig": {"Arn": dlq_arn},
                },
            )
        }
    )
    local.deliver_rules(template)
    put_event(source, "Hold Placed", {"sku": "mug-1"})

    (message,) = eventually(lambda: receive(dlq_url))
    # Lambda retried the asynchronous invoke twice before EventBridge gave up.
    assert local.invoker.events_for(function_arn(function)) == [{"sku": "mug-1"}] * 3
    assert json.loads(message["Body"])["detail"] == {"sku": "mug-1"}
    attributes = {
        name: value["StringValue"] for name, value in message["MessageAttributes"].items()
    }
    assert attributes["ERROR_CODE"] == "FunctionError"
    assert attributes["TARGET_ARN"] == function_arn(function)
    assert attributes["RULE_ARN"] == template.resolve({"Fn::GetAtt": ["HoldRule", "Arn"]})


def test_state_machine_target_starts_an_execution_with_the_event(local):
    source = unique("vitrine.replay")
    stepfunctions = aws.client("stepfunctions")
    machine_arn = stepfunctions.create_state_machine(
        name=unique("replay"),
        definition=json.dumps(
            {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
        ),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn",
    )["stateMachineArn"]
    template = template_with(
        {
            "ReplayRule": pattern_rule(
                source, {"Id": "Workflow", "Arn": machine_arn, "InputPath": "$.detail"}
            )
        }
    )
    local.deliver_rules(template)
    put_event(source, "Hold Placed", {"show": "s-1"})

    (execution,) = eventually(
        lambda: stepfunctions.list_executions(stateMachineArn=machine_arn)["executions"]
    )
    described = stepfunctions.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(described["input"]) == {"show": "s-1"}


def test_rate_rule_fires_scheduled_events(local):
    function = unique("fn")
    template = template_with(
        {
            "Tick": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "ScheduleExpression": "rate(1 minute)",
                    "State": "ENABLED",
                    "Targets": [{"Id": "Kpis", "Arn": function_arn(function)}],
                },
            }
        }
    )
    local.deliver_rules(template)
    rule_arn = template.resolve({"Fn::GetAtt": ["Tick", "Arn"]})

    eventually(lambda: len(local.invoker.events_for(function_arn(function))) >= 2)
    first, second = local.invoker.events_for(function_arn(function))[:2]
    assert first["detail-type"] == "Scheduled Event"
    assert first["source"] == "aws.events"
    assert first["resources"] == [rule_arn]
    assert first["detail"] == {}
    assert (first["version"], first["account"], first["region"]) == ("0", ACCOUNT, REGION)
    assert first["id"] != second["id"]
    # a minute apart on the rule's clock, on the minute it was due
    times = [event["time"] for event in (first, second)]
    assert all(t.endswith("Z") for t in times)
    assert (
        time.mktime(time.strptime(times[1], "%Y-%m-%dT%H:%M:%SZ"))
        - time.mktime(time.strptime(times[0], "%Y-%m-%dT%H:%M:%SZ"))
    ) == 60


def test_one_time_schedule_fires_once_and_is_deleted(local):
    scheduler, function, name = aws.client("scheduler"), unique("fn"), unique("expire-hold")
    local.run_schedules()
    when = (local.clock.now() + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%S")
    arn = scheduler.create_schedule(
        Name=name,
        ScheduleExpression=f"at({when})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": function_arn(function),
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/scheduler",
            "Input": json.dumps({"hold": "h-1"}),
        },
        ActionAfterCompletion="DELETE",
    )["ScheduleArn"]

    assert eventually(lambda: local.invoker.events_for(function_arn(function))) == [{"hold": "h-1"}]
    names = lambda: {s["Name"] for s in scheduler.list_schedules()["Schedules"]}  # noqa: E731
    eventually(lambda: name not in names())
    assert [f for f in local.firings if f.source_arn == arn] == [
        Firing(arn, local.firings[0].scheduled_time)
    ]
    assert local.invoker.events_for(function_arn(function)) == [{"hold": "h-1"}]


def test_template_schedule_delivers_its_input_to_a_queue(local):
    url, arn = queue(unique("kpis"))
    template = template_with(
        {
            "KpiSchedule": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "ScheduleExpression": "rate(1 minute)",
                    "ScheduleExpressionTimezone": "Europe/Paris",
                    "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 5},
                    "Target": {
                        "Arn": arn,
                        "RoleArn": {"Fn::GetAtt": ["SchedulerRole", "Arn"]},
                        "Input": "refresh kpis",
                    },
                },
            }
        }
    )
    provision_schedules(template, aws.client("scheduler"))
    provision_schedules(template, aws.client("scheduler"))  # a kept endpoint: updated, not failed
    local.run_schedules()
    try:
        messages = eventually(lambda: receive(url))
        assert {message["Body"] for message in messages} == {"refresh kpis"}
    finally:
        aws.client("scheduler").delete_schedule(Name=template.resolve({"Ref": "KpiSchedule"}))


def test_the_stacks_ivs_rules_deliver_to_their_log_group(provisioned):
    """moto fails every PutEvents when a rule targets a missing log group: the group is made."""
    events, logs = aws.client("events"), aws.client("logs")
    provision_rules(provisioned, events, aws.client("sqs"), logs)
    (channel,) = provisioned.of_type("AWS::IVS::Channel")
    rule = provisioned.resolve(
        {"Ref": next(r.logical_id for r in provisioned.of_type("AWS::Events::Rule"))}
    )
    # Other tests add capture queues to the stack's rules: the template's target is the group.
    targets = events.list_targets_by_rule(Rule=rule)["Targets"]
    (target,) = [target for target in targets if ":log-group:" in target["Arn"]]
    group = target["Arn"].split(":log-group:", 1)[1]
    detail_type = json.loads(events.describe_rule(Name=rule)["EventPattern"])["detail-type"][0]
    marker = unique("session")
    response = events.put_events(
        Entries=[
            {
                "Source": "aws.ivs",
                "DetailType": detail_type,
                "Detail": json.dumps({"session": marker}),
                "Resources": [provisioned.resolve({"Fn::GetAtt": [channel.logical_id, "Arn"]})],
            }
        ]
    )
    assert response["FailedEntryCount"] == 0
    eventually(
        lambda: logs.filter_log_events(logGroupName=group, filterPattern=f'"{marker}"')["events"]
    )
