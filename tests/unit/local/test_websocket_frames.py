"""The local WebSocket API invokes each frame's route as the frame arrives, as API Gateway
does: a slow handler never holds back the frames behind it, and frames already received are
handled before `$disconnect`."""

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


def test_a_slow_frame_does_not_hold_back_the_next_one(monkeypatch):
    # The invocation limiter belongs to the event loop that made it: this test's is new.
    monkeypatch.setattr("local.apigateway.invoke._limiter", None)
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
    with TestClient(app) as client:
        with client.websocket_connect("/ws") as socket:
            socket.send_text('{"action": "slow"}')
            socket.send_text('{"action": "fast"}')
            assert json.loads(socket.receive_text()) == {"done": "fast"}
            assert json.loads(socket.receive_text()) == {"done": "slow"}
        # The server finishes the connection after the client left: wait for its $disconnect
        # while the app still runs.
        deadline = time.monotonic() + 10
        while "$disconnect" not in functions.handled and time.monotonic() < deadline:
            time.sleep(0.01)
    # The slow frame, received before the close, was handled before $disconnect ran.
    assert functions.handled[-1] == "$disconnect"
    assert set(functions.handled[:-1]) >= {'{"action": "slow"}', '{"action": "fast"}'}
