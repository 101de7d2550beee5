"""The fan-out delivery layer against real endpoints: the local gateway's @connections API with
real WebSocket clients behind it, the embedded SQS and DynamoDB, and a small @connections
server of our own for what the gateway never answers (429 throttling)."""

import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from websockets.sync.client import ClientConnection, connect

from functions.chat.adapters.connections_api import Backoff, ConnectionsApi, connections_client
from functions.chat.adapters.delivery import deliver
from functions.chat.adapters.fanout_queue import FanoutQueue
from functions.chat.dal import connections
from functions.chat.dal.audience import audience as people
from functions.chat.handlers import fanout_shard
from functions.chat.logic.delivery import (
    MAX_SHARD_ATTEMPTS,
    SQS_MAX_BYTES,
    FanoutShard,
    split_into_shards,
)
from functions.chat.logic.frames import ConnectRequest
from functions.common import aws
from functions.common.models import ConnectionModel
from local.apigateway.connections import Client, ConnectionHub, new_connection_id
from local.apigateway.management import ConnectionsApi as LocalConnectionsApi
from local.apigateway.server import BackgroundServer
from local.event_sources.records import sqs_record
from tests.conftest import free_port

pytestmark = pytest.mark.integration


class LocalGateway:
    """The local gateway's @connections API and hub, behind a bare WebSocket route that
    tells each client its connection id (no Lambda: here only delivery is under test)."""

    def __init__(self) -> None:
        self.hub = ConnectionHub()
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/local"
        app = Starlette(
            routes=[
                WebSocketRoute("/ws", self._websocket),
                Route("/local/@connections/{connection_id}", LocalConnectionsApi(self.hub).handle,
                      methods=["POST", "GET", "DELETE"]),
            ]
        )  # fmt: skip
        self.server = BackgroundServer(app, "127.0.0.1", self.port)

    async def _websocket(self, websocket: WebSocket) -> None:
        await websocket.accept()
        connection_id = new_connection_id()
        await websocket.send_text(json.dumps({"connection_id": connection_id}))
        self.hub.add(Client(connection_id, websocket, "127.0.0.1", "pytest"))
        try:
            while (await websocket.receive())["type"] != "websocket.disconnect":
                pass
        finally:
            await self.hub.remove(connection_id)

    def viewer(self, stack: ExitStack) -> tuple[str, ClientConnection]:
        socket = stack.enter_context(connect(f"ws://127.0.0.1:{self.port}/ws"))
        return json.loads(socket.recv(timeout=10))["connection_id"], socket


class ThrottlingConnections:
    """@connections that answers 429 LimitExceededException to `throttle[id]` posts first
    (forever: -1), 410 to ids starting with `gone`, then 200; counts every post."""

    def __init__(self) -> None:
        self.throttle: dict[str, int] = {}
        self.posts: Counter[str] = Counter()
        self.delivered: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/local"
        app = Starlette(routes=[Route("/local/@connections/{connection_id}", self._post,
                                      methods=["POST"])])  # fmt: skip
        self.server = BackgroundServer(app, "127.0.0.1", self.port)

    async def _post(self, request: Request) -> Response:
        connection_id = request.path_params["connection_id"]
        with self._lock:
            self.posts[connection_id] += 1
            left = self.throttle.get(connection_id, 0)
            if left:
                self.throttle[connection_id] = left - 1
        if connection_id.startswith("gone"):
            return JSONResponse({"message": None}, 410, {"x-amzn-errortype": "GoneException"})
        if left:
            return JSONResponse({"message": "Limit Exceeded"}, 429,
                                {"x-amzn-errortype": "LimitExceededException"})  # fmt: skip
        self.delivered[connection_id] = await request.body()
        return Response(status_code=200)


@pytest.fixture(scope="module")
def gateway() -> Iterator[LocalGateway]:
    gateway = LocalGateway()
    gateway.server.start()
    yield gateway
    gateway.server.stop()


@pytest.fixture(scope="module")
def throttling() -> Iterator[ThrottlingConnections]:
    server = ThrottlingConnections()
    server.server.start()
    yield server
    server.server.stop()


