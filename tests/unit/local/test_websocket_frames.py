"""The local WebSocket API invokes each frame's route as the frame arrives, as API Gateway
does: a slow handler never holds back the frames behind it."""

import json
import threading
import time

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient

from local.apigateway.connections import ConnectionHub
from local.apigateway.events import ApiIdentity
from local.apigateway.websocket import WebSocketApi
from local.apigateway.wiring import WebSocketWiring
from local.awslambda.invocation import Invocation


class Functions:
    """`slow` takes a second; every function records what it handled, in order."""

    def __init__(self, hub: ConnectionHub) -> None:
        self.hub = hub
        self.handled: list[str] = []
        self.lock = threading.Lock()

    def invoke(self, function: str, event, *, trigger: str) -> Invocation:
        if function == "slow":
            time.sleep(1.0)
        with self.lock:
            self.handled.append(event.get("body") or event["requestContext"]["routeKey"])
        if function in {"fast", "slow"}:
            connection_id = event["requestContext"]["connectionId"]
            self.hub.post(connection_id, json.dumps({"done": function}))
        return Invocation(function, {"statusCode": 200})


def test_a_slow_frame_does_not_hold_back_the_next_one():
    hub = ConnectionHub()
    functions = Functions(hub)
    wiring = WebSocketWiring(
        routes={"$connect": "connect", "$disconnect": "disconnect", "slow": "slow", "fast": "fast"},
        authorizer=None,
        identity_sources=(),
        selection_expression="$request.body.action",
    )
    api = WebSocketApi(wiring, functions, ApiIdentity("local", "live", "127.0.0.1"), hub)
    app = Starlette(routes=[WebSocketRoute("/ws", api.handle)])
    with TestClient(app) as client, client.websocket_connect("/ws") as socket:
        socket.send_text('{"action": "slow"}')
        socket.send_text('{"action": "fast"}')
        assert json.loads(socket.receive_text()) == {"done": "fast"}
        assert json.loads(socket.receive_text()) == {"done": "slow"}
    assert functions.handled.index('{"action": "fast"}') < functions.handled.index(
        '{"action": "slow"}'
    )


class Recorder:
    """An authorizer that allows with a context map, and functions that keep their events."""

    def __init__(self) -> None:
        self.events: dict[str, list[dict]] = {}
        self.lock = threading.Lock()

    def invoke(self, function: str, event, *, trigger: str) -> Invocation:
        with self.lock:
            self.events.setdefault(function, []).append(event)
        if function == "authorize":
            policy = {
                "principalId": "staff-sub",
                "policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*"}]},
                "context": {"role": "host", "show_id": "show-1"},
            }
            return Invocation(function, policy)
        return Invocation(function, {"statusCode": 200})


def test_every_event_of_a_connection_carries_its_connect_authorizer_context():
    functions = Recorder()
    wiring = WebSocketWiring(
        routes={"$connect": "connect", "$disconnect": "disconnect", "chat": "chat"},
        authorizer="authorize",
        identity_sources=(),
        selection_expression="$request.body.action",
    )
    api = WebSocketApi(
        wiring, functions, ApiIdentity("local", "live", "127.0.0.1"), ConnectionHub()
    )
    app = Starlette(routes=[WebSocketRoute("/ws", api.handle)])
    with TestClient(app) as client, client.websocket_connect("/ws") as socket:
        socket.send_text('{"action": "chat"}')
        wait_for(lambda: "chat" in functions.events)
        socket.close()
        wait_for(lambda: "disconnect" in functions.events)
    expected = {"role": "host", "show_id": "show-1", "principalId": "staff-sub"}
    for function in ("connect", "chat", "disconnect"):
        (event,) = functions.events[function]
        assert event["requestContext"]["authorizer"] == expected, function


def wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
