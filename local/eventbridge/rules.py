"""EventBridge rules and their targets, run locally on top of the embedded AWS.

moto matches events itself but delivers only to a few target types (SQS, log groups, buses),
and raises on the others: a Lambda target on a moto rule makes every PutEvents fail. So each
rule is created as deployed with the targets moto can deliver untransformed; every other
target (a function, a state machine, or a queue with Input/InputPath/InputTransformer, whose
quoting moto gets wrong) is replaced by a "tap" queue that receives the raw event. A
`RuleTargetDelivery` thread per tap applies the target's input and hands the result to a
`TargetDispatcher`, which invokes the function, starts the execution or sends the message,
with retries and the target's dead-letter queue. Only public APIs are used, so the same code
works against LocalStack.

Rules with a ScheduleExpression get no targets in moto (moto would treat their empty pattern as
"match every event"); the local scheduler fires them through the same dispatcher.

Retries, kept simple: a function error is retried twice (what Lambda does for an asynchronous
invoke, at a few seconds' spacing locally rather than minutes); any other failed attempt is
retried up to the target's RetryPolicy.MaximumRetryAttempts, capped at 2 locally. An unknown
function or a payload Lambda refuses is not retried. When attempts run out the event goes to
the target's DeadLetterConfig queue with EventBridge's RULE_ARN, TARGET_ARN, ERROR_CODE and
ERROR_MESSAGE attributes (in AWS a function's own failures would go to the function's
on-failure destination instead). MaximumEventAgeInSeconds is not enforced."""

import contextlib
import dataclasses
import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local.awslambda.invocation import Invoker, UnknownFunction
from local.cloudformation.names import physical_name
from local.cloudformation.template import Resource, Template, UnresolvableValue
from local.eventbridge.clock import Clock
from local.eventbridge.transform import RuleContext, TargetInput, render

log = logging.getLogger("vitrine.local.eventbridge")

