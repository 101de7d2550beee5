"""ConnectionsApi against a scripted in-memory @connections client: no sockets."""

import threading
from collections import Counter

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from functions.chat.adapters.connections_api import Backoff, ConnectionsApi
from functions.chat.logic.frames import PongFrame


def _error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "PostToConnection",
    )


GONE = _error("GoneException", 410)
THROTTLED = _error("LimitExceededException", 429)


class FakeConnections:
    """Answers each post from a per-connection script of errors (then success); keeps what
    was delivered and how often each connection was posted to."""

    def __init__(self, script: dict[str, list[Exception]] | None = None) -> None:
        self.script = {cid: list(errors) for cid, errors in (script or {}).items()}
        self.posts: Counter[str] = Counter()
        self.delivered: dict[str, bytes] = {}
        self.deleted: list[str] = []
        self.in_flight = self.most_in_flight = 0
        self._lock = threading.Lock()
        self._release = threading.Event()

    def post_to_connection(self, *, ConnectionId: str, Data: bytes) -> None:
        with self._lock:
            self.posts[ConnectionId] += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            errors = self.script.get(ConnectionId)
            error = errors.pop(0) if errors else None
        try:
            self._release.wait(0.005)  # overlapping posts show the pool's concurrency
            if error is not None:
                raise error
            self.delivered[ConnectionId] = Data
        finally:
            with self._lock:
                self.in_flight -= 1

    def delete_connection(self, *, ConnectionId: str) -> None:
        if ConnectionId.startswith("gone"):
            raise GONE
        if ConnectionId.startswith("forbidden"):
            raise _error("ForbiddenException", 403)
        self.deleted.append(ConnectionId)


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def api(client: FakeConnections, **options) -> tuple[ConnectionsApi, Sleeps]:
    sleeps = Sleeps()
    options.setdefault("jitter", lambda: 1.0)
    return ConnectionsApi(client, sleep=sleeps, **options), sleeps


def test_broadcast_delivers_to_everyone_at_most_concurrency_at_a_time():
    client = FakeConnections()
    connections, _ = api(client, concurrency=4)
    ids = [f"c{n}" for n in range(40)]
    delivery = connections.broadcast(b'{"type":"updates"}', ids)
    assert (delivery.delivered, delivery.gone, delivery.failed, delivery.posts) == (40, [], [], 40)
    assert client.delivered == dict.fromkeys(ids, b'{"type":"updates"}')
    assert 1 < client.most_in_flight <= 4


def test_gone_connections_are_reported_and_not_retried():
    client = FakeConnections({"c1": [GONE], "c3": [GONE]})
    connections, sleeps = api(client)
    delivery = connections.broadcast(b"{}", ["c0", "c1", "c2", "c3"])
    assert (delivery.delivered, delivery.gone, delivery.failed) == (2, ["c1", "c3"], [])
    assert client.posts["c1"] == 1
    assert sleeps.waits == []


def test_a_410_without_its_error_code_is_gone_too():
    client = FakeConnections({"c0": [_error("", 410)]})
    assert api(client)[0].broadcast(b"{}", ["c0", "c1"]).gone == ["c0"]


@pytest.mark.parametrize(
    "throttle",
    [
        THROTTLED,
        _error("ThrottlingException", 400),
        _error("TooManyRequestsException", 429),
        _error("", 429),
    ],
)
def test_throttled_posts_are_retried_until_they_pass(throttle):
    client = FakeConnections({"c0": [throttle, throttle]})
    connections, sleeps = api(client)
    delivery = connections.broadcast(b"{}", ["c0", "c1"])
    assert (delivery.delivered, delivery.failed, delivery.posts) == (2, [], 4)
    assert client.posts["c0"] == 3
    assert len(sleeps.waits) == 2


def test_a_post_on_a_connection_the_endpoint_closed_unanswered_is_retried():
    closed = ConnectionClosedError(endpoint_url="https://x")
    client = FakeConnections({"c0": [closed, closed], "c1": [closed] * 10})
    connections, sleeps = api(client, backoff=Backoff(attempts=3))
    delivery = connections.broadcast(b"{}", ["c0", "c1"])
    assert (delivery.delivered, delivery.failed) == (1, ["c1"])
    assert (client.posts["c0"], client.posts["c1"]) == (3, 3)
    assert len(sleeps.waits) == 4  # two each, none after c1's last attempt


