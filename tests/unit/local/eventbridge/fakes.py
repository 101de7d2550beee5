"""In-memory stand-ins for the clients and the invoker the local EventBridge talks to."""

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local.awslambda.invocation import FunctionError, Invocation, UnknownFunction

ACCOUNT = "123456789012"


class NotFound(Exception):
    pass


class Exceptions:
    ResourceNotFoundException = NotFound


@dataclass
class FakeInvoker:
    failing: set[str] = field(default_factory=set)
    known: set[str] | None = None  # None: every function exists
    calls: list[tuple[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def invoke(self, function: str, event: Any, *, trigger: str) -> Invocation:
        if self.known is not None and function not in self.known:
            raise UnknownFunction(function)
        with self.lock:
            self.calls.append((function, event))
        if function in self.failing:
            return Invocation(function, None, error=FunctionError("ValueError", "boom"))
        return Invocation(function, None)


@dataclass
class FakeSqs:
    sent: list[dict[str, Any]] = field(default_factory=list)

    def get_queue_url(self, QueueName: str, QueueOwnerAWSAccountId: str) -> dict[str, str]:
        return {"QueueUrl": f"https://sqs/{QueueOwnerAWSAccountId}/{QueueName}"}

    def send_message(self, **request: Any) -> dict[str, str]:
        self.sent.append(request)
        return {"MessageId": str(len(self.sent))}


@dataclass
class FakeStepFunctions:
    started: list[dict[str, Any]] = field(default_factory=list)

    def start_execution(self, **request: Any) -> dict[str, str]:
        self.started.append(request)
        return {"executionArn": "arn:aws:states:::execution:x"}


@dataclass
class FakeEvents:
    states: dict[str, str] = field(default_factory=dict)

    def describe_rule(self, Name: str, EventBusName: str) -> dict[str, str]:
        return {"State": self.states.get(Name, "ENABLED")}


class _Pages:
    def __init__(self, scheduler: "FakeScheduler") -> None:
        self.scheduler = scheduler

    def paginate(self) -> list[dict[str, Any]]:
        return [{"Schedules": [dict(s) for s in self.scheduler.schedules.values()]}]


@dataclass
class FakeScheduler:
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    exceptions: type[Exceptions] = Exceptions

    def add(
        self,
        name: str,
        expression: str,
        target_arn: str,
        *,
        payload: str | None = None,
        **extra: Any,
    ) -> str:
        arn = f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/{name}"
        self.schedules[name] = {
            "Arn": arn,
            "Name": name,
            "GroupName": "default",
            "ScheduleExpression": expression,
            "State": "ENABLED",
            "Target": {"Arn": target_arn, "RoleArn": "arn:aws:iam::1:role/r"}
            | ({"Input": payload} if payload is not None else {}),
            "LastModificationDate": datetime.now(UTC),
            **extra,
        }
        return arn

    def get_paginator(self, name: str) -> _Pages:
        assert name == "list_schedules"
        return _Pages(self)

    def get_schedule(self, Name: str, GroupName: str) -> dict[str, Any]:
        if Name not in self.schedules:
            raise NotFound(Name)
        return dict(self.schedules[Name])

    def delete_schedule(self, Name: str, GroupName: str) -> None:
        if Name not in self.schedules:
            raise NotFound(Name)
        del self.schedules[Name]
        self.deleted.append(Name)
