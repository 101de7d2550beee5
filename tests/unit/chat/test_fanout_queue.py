"""FanoutQueue against an in-memory SQS that enforces SendMessageBatch's limits."""

import pytest

from functions.chat.adapters.fanout_queue import EnqueueFailed, FanoutQueue
from functions.chat.logic.delivery import SQS_MAX_BYTES, FanoutShard, split_into_shards


class FakeSqs:
    """Refuses what SQS refuses: more than 10 entries, a batch or a message over 256 KB.
    `flaky` entries fail once (a server-side fault), `refused` ones always (the sender's)."""

    def __init__(self, *, flaky: int = 0, refuse: bool = False) -> None:
        self.calls: list[list[dict]] = []
        self.messages: list[FanoutShard] = []
        self.delays: list[int] = []
        self.flaky = flaky
        self.refuse = refuse

    def send_message_batch(self, *, QueueUrl: str, Entries: list[dict]) -> dict:
        assert QueueUrl == "https://sqs.example/fanout"
        sizes = [len(entry["MessageBody"].encode()) for entry in Entries]
        if len(Entries) > 10:
            raise AssertionError("TooManyEntriesInBatchRequest")
        if sum(sizes) > SQS_MAX_BYTES:
            raise AssertionError(f"BatchRequestTooLong: {sum(sizes)}")
        self.calls.append(Entries)
        failed = []
        for entry in Entries:
            if self.refuse:
                failed.append({"Id": entry["Id"], "SenderFault": True, "Message": "no"})
            elif self.flaky:
                self.flaky -= 1
                failed.append({"Id": entry["Id"], "SenderFault": False, "Code": "Internal"})
            else:
                self.messages.append(FanoutShard.model_validate_json(entry["MessageBody"]))
                self.delays.append(entry["DelaySeconds"])
        return {"Successful": [], "Failed": failed}


def shards(count: int, viewers: int, frame_bytes: int = 100) -> list[FanoutShard]:
    frame = '{"type":"updates","pad":"' + "x" * frame_bytes + '"}'
    ids = [f"conn-{n:010d}=" for n in range(count * viewers)]
    return list(split_into_shards("show-1", frame, ids, viewers))


def queue(sqs: FakeSqs) -> FanoutQueue:
    return FanoutQueue("https://sqs.example/fanout", client=sqs)


def test_small_shards_go_ten_to_a_call_in_order():
    sqs = FakeSqs()
    sent = shards(23, 50)
    assert queue(sqs).enqueue(sent) == 23
    assert [len(call) for call in sqs.calls] == [10, 10, 3]
    assert sqs.messages == sent


def test_a_batch_never_exceeds_the_total_size_limit():
    sqs = FakeSqs()
    sent = shards(12, 1000, frame_bytes=30_000)  # ~50 KB each: five to a call at most
    assert all(shard.encoded_size() < SQS_MAX_BYTES for shard in sent)
    queue(sqs).enqueue(sent)
    assert [len(call) for call in sqs.calls] == [5, 5, 2]
    assert sqs.messages == sent


def test_a_shard_over_the_message_limit_is_refused_before_anything_is_sent():
    sqs = FakeSqs()
    ids = [f"conn-{n:010d}=" for n in range(20_000)]
    too_big = FanoutShard(show_id="show-1", frame="{}", connection_ids=ids)
    with pytest.raises(ValueError, match="exceeds SQS"):
        queue(sqs).enqueue([*shards(1, 10), too_big])
    assert sqs.calls == []


def test_entries_sqs_failed_on_its_side_are_sent_again():
    sqs = FakeSqs(flaky=3)
    sent = shards(10, 10)
    queue(sqs).enqueue(sent, delay_seconds=2)
    assert [len(call) for call in sqs.calls] == [10, 3]
    assert sorted(s.connection_ids[0] for s in sqs.messages) == sorted(
        s.connection_ids[0] for s in sent
    )
    assert sqs.delays == [2] * 10


def test_entries_still_failing_or_refused_raise():
    with pytest.raises(EnqueueFailed, match="after 3 tries"):
        queue(FakeSqs(flaky=100)).enqueue(shards(2, 10))
    with pytest.raises(EnqueueFailed, match="refused"):
        queue(FakeSqs(refuse=True)).enqueue(shards(2, 10))
