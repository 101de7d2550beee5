"""Delivering one frame to a show's whole audience: the fan-out hot path.

Up to `shard_size` viewers, the frame is posted right away (ConnectionsApi.broadcast: a bounded
pool of concurrent posts). A larger audience is split into shards that go to the fan-out queue,
where parallel shard workers (handlers/fanout_shard.py) post them: one function's pool tops out
near 1,500 posts/s, a show of 10,000 viewers needs several. Connections that answered 410 are
forgotten. What still failed after the retries goes back to the queue as a smaller shard, so a
viewer who got the frame never gets it twice; after the last attempt it is the caller's to
report (the shard worker hands it back to SQS, whose redrive policy parks it in the DLQ).

Pure Python: the @connections client, the queue and the connections table are passed in."""

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

# SQS's message size limit, and the limit of a SendMessageBatch's total, as every endpoint
# (AWS, LocalStack, moto) accepts it. AWS raised both to 1 MiB in 2025; 256 KB still holds a
# shard of 1,000 viewers beside a 32 KB frame, so the smaller limit costs nothing here.
SQS_MAX_BYTES = 256 * 1024
# A shard is tried this many times in all: its first post, then its failed remainder re-queued.
MAX_SHARD_ATTEMPTS = 3
REQUEUE_DELAY_S = 1  # per attempt already made: 1 s, then 2 s


class FanoutShard(BaseModel):
    """One SQS message: a frame for part of a show's audience."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    show_id: str
    frame: str  # the frame's JSON text, exactly as viewers receive it
    connection_ids: Annotated[list[str], Field(min_length=1)]
    attempt: int = Field(default=1, ge=1)  # 1: the first try; more: a failed remainder

    def encoded_size(self) -> int:
        return len(self.model_dump_json().encode())


@dataclass(frozen=True)
class Delivery:
    """What one broadcast did: ids that answered 410 and ids that failed after retries."""

    delivered: int = 0
    gone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    posts: int = 0  # @connections calls made, retries included (API Gateway bills messages)


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0  # posted here (sharded deliveries are posted by the workers)
    gone: int = 0  # forgotten: their connection had closed
    posts: int = 0
    shards: int = 0  # messages put on the fan-out queue for the workers
    requeued: int = 0  # viewers whose failed post went back to the queue for a later attempt
    failed: list[str] = field(default_factory=list)  # still undelivered after the last attempt


class Broadcaster(Protocol):
    def broadcast(self, data: bytes, connection_ids: Sequence[str]) -> Delivery: ...


class ShardQueue(Protocol):
    def enqueue(self, shards: Sequence[FanoutShard], *, delay_seconds: int = 0) -> int: ...


Forget = Callable[[Sequence[str]], object]  # removes connections from the connections table


def deliver(
    data: bytes,
    connection_ids: Sequence[str],
    *,
    show_id: str,
    api: Broadcaster,
    queue: ShardQueue | None,
    shard_size: int,
    forget: Forget,
    attempt: int = 1,
) -> DeliveryReport:
    """Post `data` (a frame's JSON, encoded once) to every connection, directly or in shards.
    Without a queue (none configured) everything is posted here and nothing is re-queued."""
    if shard_size < 1:
        raise ValueError(f"shard_size must be at least 1, not {shard_size}")
    if not connection_ids:
        return DeliveryReport()
    frame = data.decode()
    if queue is not None and len(connection_ids) > shard_size:
        shards = split_into_shards(show_id, frame, connection_ids, shard_size, attempt)
        return DeliveryReport(shards=queue.enqueue(list(shards)))

    delivery = api.broadcast(data, connection_ids)
    if delivery.gone:
        forget(delivery.gone)
    report = DeliveryReport(delivered=delivery.delivered, gone=len(delivery.gone),
                            posts=delivery.posts)  # fmt: skip
    if not delivery.failed:
        return report
    if queue is None or attempt >= MAX_SHARD_ATTEMPTS:
        return replace(report, failed=delivery.failed)
    retry = split_into_shards(show_id, frame, delivery.failed, shard_size, attempt + 1)
    queue.enqueue(list(retry), delay_seconds=REQUEUE_DELAY_S * attempt)
    return replace(report, requeued=len(delivery.failed))


def split_into_shards(
    show_id: str,
    frame: str,
    connection_ids: Sequence[str],
    shard_size: int,
    attempt: int = 1,
    max_bytes: int = SQS_MAX_BYTES,
) -> Iterator[FanoutShard]:
    """Shards of at most `shard_size` viewers, each small enough to be one SQS message."""
    # The message's size without ids: a shard holding one empty id, less that id's `""`.
    bare = FanoutShard(show_id=show_id, frame=frame, connection_ids=[""], attempt=attempt)
    bare_size = bare.encoded_size() - 2
    if bare_size >= max_bytes:
        raise ValueError(f"a frame of {len(frame.encode())} bytes cannot fit in an SQS message")
    ids: list[str] = []
    size = bare_size
    for connection_id in connection_ids:
        cost = len(json.dumps(connection_id).encode())  # its JSON string; ensure_ascii over-counts
        if ids and (len(ids) == shard_size or size + 1 + cost > max_bytes):
            yield FanoutShard(show_id=show_id, frame=frame, connection_ids=ids, attempt=attempt)
            ids, size = [], bare_size
        size += cost + (1 if ids else 0)  # and its comma
        if size > max_bytes:
            raise ValueError(f"connection id {connection_id[:40]!r} cannot fit in a shard")
        ids.append(connection_id)
    if ids:
        yield FanoutShard(show_id=show_id, frame=frame, connection_ids=ids, attempt=attempt)
