"""deliver(): direct posts, sharding, forgetting gone connections, re-queueing what failed."""

from collections.abc import Sequence

import pytest

from functions.chat.logic.delivery import (
    MAX_SHARD_ATTEMPTS,
    SQS_MAX_BYTES,
    Delivery,
    FanoutShard,
    deliver,
    split_into_shards,
)

FRAME = b'{"type":"updates","show_id":"show-1","updates":[]}'


class FakeApi:
    """In-memory @connections: ids in `gone` answer 410, ids in `failing` fail."""

    def __init__(self, gone: Sequence[str] = (), failing: Sequence[str] = ()) -> None:
        self.gone, self.failing = set(gone), set(failing)
        self.received: list[tuple[str, bytes]] = []

    def broadcast(self, data: bytes, connection_ids: Sequence[str]) -> Delivery:
        gone = [cid for cid in connection_ids if cid in self.gone]
        failed = [cid for cid in connection_ids if cid in self.failing]
        self.received += [(cid, data) for cid in connection_ids if cid not in {*gone, *failed}]
        return Delivery(len(connection_ids) - len(gone) - len(failed), gone, failed,
                        posts=len(connection_ids))  # fmt: skip


class FakeQueue:
    def __init__(self) -> None:
        self.shards: list[tuple[FanoutShard, int]] = []

    def enqueue(self, shards: Sequence[FanoutShard], *, delay_seconds: int = 0) -> int:
        self.shards += [(shard, delay_seconds) for shard in shards]
        return len(shards)


class Forgotten(list[str]):
    def __call__(self, connection_ids: Sequence[str]) -> None:
        self.extend(connection_ids)


def ids(count: int) -> list[str]:
    return [f"c{n:05d}" for n in range(count)]


def run(connection_ids, *, api=None, shard_size=100, attempt=1):
    api, queue, forgotten = api or FakeApi(), FakeQueue(), Forgotten()
    report = deliver(FRAME, connection_ids, show_id="show-1", api=api, queue=queue,
                     shard_size=shard_size, forget=forgotten, attempt=attempt)  # fmt: skip
    return report, api, queue, forgotten


def test_an_audience_up_to_the_shard_size_is_posted_directly():
    report, api, queue, _ = run(ids(100), shard_size=100)
    assert (report.delivered, report.shards, report.posts) == (100, 0, 100)
    assert api.received == [(cid, FRAME) for cid in ids(100)]
    assert queue.shards == []


def test_a_larger_audience_is_split_into_shards_for_the_workers():
    report, api, queue, _ = run(ids(250), shard_size=100)
    assert (report.delivered, report.shards) == (0, 3)
    assert api.received == []
    sent = [shard for shard, _ in queue.shards]
    assert [len(shard.connection_ids) for shard in sent] == [100, 100, 50]
    assert [cid for shard in sent for cid in shard.connection_ids] == ids(250)
    assert {(s.show_id, s.frame, s.attempt) for s in sent} == {("show-1", FRAME.decode(), 1)}


def test_gone_connections_are_forgotten():
    report, _, _, forgotten = run(ids(10), api=FakeApi(gone=["c00003", "c00007"]))
    assert (report.delivered, report.gone) == (8, 2)
    assert forgotten == ["c00003", "c00007"]


def test_nobody_is_forgotten_when_nobody_left():
    _, _, _, forgotten = run(ids(10))
    assert forgotten == []


def test_failed_posts_go_back_to_the_queue_alone_later():
    report, _, queue, _ = run(ids(10), api=FakeApi(failing=["c00002", "c00005"]))
    assert (report.delivered, report.requeued, report.failed) == (8, 2, [])
    ((retry, delay),) = queue.shards
    assert retry.connection_ids == ["c00002", "c00005"]
    assert (retry.attempt, delay) == (2, 1)


def test_a_later_attempt_waits_longer():
    _, _, queue, _ = run(ids(3), api=FakeApi(failing=["c00001"]), attempt=2)
    ((retry, delay),) = queue.shards
    assert (retry.attempt, delay) == (3, 2)


def test_what_fails_on_the_last_attempt_is_reported_not_requeued():
    api = FakeApi(failing=["c00001"])
    report, _, queue, _ = run(ids(3), api=api, attempt=MAX_SHARD_ATTEMPTS)
    assert (report.delivered, report.requeued, report.failed) == (2, 0, ["c00001"])
    assert queue.shards == []


def test_no_audience_no_posts():
    report, api, queue, _ = run([])
    assert (report.delivered, report.shards, api.received, queue.shards) == (0, 0, [], [])


def test_a_shard_size_below_one_is_refused():
    with pytest.raises(ValueError, match="shard_size"):
        run(ids(3), shard_size=0)


def test_shards_stay_under_sqs_message_size_whatever_the_shard_size():
    frame = '{"type":"updates","pad":"' + "é" * 15_000 + '"}'  # 30 KB of UTF-8
    audience = [f"conn-{n:010d}=" for n in range(30_000)]
    shards = list(split_into_shards("show-1", frame, audience, shard_size=30_000))
    assert len(shards) > 1
    assert all(shard.encoded_size() <= SQS_MAX_BYTES for shard in shards)
    assert shards[0].encoded_size() > SQS_MAX_BYTES - 30  # packed, not merely split
    assert [cid for shard in shards for cid in shard.connection_ids] == audience


def test_a_frame_too_large_for_any_shard_is_refused():
    with pytest.raises(ValueError, match="cannot fit"):
        list(split_into_shards("show-1", "x" * SQS_MAX_BYTES, ["c1"], 10))


def test_without_a_queue_everyone_is_posted_here_and_failures_are_reported():
    api, forgotten = FakeApi(failing=["c00007"]), Forgotten()
    report = deliver(FRAME, ids(250), show_id="show-1", api=api, queue=None, shard_size=100,
                     forget=forgotten)  # fmt: skip
    assert (report.delivered, report.shards, report.requeued) == (249, 0, 0)
    assert report.failed == ["c00007"]