RULE_TYPE = "AWS::Events::Rule"
BUS_TYPE = "AWS::Events::EventBus"
TAP_PREFIX = "vitrine-local-tap-"
LOCAL_RETRY_CAP = 2  # attempts after the first, whatever the RetryPolicy says
LAMBDA_ASYNC_RETRIES = 2  # Lambda's own retries of a failed asynchronous invocation
BACKOFF_SECONDS = 1.0  # first retry delay on the clock; doubles per attempt
# moto artefacts that an EventBridge event does not carry
MOTO_ONLY_FIELDS = ("ingestion-time", "replay-name")


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    maximum_retry_attempts: int = 185
    maximum_event_age_seconds: int = 86400

    @classmethod
    def of(cls, spec: dict[str, Any] | None) -> "RetryPolicy":
        spec = spec or {}
        return cls(
            maximum_retry_attempts=int(spec.get("MaximumRetryAttempts", 185)),
            maximum_event_age_seconds=int(spec.get("MaximumEventAgeInSeconds", 86400)),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Destination:
    """What a target invokes, how it retries and where undeliverable events go."""

    arn: str  # a Lambda function, a state machine or an SQS queue
    retry: RetryPolicy = RetryPolicy()
    dead_letter_arn: str | None = None
    message_group_id: str | None = None  # SqsParameters, for a FIFO queue

    @property
    def service(self) -> str:
        return self.arn.split(":")[2] if self.arn.count(":") >= 5 else ""


@dataclasses.dataclass(frozen=True, slots=True)
class LocalTarget:
    """A rule target that the local runtime delivers to, not moto."""

    rule_name: str
    rule_arn: str
    event_bus: str
    target_id: str
    destination: Destination
    input: TargetInput
    schedule_expression: str | None = None  # set: fired by the scheduler
    tap_queue_url: str | None = None  # set: matched events arrive on this queue

    @property
    def context(self) -> RuleContext:
        return RuleContext(rule_name=self.rule_name, rule_arn=self.rule_arn)


@dataclasses.dataclass(frozen=True, slots=True)
class Delivery:
    destination: str
    attempts: int
    error: str | None = None  # None: delivered

    @property
    def delivered(self) -> bool:
        return self.error is None


class _Refused(Exception):
    """A failed attempt: `code` is what EventBridge reports, `retry` whether to try again."""

    def __init__(self, code: str, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.code, self.retry = code, retry


class TargetDispatcher:
    """Hands a rendered payload to a Lambda function, a state machine or a queue."""

    def __init__(self, *, invoker: Invoker, stepfunctions: Any, sqs: Any, clock: Clock) -> None:
        self._invoker, self._stepfunctions, self._sqs, self._clock = (
            invoker,
            stepfunctions,
            sqs,
            clock,
        )
        self._queue_urls: dict[str, str] = {}
        self._lock = threading.Lock()

    def deliver(
        self,
        destination: Destination,
        payload: str,
        *,
        source_arn: str,
        trigger: str,
        original: str | None = None,
    ) -> Delivery:
        """Deliver with retries; when they run out, send `original` (the event before its
        input was applied; default the payload) to the dead-letter queue. Never raises."""
        attempts = 0
        while True:
            attempts += 1
            try:
                self._attempt(destination, payload, trigger)
                return Delivery(destination.arn, attempts)
            except _Refused as refused:
                allowed = 1 + (
                    LAMBDA_ASYNC_RETRIES
                    if refused.code == "FunctionError"
                    else min(destination.retry.maximum_retry_attempts, LOCAL_RETRY_CAP)
                )
                if not refused.retry or attempts >= allowed:
                    self._dead_letter(destination, original or payload, source_arn, refused)
                    return Delivery(destination.arn, attempts, f"{refused.code}: {refused}")
                log.info("%s failed (%s), retrying", destination.arn, refused)
                self._clock.sleep(BACKOFF_SECONDS * 2 ** (attempts - 1))

    def queue_url(self, queue_arn: str) -> str:
        with self._lock:
            if queue_arn not in self._queue_urls:
                *_, account, name = queue_arn.split(":")
                self._queue_urls[queue_arn] = self._sqs.get_queue_url(
                    QueueName=name, QueueOwnerAWSAccountId=account
                )["QueueUrl"]
            return self._queue_urls[queue_arn]

    def _attempt(self, destination: Destination, payload: str, trigger: str) -> None:
        service = destination.service
        if service == "lambda":
            self._invoke(destination.arn, payload, trigger)
            return
        try:
            if service == "states":
                # EventBridge names each execution itself (moto reuses one without a name).
                self._stepfunctions.start_execution(
                    stateMachineArn=destination.arn, input=payload, name=str(uuid.uuid4())
                )
            elif service == "sqs":
                group = {"MessageGroupId": destination.message_group_id}
                self._sqs.send_message(
                    QueueUrl=self.queue_url(destination.arn),
                    MessageBody=payload,
                    **(group if destination.message_group_id else {}),
                )
            else:
                raise _Refused("UnsupportedTarget", "not delivered locally", retry=False)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "ClientError")
            raise _Refused(code, str(error), retry=True) from error

    def _invoke(self, arn: str, payload: str, trigger: str) -> None:
        try:
            event = json.loads(payload)
        except ValueError:
            # Lambda accepts only JSON; EventBridge cannot deliver plain text to a function.
            raise _Refused(
                "InvalidRequestContentException", "payload is not JSON", retry=False
            ) from None
        try:
            invocation = self._invoker.invoke(arn, event, trigger=trigger)
        except UnknownFunction as error:
            raise _Refused("ResourceNotFoundException", str(error), retry=False) from error
        if invocation.error is not None:
            message = f"{invocation.error.error_type}: {invocation.error.message}"
            raise _Refused("FunctionError", message, retry=True)

    def _dead_letter(
        self, destination: Destination, body: str, source_arn: str, refused: _Refused
    ) -> None:
        log.warning("%s gave up on %s: %s: %s", source_arn, destination.arn, refused.code, refused)
        if destination.dead_letter_arn is None:
            return
        attributes = {
            "RULE_ARN": source_arn,
            "TARGET_ARN": destination.arn,
            "ERROR_CODE": refused.code,
            "ERROR_MESSAGE": str(refused)[:256] or refused.code,
        }
        try:
            self._sqs.send_message(
                QueueUrl=self.queue_url(destination.dead_letter_arn),
                MessageBody=body,
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value}
                    for name, value in attributes.items()
                },
            )
        except ClientError:
            log.exception("dead-letter queue %s refused the event", destination.dead_letter_arn)


