"""Fires schedules locally: rules with a ScheduleExpression, and EventBridge Scheduler
schedules, whether the template declares them or a function creates them at run time.

Each tick reads the clock, lists the schedules on the embedded AWS (`list_schedules`, then
`get_schedule` for those new or modified since the last tick) and fires every occurrence that
is due, through the same input rendering and `TargetDispatcher` as event-pattern rules.

When a schedule fires, kept simple:
- a schedule only fires for times after it was first seen; for a schedule created while the
  scheduler runs that includes a one-time `at()` already in the past (it fires at once), but
  one-time schedules missed while the runtime was down do not fire on restart;
- each schedule keeps a cursor (the last time it fired): an occurrence fires once, and
  occurrences missed between two ticks fire one after another, each with its own time;
- a rate counts from StartDate (first firing at StartDate) or else from when it was first seen
  (first firing one period later); FlexibleTimeWindow is ignored (firing at its start);
- State, StartDate, EndDate and ScheduleExpressionTimezone are honoured;
  ActionAfterCompletion DELETE deletes a schedule once it can fire no more (after its one
  `at()`, or past its EndDate);
- rule schedules check the rule's State when they fire, so disabling a rule stops it."""

import contextlib
import dataclasses
import functools
import json
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local.cloudformation.names import physical_name
from local.cloudformation.template import Template, UnresolvableValue
from local.eventbridge.clock import Clock
from local.eventbridge.expressions import At, next_fire, parse
from local.eventbridge.rules import (
    Destination,
    LocalTarget,
    RetryPolicy,
    TargetDispatcher,
)
from local.eventbridge.transform import render

log = logging.getLogger("vitrine.local.eventbridge")

