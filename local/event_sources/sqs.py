"""The SQS poller of one mapping: Lambda's long-polling, batching and deleting, in threads.

Lambda deletes a batch its function handled and leaves a failed one alone: the messages come
back after the queue's visibility timeout, and after maxReceiveCount receives SQS itself
(moto too, on the next ReceiveMessage) moves them to the queue's dead-letter queue. FIFO order
is SQS's to keep: it hands out no message of a group that has messages in flight. moto frees a
group only message by message as it meets them visible again, so a failed batch a0 a1 a2 comes
back as a2 first; `FifoRedelivery` makes such messages visible together, in order, instead."""

import heapq
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from local.awslambda.invocation import Invocation, Invoker
from local.event_sources.filters import RecordFilter
from local.event_sources.mappings import MappingSpec
from local.event_sources.records import failed_items, sqs_record
from local.event_sources.stats import Counters

log = logging.getLogger("vitrine.local.event_sources")

LONG_POLL_S = 1  # short, so that stop() is noticed within a second
_SQS_MAX_MESSAGES = 10  # per ReceiveMessage
_ERROR_PAUSE_S = 1.0
_HOLD_MARGIN_S = 5  # how much longer than its timeout a held FIFO message stays hidden


def queue_url(sqs: Any, queue_arn: str) -> str:
    _, _, _, _, account, name = queue_arn.split(":", 5)
    return str(sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"])


def messages_to_delete(
    spec: MappingSpec, invocation: Invocation, message_ids: Sequence[str]
) -> frozenset[str]:
    """The messages of a batch Lambda deletes after the invocation: all on success, none on a
    function error, all but the reported ones with ReportBatchItemFailures."""
    if invocation.failed:
        return frozenset()
    if not spec.report_batch_item_failures:
        return frozenset(message_ids)
    return frozenset(message_ids) - failed_items(invocation.payload, message_ids)


class FifoRedelivery:
    """Hides the messages a FIFO batch left undeleted a little longer than their visibility
    timeout, then makes them all visible at the moment SQS would (a thread of its own)."""

    def __init__(self, sqs: Any, url: str, visibility_timeout_s: int) -> None:
        self._sqs, self._url, self._timeout_s = sqs, url, visibility_timeout_s
        self._due: list[tuple[float, int, list[str]]] = []  # (monotonic due, tie, handles)
        self._count = 0
        self._changed = threading.Condition()
        self._stopping = False

    def hold(self, receipt_handles: list[str], received_at: float) -> None:
        due = received_at + self._timeout_s
        hidden_for = max(0, int(due - time.monotonic())) + _HOLD_MARGIN_S
        self._change_visibility(receipt_handles, hidden_for)
        with self._changed:
            self._count += 1
            heapq.heappush(self._due, (due, self._count, receipt_handles))
            self._changed.notify()

    def run(self) -> None:
        while True:
            with self._changed:
                while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                    wait = self._due[0][0] - time.monotonic() if self._due else None
                    self._changed.wait(wait)
                if self._stopping:
                    return  # still held ones come back after their margin
                _, _, handles = heapq.heappop(self._due)
            try:
                self._change_visibility(handles, 0)
            except Exception:
                log.exception("could not make held FIFO messages visible again")

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify()

    def _change_visibility(self, receipt_handles: list[str], seconds: int) -> None:
        for start in range(0, len(receipt_handles), _SQS_MAX_MESSAGES):
            chunk = receipt_handles[start : start + _SQS_MAX_MESSAGES]
            self._sqs.change_message_visibility_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": handle, "VisibilityTimeout": seconds}
                    for index, handle in enumerate(chunk)
                ],
            )