@pytest.fixture
def queue(provisioned) -> tuple[str, str]:
    """A fan-out queue of this test's own, with SQS's 256 KB message limit: (url, arn)."""
    sqs = aws.client("sqs")
    url = sqs.create_queue(
        QueueName=f"fanout-{uuid.uuid4().hex[:12]}",
        Attributes={"MaximumMessageSize": str(SQS_MAX_BYTES), "VisibilityTimeout": "30"},
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return url, arn["QueueArn"]


def received(url: str, arn: str, count: int, wait: int = 1) -> list[dict]:
    """Up to `count` messages of the queue, as records of Lambda's SQS event."""
    sqs, records = aws.client("sqs"), []
    for _ in range(count + 3):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
        records += [sqs_record(m, source_arn=arn, region=aws.region())
                    for m in answer.get("Messages", [])]  # fmt: skip
        if len(records) >= count:
            break
    return records


def record_connections(show_id: str, connection_ids: list[str], *, age_s: float = 60) -> None:
    """Connection records as `$connect` writes them, opened `age_s` seconds ago."""
    from datetime import timedelta

    request = ConnectRequest(show=show_id, viewer="v")
    for connection_id in connection_ids:
        connections.open_connection(connection_id, request, viewer_id=f"v-{connection_id}",
                                    role="viewer", display_name="",
                                    at=_now() - timedelta(seconds=age_s))  # fmt: skip


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def frame(show_id: str) -> bytes:
    return json.dumps({"type": "updates", "show_id": show_id, "updates": []}).encode()


def assert_each_got_it_once(sockets: dict[str, ClientConnection], data: bytes) -> None:
    for socket in sockets.values():
        assert socket.recv(timeout=10) == data.decode()  # a text frame, as browsers need
    for socket in sockets.values():
        with pytest.raises(TimeoutError):
            socket.recv(timeout=0.05)


@pytest.fixture
def via(monkeypatch):
    """Point @connections at an endpoint, as the local runtime does for its functions."""

    def endpoint(server) -> ConnectionsApi:
        monkeypatch.setenv("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", server.endpoint)
        return ConnectionsApi.from_endpoint(server.endpoint)

    return endpoint


def test_an_audience_up_to_the_shard_size_gets_the_frame_through_the_gateway(gateway, queue, via):
    show_id = f"show-{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        sockets = dict(gateway.viewer(stack) for _ in range(20))
        report = deliver(frame(show_id), list(sockets), show_id=show_id, api=via(gateway),
                         queue=FanoutQueue(queue[0]), shard_size=20,
)  # fmt: skip
        assert (report.delivered, report.gone, report.shards, report.posts) == (20, 0, 0, 20)
        assert_each_got_it_once(sockets, frame(show_id))


def test_connections_that_closed_are_forgotten(gateway, queue, via):
    show_id = f"show-{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        sockets = dict(gateway.viewer(stack) for _ in range(3))
        closed = [gateway.viewer(stack) for _ in range(2)]
        for _, socket in closed:
            socket.close()
        audience = [*sockets, *(cid for cid, _ in closed)]
        record_connections(show_id, audience)
        for _ in range(100):  # the gateway notices the closes asynchronously
            if all(gateway.hub.get(cid) is None for cid, _ in closed):
                break
            threading.Event().wait(0.02)
        report = deliver(frame(show_id), audience, show_id=show_id, api=via(gateway),
                         queue=FanoutQueue(queue[0]), shard_size=10,
)  # fmt: skip
        assert (report.delivered, report.gone) == (3, 2)
        # Marked gone, not deleted: `$disconnect` still logs the watch time from the record.
        assert all(ConnectionModel.get(cid).gone for cid, _ in closed)
        assert not any(ConnectionModel.get(cid).gone for cid in sockets)
        assert sorted(people(show_id).connection_ids) == sorted(sockets)


def test_a_viewer_still_connecting_is_not_forgotten(gateway, queue, via):
    """A post can reach a connection whose `$connect` has not returned: API Gateway answers
    410, as for a closed one. Marking it gone would leave that viewer out of every broadcast
    of the show; one just opened is kept, and gets the next frame."""
    show_id = f"show-{uuid.uuid4().hex[:8]}"
    joining = f"joining-{uuid.uuid4().hex[:8]}"  # recorded, not yet known to the gateway
    record_connections(show_id, [joining], age_s=1)
    report = deliver(frame(show_id), [joining], show_id=show_id, api=via(gateway),
                     queue=FanoutQueue(queue[0]), shard_size=10)  # fmt: skip
    assert report.gone == 1
    assert not ConnectionModel.get(joining).gone
    assert people(show_id).connection_ids == [joining]


def test_a_large_audience_goes_through_sqs_to_the_shard_workers(
    gateway, queue, via, monkeypatch, lambda_context
):
    show_id = f"show-{uuid.uuid4().hex[:8]}"
    url, arn = queue
    monkeypatch.setenv("VITRINE_WEBSOCKET_ENDPOINT", gateway.endpoint)
    monkeypatch.setenv("VITRINE_FANOUT_QUEUE_URL", url)
    monkeypatch.setenv("VITRINE_FANOUT_SHARD_SIZE", "10")
    with ExitStack() as stack:
        sockets = dict(gateway.viewer(stack) for _ in range(25))
        report = deliver(frame(show_id), list(sockets), show_id=show_id, api=via(gateway),
                         queue=FanoutQueue(url), shard_size=10,
)  # fmt: skip
        assert (report.delivered, report.shards) == (0, 3)
        for socket in sockets.values():  # nothing posted yet: the workers post
            with pytest.raises(TimeoutError):
                socket.recv(timeout=0.01)

        records = received(url, arn, 3)
        assert sorted(len(json.loads(r["body"])["connection_ids"]) for r in records) == [5, 10, 10]
        for record in records:  # one invocation per shard, as the mapping's BatchSize 1 does
            answer = fanout_shard.handler({"Records": [record]}, lambda_context)
            assert answer == {"batchItemFailures": []}
        assert_each_got_it_once(sockets, frame(show_id))


def test_throttled_posts_are_retried_and_what_still_fails_is_requeued_alone(throttling, queue):
    show_id, (url, arn) = f"show-{uuid.uuid4().hex[:8]}", queue
    tag = uuid.uuid4().hex[:8]
    slow, stuck, fine, gone = f"slow-{tag}", f"stuck-{tag}", f"fine-{tag}", f"gone-{tag}"
    throttling.throttle |= {slow: 2, stuck: -1}
    record_connections(show_id, [slow, stuck, fine, gone])
    api = ConnectionsApi(connections_client(throttling.endpoint, 4), concurrency=4,
                         backoff=Backoff(attempts=4, base_s=0.01))  # fmt: skip

    report = deliver(frame(show_id), [slow, stuck, fine, gone], show_id=show_id, api=api,
                     queue=FanoutQueue(url), shard_size=10,
)  # fmt: skip

    assert (report.delivered, report.gone, report.requeued, report.failed) == (2, 1, 1, [])
    assert (throttling.posts[slow], throttling.posts[stuck], throttling.posts[fine]) == (3, 4, 1)
    assert throttling.delivered[slow] == frame(show_id)
    assert ConnectionModel.get(gone).gone
    assert not ConnectionModel.get(stuck).gone  # throttled is not gone
    assert received(url, arn, 1, wait=0) == []  # the retry waits its delay first
    (retry,) = received(url, arn, 1, wait=3)
    shard = FanoutShard.model_validate_json(retry["body"])
    assert (shard.connection_ids, shard.attempt, shard.show_id) == ([stuck], 2, show_id)


def test_the_shard_worker_reports_only_what_it_could_not_deliver(
    throttling, queue, monkeypatch, lambda_context
):
    url, arn = queue
    tag = uuid.uuid4().hex[:8]
    stuck, fine = f"stuck-{tag}", f"fine-{tag}"
    throttling.throttle[stuck] = -1
    monkeypatch.setenv("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", throttling.endpoint)
    monkeypatch.setenv("VITRINE_WEBSOCKET_ENDPOINT", throttling.endpoint)
    monkeypatch.setenv("VITRINE_FANOUT_QUEUE_URL", url)
    last = FanoutShard(show_id="s", frame="{}", connection_ids=[stuck, fine],
                       attempt=MAX_SHARD_ATTEMPTS)  # fmt: skip
    first = FanoutShard(show_id="s", frame="{}", connection_ids=[f"fine2-{tag}"])
    FanoutQueue(url).enqueue([last, first])
    aws.client("sqs").send_message(QueueUrl=url, MessageBody='{"not": "a shard"}')
    records = {r["body"]: r for r in received(url, arn, 3)}

    answer = fanout_shard.handler({"Records": list(records.values())}, lambda_context)

    failed = {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}
    assert failed == {
        records[last.model_dump_json()]["messageId"],
        records['{"not": "a shard"}']["messageId"],
    }
    assert throttling.delivered[fine] == b"{}"
    assert throttling.delivered[f"fine2-{tag}"] == b"{}"


def test_shards_of_a_huge_audience_fit_the_queues_message_limit(queue):
    url, arn = queue
    big_frame = json.dumps({"type": "updates", "pad": "x" * 30_000})
    audience = [f"conn-{n:010d}=" for n in range(25_000)]
    shards = list(split_into_shards("s", big_frame, audience, shard_size=25_000))
    assert FanoutQueue(url).enqueue(shards) == len(shards) > 1
    bodies = [FanoutShard.model_validate_json(r["body"]) for r in received(url, arn, len(shards))]
    assert sorted(cid for shard in bodies for cid in shard.connection_ids) == audience