def test_backoff_doubles_up_to_its_cap_and_the_jitter_scales_it():
    client = FakeConnections({"c0": [THROTTLED] * 4})
    connections, sleeps = api(client, backoff=Backoff(attempts=5, base_s=0.1, cap_s=0.3))
    assert connections.broadcast(b"{}", ["c0"]).delivered == 1
    assert sleeps.waits == pytest.approx([0.1, 0.2, 0.3, 0.3])

    halved = FakeConnections({"c0": [THROTTLED] * 2})
    connections, sleeps = api(halved, backoff=Backoff(base_s=0.1), jitter=lambda: 0.5)
    connections.broadcast(b"{}", ["c0"])
    assert sleeps.waits == pytest.approx([0.05, 0.1])


def test_full_jitter_spreads_the_waits_between_zero_and_the_exponential_bound():
    client = FakeConnections({f"c{n}": [THROTTLED] for n in range(200)})
    sleeps = Sleeps()
    connections = ConnectionsApi(client, sleep=sleeps, backoff=Backoff(base_s=0.1))
    connections.broadcast(b"{}", [f"c{n}" for n in range(200)])
    assert len(sleeps.waits) == 200
    assert all(0 <= wait <= 0.1 for wait in sleeps.waits)
    assert min(sleeps.waits) < 0.02  # spread, not in step
    assert max(sleeps.waits) > 0.08


def test_a_post_still_throttled_after_its_attempts_fails():
    client = FakeConnections({"c0": [THROTTLED] * 10})
    connections, sleeps = api(client, backoff=Backoff(attempts=3))
    delivery = connections.broadcast(b"{}", ["c0", "c1"])
    assert (delivery.delivered, delivery.failed, delivery.posts) == (1, ["c0"], 4)
    assert client.posts["c0"] == 3
    assert len(sleeps.waits) == 2  # none after the last attempt


@pytest.mark.parametrize(
    "error",
    [
        _error("ForbiddenException", 403),
        _error("InternalServerError", 500),
        EndpointConnectionError(endpoint_url="https://x"),
    ],
)
def test_other_errors_fail_that_post_at_once_and_the_rest_go_on(error):
    client = FakeConnections({"c1": [error]})
    connections, sleeps = api(client)
    delivery = connections.broadcast(b"{}", ["c0", "c1", "c2"])
    assert (delivery.delivered, delivery.gone, delivery.failed) == (2, [], ["c1"])
    assert client.posts["c1"] == 1
    assert sleeps.waits == []


def test_send_posts_the_frame_and_says_whether_the_connection_is_there():
    client = FakeConnections({"gone": [GONE]})
    connections, _ = api(client)
    assert connections.send("here", PongFrame()) is True
    assert client.delivered["here"] == b'{"type":"pong"}'
    assert connections.send("gone", PongFrame()) is False


def test_send_retries_throttling_and_raises_what_still_fails():
    client = FakeConnections({"c0": [THROTTLED], "c1": [_error("ForbiddenException", 403)]})
    connections, _ = api(client)
    assert connections.send("c0", PongFrame()) is True
    with pytest.raises(ClientError, match="ForbiddenException"):
        connections.send("c1", PongFrame())


def test_close_deletes_the_connection_and_one_already_gone_is_fine():
    client = FakeConnections()
    connections, _ = api(client)
    connections.close("c0")
    connections.close("gone-1")
    assert client.deleted == ["c0"]
    with pytest.raises(ClientError):
        connections.close("forbidden-1")


def test_the_endpoint_is_the_apis_own_unless_overridden(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", raising=False)
    context = {"domainName": "abc.execute-api.eu-west-1.amazonaws.com", "stage": "live"}
    own = ConnectionsApi.for_request(context)
    assert own._client.meta.endpoint_url == "https://abc.execute-api.eu-west-1.amazonaws.com/live"
    assert ConnectionsApi.for_request(context) is own  # a warm function reuses it
    assert own._client.meta.config.retries["total_max_attempts"] == 1
    assert own._client.meta.config.max_pool_connections == own.concurrency

    configured = ConnectionsApi.from_endpoint("https://def.execute-api.eu-west-1.amazonaws.com/x")
    assert configured._client.meta.endpoint_url.startswith("https://def.")
    monkeypatch.setenv("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", "http://127.0.0.1:9/local")
    for overridden in (ConnectionsApi.for_request(context), ConnectionsApi.from_endpoint("x")):
        assert overridden._client.meta.endpoint_url == "http://127.0.0.1:9/local"
