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
