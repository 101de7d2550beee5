"""The DynamoDB stream poller of one mapping: a reader thread per shard, in sequence order.

A supervisor lists the stream's shards and starts a reader for each new one (a child shard
only after its parent is read to the end, as Lambda does); shards that exist when the mapping
starts begin at its StartingPosition, later ones at TRIM_HORIZON. Retries, bisection and
checkpoints are `retry.deliver`'s; this module only moves records between boto3 and it."""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from local.awslambda.invocation import Invoker
from local.event_sources.destinations import (
    FailureContext,
    StreamBatchInfo,
    function_arn,
    stream_failure_record,
)
from local.event_sources.filters import RecordFilter
from local.event_sources.mappings import MappingSpec, StartingPosition
from local.event_sources.records import created_at, dynamodb_record, failed_items, sequence_number
from local.event_sources.retry import Attempt, Dropped, RetryPolicy, deliver
from local.event_sources.stats import Counters

log = logging.getLogger("vitrine.local.event_sources")

Record = dict[str, Any]
SendToDestination = Callable[[str, dict[str, Any]], None]

POLL_S = 0.25  # Lambda polls each shard about four times a second
DISCOVERY_S = 1.0  # how often the shard list is read again
RETRY_PAUSE_S = 0.1  # first pause before a retry; doubles up to RETRY_PAUSE_MAX_S
RETRY_PAUSE_MAX_S = 2.0
_ERROR_PAUSE_S = 1.0