def provision_rules(
    template: Template, events: Any, sqs: Any, logs: Any | None = None
) -> list[LocalTarget]:
    """Create the template's buses and rules (idempotently) and return the targets the local
    runtime must deliver to: tapped ones for event patterns, all targets of scheduled rules.

    A log-group target makes moto fail every PutEvents when the group does not exist, so with
    a `logs` client its group is created; without one, log-group targets are left out."""
    for bus in template.of_type(BUS_TYPE):
        name = bus.properties["Name"]
        with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
            events.create_event_bus(Name=name)
        arn = f"arn:aws:events:{template.region}:{template.account_id}:event-bus/{name}"
        template.provide(bus.logical_id, Ref=name, Arn=arn, Name=name)
    local: list[LocalTarget] = []
    for resource in template.of_type(RULE_TYPE):
        local.extend(_rule(template, resource, events, sqs, logs))
    return local


def _rule(
    template: Template, resource: Resource, events: Any, sqs: Any, logs: Any | None
) -> list[LocalTarget]:
    props = resource.properties
    name = props.get("Name") or physical_name(template, resource)
    bus = str(template.resolve(props.get("EventBusName", "default")))
    schedule = props.get("ScheduleExpression")
    state = props.get("State", "ENABLED")
    request: dict[str, Any] = {
        "Name": name,
        "EventBusName": bus,
        "State": state,
        "Description": props.get("Description", ""),
    }
    if schedule:
        request["ScheduleExpression"] = schedule
    if "EventPattern" in props:
        request["EventPattern"] = json.dumps(template.resolve(props["EventPattern"]))
    rule_arn = events.put_rule(**request)["RuleArn"]
    template.provide(resource.logical_id, Ref=name, Arn=rule_arn)

    native: list[dict[str, Any]] = []
    local: list[LocalTarget] = []
    for spec in props.get("Targets", []):
        try:
            target = {key: template.resolve(value) for key, value in spec.items()}
        except UnresolvableValue as error:
            log.warning("rule %s: target %s is not available locally: %s", name, spec["Id"], error)
            continue
        local_target = LocalTarget(
            rule_name=name,
            rule_arn=rule_arn,
            event_bus=bus,
            target_id=target["Id"],
            destination=Destination(
                arn=target["Arn"],
                retry=RetryPolicy.of(target.get("RetryPolicy")),
                dead_letter_arn=target.get("DeadLetterConfig", {}).get("Arn"),
                message_group_id=target.get("SqsParameters", {}).get("MessageGroupId"),
            ),
            input=TargetInput.of(target),
            schedule_expression=schedule,
        )
        if target["Arn"].split(":")[2] == "logs" and not _log_group(logs, target["Arn"]):
            log.warning("rule %s: log-group target %s left out locally", name, target["Id"])
        elif schedule:
            local.append(local_target)
        elif _moto_delivers(target):
            native.append(target)
        elif state == "ENABLED":
            tap_url = _tap(sqs, name, target["Id"])
            native.append({"Id": target["Id"], "Arn": _queue_arn(sqs, tap_url)})
            local.append(dataclasses.replace(local_target, tap_queue_url=tap_url))
    if native:
        events.put_targets(Rule=name, EventBusName=bus, Targets=native)
    return local


def _moto_delivers(target: dict[str, Any]) -> bool:
    """Targets the embedded AWS itself delivers as EventBridge would: log groups and buses.
    SQS targets are tapped too: moto drops the event's `account`, which parsers require."""
    service = target["Arn"].split(":")[2]
    transformed = any(key in target for key in ("Input", "InputPath", "InputTransformer"))
    return service in ("logs", "events") and not transformed


