"""The fan-out queue (SQS): shards of a large audience, for the parallel shard workers.

SendMessageBatch takes at most 10 messages and, in all, no more bytes than one message may
hold; shards are packed into as few calls as those two limits allow. An entry SQS refuses for
its own reasons (not the sender's) is sent again a few times before the batch counts as failed."""

from collections.abc import Iterator, Sequence
from typing import Any

from functions.chat.logic.delivery import SQS_MAX_BYTES, FanoutShard
from functions.common import aws

BATCH_ENTRIES = 10  # SendMessageBatch's limit
_RESENDS = 3


class EnqueueFailed(RuntimeError):
    """SQS refused shards: the caller fails, and its trigger retries the whole delivery."""


class FanoutQueue:
    def __init__(self, queue_url: str, *, client: Any = None, max_bytes: int = SQS_MAX_BYTES):
        self.queue_url = queue_url
        self._client = client
        self._max_bytes = max_bytes

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws.client("sqs")
        return self._client

    def enqueue(self, shards: Sequence[FanoutShard], *, delay_seconds: int = 0) -> int:
        """Send every shard; the number of messages sent. Raises EnqueueFailed otherwise."""
        bodies = [shard.model_dump_json() for shard in shards]
        for body in bodies:
            if len(body.encode()) > self._max_bytes:
                raise ValueError(
                    f"a shard of {len(body.encode())} bytes exceeds SQS's {self._max_bytes}"
                )
        for batch in self._batches(bodies):
            self._send(batch, delay_seconds)
        return len(bodies)

    def _batches(self, bodies: list[str]) -> Iterator[list[str]]:
        batch: list[str] = []
        size = 0
        for body in bodies:
            length = len(body.encode())
            if batch and (len(batch) == BATCH_ENTRIES or size + length > self._max_bytes):
                yield batch
                batch, size = [], 0
            batch.append(body)
            size += length
        if batch:
            yield batch

    def _send(self, batch: list[str], delay_seconds: int) -> None:
        pending = {str(n): body for n, body in enumerate(batch)}
        for _ in range(_RESENDS):
            answer = self.client.send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": entry_id, "MessageBody": body, "DelaySeconds": delay_seconds}
                    for entry_id, body in pending.items()
                ],
            )
            failed = answer.get("Failed") or []
            if refused := [entry for entry in failed if entry.get("SenderFault")]:
                raise EnqueueFailed(f"SQS refused a shard: {refused[0].get('Message')}")
            pending = {entry["Id"]: pending[entry["Id"]] for entry in failed}
            if not pending:
                return
        raise EnqueueFailed(f"{len(pending)} shard(s) not accepted by SQS after {_RESENDS} tries")