class DynamoDbStreamPoller:
    def __init__(
        self,
        spec: MappingSpec,
        invoker: Invoker,
        streams: Any,
        *,
        region: str,
        account_id: str,
        counters: Counters,
        send_to_destination: SendToDestination,
    ) -> None:
        self.spec = spec
        self._invoker = invoker
        self._streams = streams
        self._region = region
        self._function_arn = function_arn(spec.function, region=region, account_id=account_id)
        self._counters = counters
        self._send = send_to_destination
        self._filter = RecordFilter(spec.filter_patterns)
        self._policy = RetryPolicy(
            maximum_retry_attempts=spec.maximum_retry_attempts,
            bisect_on_error=spec.bisect_on_error,
            maximum_record_age_s=spec.maximum_record_age_s,
        )
        self._stop = threading.Event()
        self._readers: dict[str, threading.Thread] = {}
        self._supervisor: threading.Thread | None = None

    def start(self) -> None:
        self._supervisor = threading.Thread(
            target=self._supervise, name=f"ddb-{self.spec.logical_id}", daemon=True
        )
        self._supervisor.start()

    def request_stop(self) -> None:
        self._stop.set()

    def join(self, deadline: float) -> list[threading.Thread]:
        """Wait until `deadline` (monotonic); returns the threads still busy."""
        threads = [self._supervisor] if self._supervisor else []
        for thread in threads:  # the supervisor first: it may still be adding readers
            thread.join(max(0.0, deadline - time.monotonic()))
        threads += list(self._readers.values())
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [thread for thread in threads if thread.is_alive()]

    # -- shards ------------------------------------------------------------------------------

    def _supervise(self) -> None:
        initial: set[str] | None = None
        while not self._stop.is_set():
            try:
                shards = self._shards()
            except Exception:
                log.exception("%s: cannot describe %s", self.spec.logical_id, self.spec.source_arn)
                self._stop.wait(_ERROR_PAUSE_S)
                continue
            listed = {shard["ShardId"] for shard in shards}
            if initial is None:
                initial = listed
            for shard in shards:
                shard_id = shard["ShardId"]
                parent = shard.get("ParentShardId")
                parent_busy = parent in listed and (
                    parent not in self._readers or self._readers[parent].is_alive()
                )
                if shard_id in self._readers or parent_busy:
                    continue
                position = (
                    self.spec.starting_position
                    if shard_id in initial
                    else StartingPosition.TRIM_HORIZON
                )
                reader = threading.Thread(
                    target=self._read_shard,
                    args=(shard_id, position),
                    name=f"ddb-{self.spec.logical_id}-{shard_id[-8:]}",
                    daemon=True,
                )
                self._readers[shard_id] = reader
                reader.start()
            self._stop.wait(DISCOVERY_S)

    def _shards(self) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        request: dict[str, Any] = {"StreamArn": self.spec.source_arn}
        while True:
            description = self._streams.describe_stream(**request)["StreamDescription"]
            shards += description.get("Shards", [])
            last = description.get("LastEvaluatedShardId")
            if not last:
                return shards
            request["ExclusiveStartShardId"] = last

    # -- one shard ---------------------------------------------------------------------------

    def _read_shard(self, shard_id: str, position: StartingPosition) -> None:
        spec = self.spec
        cursor = _Cursor(shard_id, position)
        buffer: list[Record] = []
        positioned = False
        while not self._stop.is_set():
            try:
                if cursor.iterator is None:
                    if not self._position(cursor) and not buffer:
                        break  # a closed shard with nothing after what was read
                    if not positioned:
                        positioned = True
                        self._counters.add(shards=1)
                self._fill(buffer, cursor)
            except Exception:
                # An expired iterator or a hiccup of the endpoint: carry on after the last
                # record read, keeping those not yet delivered.
                log.exception("%s: reading shard %s failed", spec.logical_id, shard_id)
                cursor.iterator = None
                self._stop.wait(_ERROR_PAUSE_S)
                continue
            if buffer:
                batch = buffer[: spec.batch_size]
                try:
                    done = deliver(
                        batch,
                        invoke=self._invoke,
                        policy=self._policy,
                        on_drop=lambda dropped: self._drop(shard_id, dropped),
                        age_s=lambda record: time.time() - created_at(record),
                        stopped=self._stop.is_set,
                        before_retry=self._pause,
                    )
                except Exception:
                    # The local service failed, not the function: keep the batch, try again.
                    log.exception("%s: delivering from shard %s failed", spec.logical_id, shard_id)
                    self._stop.wait(_ERROR_PAUSE_S)
                    continue
                del buffer[:done]
            elif cursor.closed:
                log.info("%s: shard %s is closed and read", spec.logical_id, shard_id)
                break
        if positioned:
            self._counters.add(shards=-1)

    def _position(self, cursor: "_Cursor") -> bool:
        """Get an iterator at the starting position, or after the last record read."""
        request: dict[str, Any] = {"StreamArn": self.spec.source_arn, "ShardId": cursor.shard_id}
        if cursor.last_read is None:
            request["ShardIteratorType"] = str(cursor.position)
        else:
            request["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER"
            request["SequenceNumber"] = cursor.last_read
        iterator = self._streams.get_shard_iterator(**request).get("ShardIterator")
        cursor.iterator = str(iterator) if iterator else None
        cursor.closed = cursor.iterator is None
        return not cursor.closed

    def _fill(self, buffer: list[Record], cursor: "_Cursor") -> None:
        """Read until the buffer holds a batch, or the batching window (opened by the first
        record) closes, or the shard turns out closed."""
        spec = self.spec
        closes_at = time.monotonic() + spec.batching_window_s if buffer else None
        while cursor.iterator and len(buffer) < spec.batch_size and not self._stop.is_set():
            response = self._streams.get_records(
                ShardIterator=cursor.iterator, Limit=min(1000, spec.batch_size - len(buffer))
            )
            next_iterator = response.get("NextShardIterator")
            cursor.iterator = str(next_iterator) if next_iterator else None
            cursor.closed = cursor.iterator is None
            fetched = [
                dynamodb_record(r, source_arn=spec.source_arn, region=self._region)
                for r in response.get("Records", [])
            ]
            if fetched:
                cursor.last_read = sequence_number(fetched[-1])
            kept = [record for record in fetched if self._filter.matches(record)]
            if len(kept) < len(fetched):
                self._counters.add(filtered=len(fetched) - len(kept))
            buffer += kept
            if buffer and closes_at is None:
                closes_at = time.monotonic() + spec.batching_window_s
            if closes_at is not None and time.monotonic() >= closes_at:
                return
            if not fetched:
                self._stop.wait(POLL_S)

    def _invoke(self, records: Sequence[Record]) -> Attempt:
        spec = self.spec
        invocation = self._invoker.invoke(
            spec.function, {"Records": list(records)}, trigger="dynamodb"
        )
        self._counters.add(invocations=1, records_invoked=len(records))
        if invocation.error is not None:
            self._counters.add(failed_invocations=1)
            log.warning(
                "%s: %s failed on sequence numbers %s to %s (%s: %s)",
                spec.logical_id,
                spec.function,
                sequence_number(records[0]),
                sequence_number(records[-1]),
                invocation.error.error_type,
                invocation.error.message,
            )
            return Attempt(first_failed=0, function_error=True)
        if spec.report_batch_item_failures:
            numbers = [sequence_number(record) for record in records]
            failed = failed_items(invocation.payload, numbers)
            if failed:
                first = min(numbers.index(number) for number in failed)
                self._counters.add(failed_invocations=1, delivered=first)
                log.info(
                    "%s: %s reported sequence number %s failed; checkpoint before it",
                    spec.logical_id,
                    spec.function,
                    numbers[first],
                )
                return Attempt(first_failed=first)
        self._counters.add(delivered=len(records))
        return Attempt.success()

    def _drop(self, shard_id: str, dropped: Dropped[Record]) -> None:
        spec, records = self.spec, dropped.records
        batch = StreamBatchInfo(
            shard_id=shard_id,
            start_sequence_number=sequence_number(records[0]),
            end_sequence_number=sequence_number(records[-1]),
            first_arrival_s=created_at(records[0]),
            last_arrival_s=created_at(records[-1]),
            batch_size=len(records),
            stream_arn=spec.source_arn,
        )
        self._counters.add(dropped=len(records))
        where = spec.on_failure_destination or "nowhere (no on-failure destination)"
        log.error(
            "%s: gave up on %d records of shard %s, sequence numbers %s to %s (%s after %d "
            "invocations); sent to %s",
            spec.logical_id,
            len(records),
            shard_id,
            batch.start_sequence_number,
            batch.end_sequence_number,
            dropped.condition,
            dropped.invoke_count,
            where,
        )
        if spec.on_failure_destination is None:
            return
        failure = FailureContext(
            function_arn=self._function_arn,
            condition=str(dropped.condition),
            invoke_count=dropped.invoke_count,
            function_error=dropped.last_attempt is not None and dropped.last_attempt.function_error,
        )
        try:
            self._send(spec.on_failure_destination, stream_failure_record(failure, batch))
        except Exception:
            log.exception(
                "%s: could not send the failure record of shard %s, sequence numbers %s to %s, "
                "to %s: those records are lost",
                spec.logical_id,
                shard_id,
                batch.start_sequence_number,
                batch.end_sequence_number,
                spec.on_failure_destination,
            )

    def _pause(self, retry: int) -> None:
        self._stop.wait(min(RETRY_PAUSE_S * 2**retry, RETRY_PAUSE_MAX_S))


@dataclass(slots=True)
class _Cursor:
    """Where a shard reader is: its iterator and the last sequence number it read."""

    shard_id: str
    position: StartingPosition
    iterator: str | None = None
    last_read: str | None = None
    closed: bool = False
