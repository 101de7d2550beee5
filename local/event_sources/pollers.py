"""All event source mappings of the template, polled as Lambda polls them, until stop().

Before a mapping starts, the function's role is checked for what Lambda's poller needs; a
mapping the role could not run stays disabled, with Lambda's error in the log and its stats."""

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from local.awslambda.invocation import Invoker
from local.cloudformation.template import Template
from local.event_sources import destinations
from local.event_sources.dynamodb_streams import DynamoDbStreamPoller
from local.event_sources.mappings import MappingSpec, SourceKind, read_mappings
from local.event_sources.sqs import SqsPoller
from local.event_sources.stats import Counters, MappingStats

log = logging.getLogger("vitrine.local.event_sources")

# (function, action, resource) -> whether the function's role allows it
PermissionCheck = Callable[[str, str, str], bool]
ClientFactory = Callable[[str], Any]

# Lambda's SQS pollers scale up to MaximumConcurrency (at least 2); locally a few suffice.
DEFAULT_SQS_CONCURRENCY = 2
STOP_TIMEOUT_S = 2.0

SQS_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
STREAM_ACTIONS = (
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
)


def allow_all(function: str, action: str, resource: str) -> bool:
    return True


class _Poller(Protocol):
    spec: MappingSpec

    def start(self) -> None: ...
    def request_stop(self) -> None: ...
    def join(self, deadline: float) -> list[Any]: ...


class EventSourcePollers:
    """The template's event source mappings, each polled by its own threads."""

    def __init__(
        self,
        template: Template,
        invoker: Invoker,
        clients: ClientFactory,
        *,
        permission_check: PermissionCheck = allow_all,
        sqs_concurrency: int = DEFAULT_SQS_CONCURRENCY,
    ) -> None:
        self.template = template
        self.specs = {spec.logical_id: spec for spec in read_mappings(template)}
        self._invoker = invoker
        self._clients = clients
        self._permission_check = permission_check
        self._sqs_concurrency = sqs_concurrency
        self._counters = {logical_id: Counters() for logical_id in self.specs}
        self._pollers: list[_Poller] = []

    def start(self) -> None:
        for spec in self.specs.values():
            counters = self._counters[spec.logical_id]
            if not spec.enabled:
                counters.set_state("Disabled", "Enabled is false in the template")
                continue
            refusal = self._refusal(spec)
            if refusal:
                log.error("event source mapping %s stays disabled: %s", spec.logical_id, refusal)
                counters.set_state("Disabled", refusal)
                continue
            poller = self._poller(spec, counters)
            poller.start()
            self._pollers.append(poller)
            counters.set_state("Enabled")
            log.info(
                "event source mapping %s: %s -> %s", spec.logical_id, spec.source_arn, spec.function
            )

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Stop every poller; a function still running past `timeout_s` is logged, not
        waited for (its thread is a daemon)."""
        for poller in self._pollers:
            poller.request_stop()
        deadline = time.monotonic() + timeout_s
        for poller in self._pollers:
            busy = poller.join(deadline)
            if busy:
                log.warning(
                    "%s: %d poller threads still busy after stop (a long invocation)",
                    poller.spec.logical_id,
                    len(busy),
                )
        self._pollers.clear()

    def __enter__(self) -> "EventSourcePollers":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stats(self, logical_id: str) -> MappingStats:
        return self._counters[logical_id].snapshot()

    def wait_for(
        self,
        logical_id: str,
        condition: Callable[[MappingStats], bool],
        *,
        timeout_s: float = 10.0,
        poll_s: float = 0.05,
    ) -> MappingStats:
        """Poll a mapping's stats until `condition` holds; TimeoutError names the last ones."""
        deadline = time.monotonic() + timeout_s
        while True:
            stats = self.stats(logical_id)
            if condition(stats):
                return stats
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{logical_id} did not get there in {timeout_s} s: {stats}")
            time.sleep(poll_s)

    def _poller(self, spec: MappingSpec, counters: Counters) -> _Poller:
        if spec.kind is SourceKind.SQS:
            return SqsPoller(
                spec,
                self._invoker,
                self._clients("sqs"),
                region=self.template.region,
                concurrency=spec.maximum_concurrency or self._sqs_concurrency,
                counters=counters,
            )
        return DynamoDbStreamPoller(
            spec,
            self._invoker,
            self._clients("dynamodbstreams"),
            region=self.template.region,
            account_id=self.template.account_id,
            counters=counters,
            send_to_destination=lambda arn, record: destinations.send(arn, record, self._clients),
        )

    def _refusal(self, spec: MappingSpec) -> str | None:
        """Lambda's error when the function's role lacks what its poller needs, else None."""

        def allowed(action: str, resource: str) -> bool:
            return self._permission_check(spec.function, action, resource)

        if spec.kind is SourceKind.SQS:
            for action in SQS_ACTIONS:
                if not allowed(action, spec.source_arn):
                    return (
                        "The provided execution role does not have permissions to call "
                        f"{action.split(':')[1]} on SQS"
                    )
        elif not all(allowed(action, spec.source_arn) for action in STREAM_ACTIONS):
            return (
                f"Cannot access stream {spec.source_arn}. Please ensure the role can perform "
                "the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on "
                "your stream in IAM."
            )
        destination = spec.on_failure_destination
        if destination:
            action = destinations.destination_action(destination)
            if not allowed(action, destination):
                service, name = action.split(":")
                return (
                    "The provided execution role does not have permissions to call "
                    f"{name} on {service.upper()}"
                )
        return None
