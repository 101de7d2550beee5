"""The WebSocket API: `$connect` (after its authorizer), a route per frame, `$disconnect`.

Each step invokes the function the template wires to it, with API Gateway's event shapes; a
function that fails is answered as API Gateway answers it (a refused upgrade, an error frame)."""

import asyncio
import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from local.apigateway.connections import Client, ConnectionHub, new_connection_id
from local.apigateway.events import (
    ApiIdentity,
    WebSocketClientInfo,
    gateway_error_frame,
    now_ms,
    websocket_request_context,
)
from local.apigateway.invoke import invoke_async
from local.apigateway.wiring import WebSocketWiring
from local.awslambda.invocation import Invoker

log = logging.getLogger("vitrine.gateway")


class WebSocketApi:
    def __init__(
        self, wiring: WebSocketWiring, invoker: Invoker, api: ApiIdentity, hub: ConnectionHub
    ) -> None:
        self.wiring = wiring
        self.invoker = invoker
        self.api = api
        self.hub = hub

    async def handle(self, websocket: WebSocket) -> None:
        info = WebSocketClientInfo(
            connection_id=new_connection_id(),
            source_ip=websocket.client.host if websocket.client else "127.0.0.1",
            user_agent=websocket.headers.get("user-agent", ""),
            connected_at=now_ms(),
        )
        query = dict(websocket.query_params) or None
        headers = dict(websocket.headers)
        connected, authorizer = await self._connect(websocket, info, query, headers)
        if not connected:
            return
        close_code = 1006  # gone before the upgrade completed: $disconnect runs all the same
        in_flight: set[asyncio.Task[None]] = set()
        try:
            await websocket.accept()
            client = Client(info.connection_id, websocket, info.source_ip, info.user_agent)
            self.hub.add(client)
            close_code = 1000
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    close_code = message.get("code", 1000)
                    break
                client.last_active_at = datetime.now(UTC)
                text = message.get("text")
                if text is None:  # API Gateway refuses binary frames by closing the connection
                    await self.hub.disconnect(
                        info.connection_id, 1003, "binary frames are not supported"
                    )
                    close_code = 1003
                    break
                # API Gateway invokes each frame's route as the frame arrives, without waiting
                # for the previous one: a slow handler never stops the connection being read.
                task = asyncio.create_task(self._route_frame(client, info, authorizer, text))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
        except WebSocketDisconnect as disconnect:
            close_code = disconnect.code
        finally:
            if in_flight:  # frames already received are handled before `$disconnect`
                await asyncio.gather(*in_flight, return_exceptions=True)
            await self.hub.remove(info.connection_id)
            await self._disconnect(info, authorizer, headers, close_code)

    def _context(
        self,
        info: WebSocketClientInfo,
        route_key: str,
        kind: str,
        authorizer: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """API Gateway's request context; the `$connect` authorizer's context (principal and
        context map) comes with every later event of the connection, as in AWS."""
        context = websocket_request_context(self.api, info, route_key, kind)
        return context if authorizer is None else context | {"authorizer": authorizer}

    async def _connect(
        self,
        websocket: WebSocket,
        info: WebSocketClientInfo,
        query: dict[str, str] | None,
        headers: dict[str, str],
    ) -> tuple[bool, dict[str, Any] | None]:
        """Authorizer, then `$connect`: False (and the upgrade refused) when either says no,
        and the authorizer's context, which every later event of the connection carries."""
        if self.wiring.missing_identity(query or {}, headers):
            await _refuse(websocket, 401, "Unauthorized")
            return False, None
        authorizer_context = None
        if self.wiring.authorizer:
            arn = (
                f"arn:aws:execute-api:{self.api.region}:{self.api.account_id}:"
                f"{self.api.api_id}/{self.api.stage}/$connect"
            )
            policy = await self._invoke(
                self.wiring.authorizer,
                {
                    "type": "REQUEST",
                    "methodArn": arn,
                    "headers": headers,
                    "queryStringParameters": query,
                    "stageVariables": {},
                    "requestContext": self._context(info, "$connect", "CONNECT"),
                },
                trigger="ws authorizer",
            )
            if not _allows(policy):
                await _refuse(websocket, 403, "Forbidden")
                return False, None
            authorizer_context = {**policy.get("context", {}), "principalId": policy["principalId"]}
        connect = self.wiring.routes.get("$connect")
        if connect is None:
            return True, authorizer_context
        request = self._context(info, "$connect", "CONNECT") | {"authorizer": authorizer_context}
        result = await self._invoke(
            connect,
            {
                "headers": headers,
                "queryStringParameters": query,
                "requestContext": request,
                "isBase64Encoded": False,
            },
            trigger="ws $connect",
        )
        status = result.get("statusCode", 200)
        if not 200 <= status < 300:
            await _refuse(websocket, status, str(result.get("body", "")))
            return False, None
        return True, authorizer_context

    async def _route_frame(
        self,
        client: Client,
        info: WebSocketClientInfo,
        authorizer: dict[str, Any] | None,
        text: str,
    ) -> None:
        """Invoke the frame's route, answering as API Gateway does when none matches or the
        function fails."""
        request = self._context(info, "$default", "MESSAGE", authorizer)
        route_key = self.wiring.route_for_frame(text)
        if route_key is None:
            self.hub.post(client.connection_id, gateway_error_frame("Forbidden", request))
            return
        event = {
            "requestContext": request | {"routeKey": route_key, "messageId": uuid.uuid4().hex},
            "body": text,
            "isBase64Encoded": False,
        }
        invocation = await invoke_async(
            self.invoker, self.wiring.routes[route_key], event, trigger=f"ws {route_key}"
        )
        if invocation.failed:
            frame = gateway_error_frame("Internal server error", request)
            self.hub.post(client.connection_id, frame)

    async def _disconnect(
        self,
        info: WebSocketClientInfo,
        authorizer: dict[str, Any] | None,
        headers: dict[str, str],
        close_code: int,
    ) -> None:
        disconnect = self.wiring.routes.get("$disconnect")
        if disconnect is None:
            return
        context = self._context(info, "$disconnect", "DISCONNECT", authorizer)
        await self._invoke(
            disconnect,
            {
                "headers": headers,
                "requestContext": context
                | {"disconnectStatusCode": close_code, "disconnectReason": ""},
                "isBase64Encoded": False,
            },
            trigger="ws $disconnect",
        )

    async def _invoke(self, function: str, event: dict[str, Any], *, trigger: str) -> Any:
        """The function's result; API Gateway's 500 when the function failed."""
        invocation = await invoke_async(self.invoker, function, event, trigger=trigger)
        if invocation.failed or not isinstance(invocation.payload, dict):
            return {"statusCode": 500, "body": "Internal server error"}
        return invocation.payload


def _allows(policy: Mapping[str, Any]) -> bool:
    statements = policy.get("policyDocument", {}).get("Statement", [])
    return bool(statements) and all(s.get("Effect") == "Allow" for s in statements)


async def _refuse(websocket: WebSocket, status: int, body: str) -> None:
    """Refuse the upgrade with an HTTP status, as API Gateway does on a failed $connect."""
    try:
        await websocket.send_denial_response(Response(body, status_code=status))
    except RuntimeError:  # the server has no denial-response extension: plain close
        await websocket.close(code=1008, reason=body[:120])