SCHEDULE_TYPE = "AWS::Scheduler::Schedule"
GROUP_TYPE = "AWS::Scheduler::ScheduleGroup"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
JUST_BEFORE = timedelta(microseconds=1)


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduleDefinition:
    """One EventBridge Scheduler schedule, as `get_schedule` describes it."""

    arn: str
    name: str
    group: str
    expression: str
    timezone: str
    enabled: bool
    start: datetime | None
    end: datetime | None
    destination: Destination
    input: str | None
    delete_after_completion: bool

    @classmethod
    def of(cls, response: dict[str, Any]) -> "ScheduleDefinition":
        target = response["Target"]
        return cls(
            arn=response["Arn"],
            name=response["Name"],
            group=response.get("GroupName") or "default",
            expression=response["ScheduleExpression"],
            timezone=response.get("ScheduleExpressionTimezone") or "UTC",
            enabled=response.get("State", "ENABLED") == "ENABLED",
            start=_utc(response.get("StartDate")),
            end=_utc(response.get("EndDate")),
            destination=Destination(
                arn=target["Arn"],
                retry=RetryPolicy.of(target.get("RetryPolicy")),
                dead_letter_arn=(target.get("DeadLetterConfig") or {}).get("Arn"),
                message_group_id=(target.get("SqsParameters") or {}).get("MessageGroupId"),
            ),
            input=target.get("Input"),
            delete_after_completion=response.get("ActionAfterCompletion") == "DELETE",
        )


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduledRule:
    name: str
    arn: str
    event_bus: str
    expression: str
    targets: tuple[LocalTarget, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Firing:
    source_arn: str  # the rule or the schedule
    scheduled_time: datetime


@dataclasses.dataclass(slots=True)
class _Cursor:
    last: datetime  # occurrences after this one are still to fire
    anchor: datetime  # where a rate counts its periods from


class Scheduler:
    """Call `start()`/`stop()`, or `tick()` yourself (then targets are invoked inline)."""

    def __init__(
        self,
        *,
        clock: Clock,
        dispatcher: TargetDispatcher,
        events: Any,
        scheduler: Any | None,
        rule_targets: list[LocalTarget],
        region: str = "us-east-1",
        account_id: str = "123456789012",
        poll_seconds: float = 1.0,
        on_fire: Callable[[Firing], None] | None = None,
    ) -> None:
        self._clock, self._dispatcher = clock, dispatcher
        self._events, self._scheduler = events, scheduler
        self._region, self._account_id = region, account_id
        self._poll_seconds, self._on_fire = poll_seconds, on_fire
        self.rules = _scheduled_rules(rule_targets)
        self._cursors: dict[str, _Cursor] = {}
        self._definitions: dict[str, tuple[Any, ScheduleDefinition]] = {}  # by ARN
        self._first_tick = True
        self._reported: set[str] = set()  # what failed to fire, logged once each
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._executor: ThreadPoolExecutor | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="schedule-target")
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._executor is not None:
            # A target still running is not waited for: the runtime retires its environment.
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.tick()
            except Exception:  # one bad tick must not stop every schedule
                log.exception("scheduler tick failed")
            self._stopping.wait(self._poll_seconds)

    def tick(self) -> list[Firing]:
        """Fire everything due at the clock's now; what fired."""
        now = self._clock.now()
        fired: list[Firing] = []
        for rule in self.rules:
            try:
                due = self._due(rule.arn, rule.expression, "UTC", now)
                fired.extend(self._fire_rule(rule, when) for when in due)
            except Exception:
                self._report_once(rule.arn, "schedule rule %s cannot fire", rule.arn)
        if self._scheduler is not None:
            for definition in self._schedules():
                # One bad schedule (moto accepts expressions AWS refuses) stops no other.
                try:
                    fired.extend(self._fire_schedule(definition, now))
                except Exception:
                    self._report_once(definition.arn, "schedule %s cannot fire", definition.arn)
        self._first_tick = False
        return fired

    def _report_once(self, key: str, message: str, *args: object) -> None:
        if key not in self._reported:
            self._reported.add(key)
            log.exception(message, *args)

    def _due(
        self,
        key: str,
        expression: str,
        tz: str,
        now: datetime,
        *,
        at: bool = False,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[datetime]:
        """The occurrences of `key` due by `now`, advancing its cursor past them."""
        cursor = self._cursors.get(key)
        if cursor is None:
            # Only a one-time schedule can fire for a time before it was seen: created while
            # running it fires at once; found at startup it still has to fire if it would be
            # deleted after firing (it still exists, so it has not fired yet).
            last = EPOCH if at else now
            cursor = self._cursors[key] = _Cursor(last=last, anchor=start or now)
        due: list[datetime] = []
        while True:
            after = max(cursor.last, start - JUST_BEFORE) if start else cursor.last
            when = next_fire(expression, after, tz=tz, anchor=cursor.anchor)
            if when is None or when > now or (end is not None and when > end):
                return due
            cursor.last = when
            due.append(when)

    def _completed(self, definition: ScheduleDefinition) -> bool:
        cursor = self._cursors[definition.arn]
        after = (
            max(cursor.last, definition.start - JUST_BEFORE) if definition.start else cursor.last
        )
        when = next_fire(definition.expression, after, tz=definition.timezone, anchor=cursor.anchor)
        return when is None or (definition.end is not None and when > definition.end)

    def _fire_rule(self, rule: ScheduledRule, when: datetime) -> Firing:
        firing = Firing(rule.arn, when)
        described = self._events.describe_rule(Name=rule.name, EventBusName=rule.event_bus)
        if described.get("State") != "ENABLED":
            return firing
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self._account_id,
            "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self._region,
            "resources": [rule.arn],
            "detail": {},
        }
        original = json.dumps(event)
        for target in rule.targets:
            payload = render(target.input, event, target.context)
            self._submit(target.destination, payload, rule.arn, original)
        self._notify(firing)
        return firing

    def _fire_schedule(self, definition: ScheduleDefinition, now: datetime) -> list[Firing]:
        if not definition.enabled:
            # Disabled: whatever falls due meanwhile is skipped, not fired later.
            self._cursors[definition.arn] = _Cursor(last=now, anchor=definition.start or now)
            return []
        fired: list[Firing] = []
        is_at = isinstance(parse(definition.expression), At)
        payload = definition.input or "{}"
        for when in self._due(
            definition.arn,
            definition.expression,
            definition.timezone,
            now,
            at=is_at and (not self._first_tick or definition.delete_after_completion),
            start=definition.start,
            end=definition.end,
        ):
            filled = _with_context(payload, definition.arn, when)
            self._submit(definition.destination, filled, definition.arn)
            firing = Firing(definition.arn, when)
            self._notify(firing)
            fired.append(firing)
        if definition.delete_after_completion and self._completed(definition):
            self._delete(definition)
        return fired

    def _schedules(self) -> list[ScheduleDefinition]:
        """The enabled and disabled schedules on the endpoint; `get_schedule` only for those
        new or modified since the last tick."""
        assert self._scheduler is not None
        try:
            pages = self._scheduler.get_paginator("list_schedules").paginate()
            summaries = [summary for page in pages for summary in page["Schedules"]]
        except (ClientError, BotoCoreError):
            log.exception("cannot list schedules")
            return []
        listed = {summary["Arn"]: summary for summary in summaries}
        for arn in set(self._definitions) - set(listed):
            del self._definitions[arn]
            self._cursors.pop(arn, None)
        definitions = []
        for arn, summary in listed.items():
            version = summary.get("LastModificationDate")
            known = self._definitions.get(arn)
            if known is None or known[0] != version or version is None:
                try:
                    response = self._scheduler.get_schedule(
                        Name=summary["Name"], GroupName=summary.get("GroupName") or "default"
                    )
                except self._scheduler.exceptions.ResourceNotFoundException:
                    continue  # deleted since the listing
                known = self._definitions[arn] = (version, ScheduleDefinition.of(response))
            definitions.append(known[1])
        return definitions

    def _delete(self, definition: ScheduleDefinition) -> None:
        scheduler = self._scheduler
        assert scheduler is not None
        # The function that created it may have deleted it first.
        with contextlib.suppress(scheduler.exceptions.ResourceNotFoundException):
            scheduler.delete_schedule(Name=definition.name, GroupName=definition.group)
        self._definitions.pop(definition.arn, None)
        self._cursors.pop(definition.arn, None)

    def _submit(
        self, destination: Destination, payload: str, source_arn: str, original: str | None = None
    ) -> None:
        """Deliver on the pool, so a slow target does not hold up the next tick; inline when
        `tick()` is called without `start()`."""
        deliver = functools.partial(
            self._dispatcher.deliver,
            destination,
            payload,
            source_arn=source_arn,
            trigger="schedule",
            original=original,
        )
        if self._executor is None:
            deliver()
        else:
            self._executor.submit(deliver)

    def _notify(self, firing: Firing) -> None:
        log.info("schedule %s fired for %s", firing.source_arn, firing.scheduled_time)
        if self._on_fire is not None:
            self._on_fire(firing)