class SqsPoller:
    def __init__(
        self,
        spec: MappingSpec,
        invoker: Invoker,
        sqs: Any,
        *,
        region: str,
        concurrency: int,
        counters: Counters,
    ) -> None:
        self.spec = spec
        self._invoker = invoker
        self._sqs = sqs
        self._region = region
        self._concurrency = max(1, concurrency)
        self._counters = counters
        self._filter = RecordFilter(spec.filter_patterns)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._url = ""
        self._redelivery: FifoRedelivery | None = None

    def start(self) -> None:
        self._url = queue_url(self._sqs, self.spec.source_arn)
        if self.spec.source_arn.endswith(".fifo"):
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=self._url, AttributeNames=["VisibilityTimeout"]
            )["Attributes"]
            self._redelivery = FifoRedelivery(
                self._sqs, self._url, int(attributes["VisibilityTimeout"])
            )
            self._threads.append(
                threading.Thread(
                    target=self._redelivery.run,
                    name=f"sqs-{self.spec.logical_id}-fifo",
                    daemon=True,
                )
            )
        for index in range(self._concurrency):
            self._threads.append(
                threading.Thread(
                    target=self._run, name=f"sqs-{self.spec.logical_id}-{index}", daemon=True
                )
            )
        for thread in self._threads:
            thread.start()

    def request_stop(self) -> None:
        self._stop.set()
        if self._redelivery is not None:
            self._redelivery.stop()

    def join(self, deadline: float) -> list[threading.Thread]:
        """Wait until `deadline` (monotonic); returns the threads still busy."""
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [thread for thread in self._threads if thread.is_alive()]

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                messages, received_at = self._gather()
                if messages:
                    self._handle(messages, received_at)
            except Exception:
                # The poller must outlive a hiccup of the endpoint, as Lambda's does.
                log.exception("%s: polling %s failed", self.spec.logical_id, self.spec.source_arn)
                self._stop.wait(_ERROR_PAUSE_S)

    def _gather(self) -> tuple[list[dict[str, Any]], float]:
        """Up to BatchSize messages: what one long poll returns, or with a batching window,
        what arrives until the window (opened by the first message) closes; and when the
        first of them was received."""
        spec, messages = self.spec, list[dict[str, Any]]()
        received_at = time.monotonic()
        closes_at: float | None = None
        while not self._stop.is_set() and len(messages) < spec.batch_size:
            response = self._sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=min(_SQS_MAX_MESSAGES, spec.batch_size - len(messages)),
                WaitTimeSeconds=LONG_POLL_S,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            for message in response.get("Messages", []):
                # A window longer than the visibility timeout sees a message again: keep it
                # once, with its newest receipt handle (the one a delete needs).
                messages = [m for m in messages if m["MessageId"] != message["MessageId"]]
                messages.append(message)
            if messages and closes_at is None:
                received_at = time.monotonic()
                closes_at = received_at + spec.batching_window_s
            if closes_at is not None and time.monotonic() >= closes_at:
                break
        return messages, received_at

    def _handle(self, messages: list[dict[str, Any]], received_at: float) -> None:
        spec = self.spec
        records = [sqs_record(m, source_arn=spec.source_arn, region=self._region) for m in messages]
        # Lambda deletes the messages its filters reject, without invoking.
        rejected = [r for r in records if not self._filter.matches(r)]
        if rejected:
            self._delete(rejected)
            self._counters.add(filtered=len(rejected))
            records = [r for r in records if r not in rejected]
        if not records:
            return
        invocation = self._invoker.invoke(spec.function, {"Records": records}, trigger="sqs")
        ids = [r["messageId"] for r in records]
        done = messages_to_delete(spec, invocation, ids)
        self._delete([r for r in records if r["messageId"] in done])
        kept = [r["receiptHandle"] for r in records if r["messageId"] not in done]
        if kept and self._redelivery is not None:
            self._redelivery.hold(kept, received_at)
        failed = len(kept)
        self._counters.add(
            invocations=1,
            records_invoked=len(records),
            failed_invocations=1 if failed else 0,
            delivered=len(done),
        )
        if invocation.failed:
            assert invocation.error is not None
            log.warning(
                "%s: %s failed on %d messages (%s: %s); they return after the visibility timeout",
                spec.logical_id,
                spec.function,
                len(records),
                invocation.error.error_type,
                invocation.error.message,
            )
        elif failed:
            log.info(
                "%s: %d of %d messages reported failed; kept in the queue",
                spec.logical_id,
                failed,
                len(records),
            )

    def _delete(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), _SQS_MAX_MESSAGES):
            chunk = records[start : start + _SQS_MAX_MESSAGES]
            response = self._sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": record["receiptHandle"]}
                    for index, record in enumerate(chunk)
                ],
            )
            for failure in response.get("Failed", []):
                record = chunk[int(failure["Id"])]
                log.error(
                    "%s: could not delete message %s (%s); it will be delivered again",
                    self.spec.logical_id,
                    record["messageId"],
                    failure.get("Message"),
                )