def _log_group(logs: Any | None, arn: str) -> bool:
    """Make sure the log group a target names exists; False when it cannot."""
    if logs is None:
        return False
    name = arn.split(":log-group:", 1)[1].removesuffix(":*")
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=name)
    return True


def tap_queue_name(rule_name: str, target_id: str) -> str:
    """`vitrine-local-tap-<rule>-<target>`, cut to SQS's 80 characters with a hash that keeps
    two long names apart."""
    readable = re.sub(r"[^A-Za-z0-9_-]", "-", f"{rule_name}-{target_id}")
    if len(TAP_PREFIX) + len(readable) <= 80:
        return TAP_PREFIX + readable
    digest = hashlib.sha1(f"{rule_name}\0{target_id}".encode()).hexdigest()[:10]
    return f"{TAP_PREFIX}{readable[: 80 - len(TAP_PREFIX) - 11]}-{digest}"


def _tap(sqs: Any, rule_name: str, target_id: str) -> str:
    url: str = sqs.create_queue(QueueName=tap_queue_name(rule_name, target_id))["QueueUrl"]
    return url


def _queue_arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    arn: str = attributes["Attributes"]["QueueArn"]
    return arn


def event_from_tap(body: str, account_id: str) -> dict[str, Any]:
    """The event as EventBridge would have sent it: moto's default rendering drops `account`
    and adds `ingestion-time`."""
    event: dict[str, Any] = json.loads(body)
    for name in MOTO_ONLY_FIELDS:
        event.pop(name, None)
    event.setdefault("account", account_id)
    return event


class RuleTargetDelivery:
    """Polls each tap queue on its own thread (a slow function holds up only its own rule) and
    delivers every matched event to its target; the message is deleted once handled, so a
    crash mid-delivery redelivers it (at least once, as EventBridge)."""

    def __init__(
        self,
        targets: list[LocalTarget],
        *,
        sqs: Any,
        dispatcher: TargetDispatcher,
        account_id: str = "123456789012",
        poll_seconds: float = 0.2,
        on_delivery: Callable[[LocalTarget, Delivery], None] | None = None,
    ) -> None:
        self.targets = [target for target in targets if target.tap_queue_url]
        self._sqs, self._dispatcher = sqs, dispatcher
        self._account_id, self._poll_seconds = account_id, poll_seconds
        self._on_delivery = on_delivery
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stopping.clear()
        for target in self.targets:
            thread = threading.Thread(
                target=self._poll,
                args=(target,),
                name=f"eventbridge-{target.rule_name}-{target.target_id}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        """Stops polling; a delivery still invoking after `timeout` is left to finish (the
        runtime then retires the function's environments)."""
        self._stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("%s still delivering at stop", thread.name)
        self._threads.clear()

    def _poll(self, target: LocalTarget) -> None:
        while not self._stopping.is_set():
            try:
                messages = self._sqs.receive_message(
                    QueueUrl=target.tap_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
                ).get("Messages", [])
            except (ClientError, BotoCoreError):
                log.exception("cannot read tap queue %s", target.tap_queue_url)
                messages = []
            for message in messages:
                try:
                    self.handle(target, message["Body"])
                    self._sqs.delete_message(
                        QueueUrl=target.tap_queue_url, ReceiptHandle=message["ReceiptHandle"]
                    )
                except Exception:
                    # Left in the tap queue: it is delivered again after its visibility
                    # timeout, and this rule's delivery keeps running.
                    log.exception("delivering to %s failed", target.destination.arn)
                    self._stopping.wait(self._poll_seconds)
            if not messages:
                self._stopping.wait(self._poll_seconds)

    def handle(self, target: LocalTarget, body: str) -> Delivery:
        event = event_from_tap(body, self._account_id)
        payload = render(target.input, event, target.context)
        delivery = self._dispatcher.deliver(
            target.destination,
            payload,
            source_arn=target.rule_arn,
            trigger="eventbridge",
            original=json.dumps(event),
        )
        if self._on_delivery is not None:
            self._on_delivery(target, delivery)
        return delivery