def _with_context(payload: str, schedule_arn: str, when: datetime) -> str:
    """EventBridge Scheduler fills in its context attributes in a target's input."""
    values = {
        "<aws.scheduler.schedule-arn>": schedule_arn,
        "<aws.scheduler.scheduled-time>": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "<aws.scheduler.execution-id>": str(uuid.uuid4()),
        "<aws.scheduler.attempt-number>": "1",
    }
    for placeholder, value in values.items():
        payload = payload.replace(placeholder, value)
    return payload


def _scheduled_rules(targets: list[LocalTarget]) -> list[ScheduledRule]:
    by_rule: dict[str, list[LocalTarget]] = {}
    for target in targets:
        if target.schedule_expression:
            by_rule.setdefault(target.rule_arn, []).append(target)
    return [
        ScheduledRule(
            name=group[0].rule_name,
            arn=arn,
            event_bus=group[0].event_bus,
            expression=str(group[0].schedule_expression),
            targets=tuple(group),
        )
        for arn, group in by_rule.items()
    ]


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def provision_schedules(template: Template, scheduler: Any) -> None:
    """Create (or update) the template's schedule groups and schedules on the embedded AWS,
    where the scheduler finds them together with those functions create at run time."""
    for group in template.of_type(GROUP_TYPE):
        name = group.properties.get("Name") or physical_name(template, group)
        with contextlib.suppress(scheduler.exceptions.ConflictException):
            scheduler.create_schedule_group(Name=name)
        template.provide(
            group.logical_id,
            Ref=name,
            Arn=f"arn:aws:scheduler:{template.region}:{template.account_id}:schedule-group/{name}",
        )
    for resource in template.of_type(SCHEDULE_TYPE):
        props = resource.properties
        name = props.get("Name") or physical_name(template, resource)
        group_name = str(template.resolve(props.get("GroupName", "default")))
        request: dict[str, Any] = {
            "Name": name,
            "GroupName": group_name,
            "ScheduleExpression": props["ScheduleExpression"],
            "FlexibleTimeWindow": props.get("FlexibleTimeWindow", {"Mode": "OFF"}),
            "Target": _schedule_target(template, props["Target"]),
            "State": props.get("State", "ENABLED"),
        }
        for key in ("ScheduleExpressionTimezone", "Description", "StartDate", "EndDate"):
            if key in props:
                request[key] = props[key]
        try:
            scheduler.create_schedule(**request)
        except scheduler.exceptions.ConflictException:
            scheduler.update_schedule(**request)
        template.provide(
            resource.logical_id,
            Ref=name,
            Arn=f"arn:aws:scheduler:{template.region}:{template.account_id}:schedule/{group_name}/{name}",
        )


def _schedule_target(template: Template, spec: dict[str, Any]) -> dict[str, Any]:
    target = {key: value for key, value in spec.items() if key != "RoleArn"}
    resolved: dict[str, Any] = template.resolve(target)
    try:
        resolved["RoleArn"] = template.resolve(spec["RoleArn"])
    except (UnresolvableValue, KeyError):
        # The local runtime does not assume the scheduler's role; the API still wants one.
        resolved["RoleArn"] = f"arn:aws:iam::{template.account_id}:role/vitrine-local-scheduler"
    return resolved
