"""The local gateway: API Gateway's REST and WebSocket APIs, CloudFront's web/ and the HLS
stream, on one loopback port.

- `/api/...`      REST API: the Chalice app, invoked with API Gateway's REST (v1 proxy) event;
- `/ws`           WebSocket API: `$connect` (after its authorizer), routes, `$disconnect`;
- `/local/@connections/{id}`  the management API that handlers post to (POST, GET, DELETE);
- `/local/cognito/`           Cognito's JSON API for the browser's staff sign-in (embedded AWS);
- `/live/...`     the local IVS stand-in's live HLS; `/config.json` and web/ for the pages.
A handler that fails answers like API Gateway (502 / an error frame); the gateway never dies."""

import base64
import json
import logging
import mimetypes
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from functions.cart.logic.cors import preflight_headers
from functions.common.settings import Settings
from local.apigateway.connections import Client, ConnectionHub, new_connection_id, now_ms
from local.awslambda.wiring import WebSocketWiring, invoke, load_handler

log = logging.getLogger("vitrine.gateway")

for _type, _extension in (
    ("application/vnd.apple.mpegurl", ".m3u8"),
    ("video/mp2t", ".ts"),
    ("application/wasm", ".wasm"),
):
    mimetypes.add_type(_type, _extension)


@dataclass(frozen=True)
class GatewaySettings:
    host: str
    port: int
    web_dir: Path
    live_dir: Path
    runtime_config: dict[str, Any]  # served as /config.json
    aws_endpoint: str  # the embedded AWS, for the Cognito pass-through
    rest_handler: str  # e.g. functions.cart.app.app
    websocket: WebSocketWiring
    region: str = "us-east-1"
    account_id: str = "123456789012"
    stage: str = "local"
    api_id: str = "local"

    @property
    def domain_name(self) -> str:
        return f"{self.host}:{self.port}"


def _route_pattern(path: str) -> re.Pattern[str]:
    """`/shows/{show_id}` -> a regex capturing show_id, as API Gateway matches resources."""
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$")


_AMZ_JSON = "application/x-amz-json-1.1"
RestRoute = tuple[str, re.Pattern[str], set[str]]


def _match_route(routes: list[RestRoute], path: str) -> tuple[str, dict, set[str]] | None:
    """The resource path, path parameters and methods of the route matching `path`."""
    for resource, pattern, methods in routes:
        if match := pattern.match(path):
            return resource, match.groupdict(), methods
    return None


def _api_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


def create_gateway(settings: GatewaySettings, hub: ConnectionHub | None = None) -> Starlette:
    hub = hub or ConnectionHub()
    chalice_app = load_handler(settings.rest_handler)
    # Like API Gateway, a literal segment wins over a {parameter} at the same position.
    rest_routes: list[RestRoute] = [
        (path, _route_pattern(path), set(methods))
        for path, methods in sorted(
            chalice_app.routes.items(),
            key=lambda route: [part.startswith("{") for part in route[0].split("/")],
        )
    ]

    def request_context(
        connection_id: str,
        route_key: str,
        event_type: str,
        client_ip: str,
        user_agent: str,
        connected_at: int,
    ) -> dict:
        now = datetime.now(UTC)
        return {
            "routeKey": route_key,
            "eventType": event_type,
            "messageDirection": "IN",
            "connectionId": connection_id,
            "connectedAt": connected_at,
            "domainName": settings.domain_name,
            "stage": settings.stage,
            "apiId": settings.api_id,
            "requestId": uuid.uuid4().hex,
            "extendedRequestId": uuid.uuid4().hex,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": now_ms(),
            "identity": {"sourceIp": client_ip, "userAgent": user_agent},
        }

    async def rest(request: Request) -> Response:
        path = "/" + request.path_params["path"]
        found = _match_route(rest_routes, path)
        if found is None or (request.method not in found[2] and request.method != "OPTIONS"):
            # API Gateway's answer to a path or method it has no resource for.
            return _api_error(403, "Missing Authentication Token")
        resource, path_parameters, methods = found
        if request.method == "OPTIONS":  # API Gateway answers preflights itself
            allowed = Settings.from_env().allowed_origins
            origin = request.headers.get("origin")
            return Response(status_code=204, headers=preflight_headers(origin, allowed, methods))
        raw = await request.body()
        try:
            body, is_base64 = (raw.decode(), False) if raw else (None, False)
        except UnicodeDecodeError:
            body, is_base64 = base64.b64encode(raw).decode(), True
        query = dict(request.query_params)
        event = {
            "resource": resource,
            "path": path,
            "httpMethod": request.method,
            "headers": dict(request.headers),
            "multiValueHeaders": {k: request.headers.getlist(k) for k in request.headers},
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": {k: request.query_params.getlist(k) for k in query}
            or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": resource,
                "httpMethod": request.method,
                "path": f"/{settings.stage}{path}",
                "stage": settings.stage,
                "requestId": uuid.uuid4().hex,
                "requestTimeEpoch": now_ms(),
                "accountId": settings.account_id,
                "apiId": settings.api_id,
                "protocol": "HTTP/1.1",
                "identity": {
                    "sourceIp": request.client.host if request.client else "127.0.0.1",
                    "userAgent": request.headers.get("user-agent", ""),
                },
            },
            "body": body,
            "isBase64Encoded": is_base64,
        }
        try:
            result = await invoke(settings.rest_handler, event)
        except Exception:
            log.exception("REST handler failed on %s %s", request.method, path)
            return _api_error(502, "Internal server error")
        return _proxy_response(result)

    async def websocket_endpoint(websocket: WebSocket) -> None:
        connection_id = new_connection_id()
        client_ip = websocket.client.host if websocket.client else "127.0.0.1"
        user_agent = websocket.headers.get("user-agent", "")
        connected_at = now_ms()
        query = dict(websocket.query_params) or None
        headers = dict(websocket.headers)

        def context(route_key: str, event_type: str) -> dict:
            return request_context(
                connection_id, route_key, event_type, client_ip, user_agent, connected_at
            )

        authorizer_context = None
        if settings.websocket.missing_identity(query or {}, headers):
            await _refuse(websocket, 401, "Unauthorized")
            return
        if settings.websocket.authorizer:
            arn = (
                f"arn:aws:execute-api:{settings.region}:{settings.account_id}:"
                f"{settings.api_id}/{settings.stage}/$connect"
            )
            policy = await _safe_invoke(
                settings.websocket.authorizer,
                {
                    "type": "REQUEST",
                    "methodArn": arn,
                    "headers": headers,
                    "queryStringParameters": query,
                    "stageVariables": {},
                    "requestContext": context("$connect", "CONNECT"),
                },
            )
            if not _allows(policy):
                await _refuse(websocket, 403, "Forbidden")
                return
            authorizer_context = {**policy.get("context", {}), "principalId": policy["principalId"]}

        connect = settings.websocket.routes.get("$connect")
        if connect:
            request = context("$connect", "CONNECT") | {"authorizer": authorizer_context}
            result = await _safe_invoke(
                connect,
                {
                    "headers": headers,
                    "queryStringParameters": query,
                    "requestContext": request,
                    "isBase64Encoded": False,
                },
            )
            status = result.get("statusCode", 200) if isinstance(result, dict) else 500
            if not 200 <= status < 300:
                await _refuse(websocket, status, str(result.get("body", "")))
                return

        await websocket.accept()
        client = Client(connection_id, websocket, client_ip, user_agent)
        hub.add(client)
        close_code = 1000
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    close_code = message.get("code", 1000)
                    break
                client.last_active_at = datetime.now(UTC)
                if not await route_frame(client, message, context):
                    close_code = 1003
                    break
        except WebSocketDisconnect as disconnect:
            close_code = disconnect.code
        finally:
            await hub.remove(connection_id)
            disconnect = settings.websocket.routes.get("$disconnect")
            if disconnect:
                await _safe_invoke(
                    disconnect,
                    {
                        "headers": headers,
                        "requestContext": context("$disconnect", "DISCONNECT")
                        | {"disconnectStatusCode": close_code, "disconnectReason": ""},
                        "isBase64Encoded": False,
                    },
                )

    async def route_frame(client: Client, message: dict, context: Any) -> bool:
        """Invoke the frame's route; False when the client must be disconnected."""
        text = message.get("text")
        if text is None:  # API Gateway refuses binary frames by closing the connection
            await hub.disconnect(client.connection_id, 1003, "binary frames are not supported")
            return False
        request = context("$default", "MESSAGE")
        route_key = settings.websocket.route_for_frame(text)
        if route_key is None:
            hub.post(client.connection_id, _gateway_error("Forbidden", request))
            return True
        handler = settings.websocket.routes[route_key]
        event = {
            "requestContext": request | {"routeKey": route_key, "messageId": uuid.uuid4().hex},
            "body": text,
            "isBase64Encoded": False,
        }
        try:
            await invoke(handler, event)
        except Exception:
            log.exception("WebSocket handler %s failed", handler)
            hub.post(client.connection_id, _gateway_error("Internal server error", request))
        return True

    async def management(request: Request) -> Response:
        connection_id = request.path_params["connection_id"]
        client = hub.get(connection_id)
        if client is None:
            # boto3 raises GoneException from this header, as API Gateway sends it.
            return JSONResponse(
                {"message": None}, status_code=410, headers={"x-amzn-errortype": "GoneException"}
            )
        if request.method == "POST":
            hub.post(connection_id, await request.body())
            return Response(status_code=200)
        if request.method == "GET":
            return JSONResponse(hub.describe(client))
        await hub.disconnect(connection_id)
        return Response(status_code=204)

    async def cognito(request: Request) -> Response:
        # The browser signs staff in with Cognito's JSON API; moto serves it once it knows
        # which service is asked, which AWS tells it by the host name.
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(
                settings.aws_endpoint,
                content=await request.body(),
                headers={
                    "content-type": request.headers.get("content-type", _AMZ_JSON),
                    "x-amz-target": request.headers.get("x-amz-target", ""),
                    "host": f"cognito-idp.{settings.region}.amazonaws.com",
                },
            )
        return Response(
            answer.content,
            status_code=answer.status_code,
            media_type=answer.headers.get("content-type", _AMZ_JSON),
        )

    async def runtime_config(request: Request) -> JSONResponse:
        return JSONResponse(settings.runtime_config, headers={"cache-control": "no-store"})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "connections": len(hub)})

    app = Starlette(
        routes=[
            Route("/config.json", runtime_config),
            Route("/local/health", health),
            Route("/local/cognito/", cognito, methods=["POST"]),
            Route(
                f"/{settings.stage}/@connections/{{connection_id}}",
                management,
                methods=["POST", "GET", "DELETE"],
            ),
            Route(
                "/api/{path:path}",
                rest,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            ),
            WebSocketRoute("/ws", websocket_endpoint),
            Mount("/live", _LiveFiles(directory=settings.live_dir, check_dir=False)),
            Mount("/", StaticFiles(directory=settings.web_dir, html=True, check_dir=False)),
        ]
    )
    app.state.hub = hub
    return app


class _LiveFiles(StaticFiles):
    """Live playlists change every segment: never let the player cache them."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        if str(args[0] if args else kwargs.get("full_path", "")).endswith(".m3u8"):
            response.headers["cache-control"] = "no-cache, no-store"
        response.headers["access-control-allow-origin"] = "*"
        return response


async def _safe_invoke(handler: str, event: dict) -> dict:
    try:
        result = await invoke(handler, event)
    except Exception:
        log.exception("handler %s failed", handler)
        return {"statusCode": 500, "body": "Internal server error"}
    return result if isinstance(result, dict) else {}


def _allows(policy: dict) -> bool:
    statements = policy.get("policyDocument", {}).get("Statement", [])
    return bool(statements) and all(s.get("Effect") == "Allow" for s in statements)


async def _refuse(websocket: WebSocket, status: int, body: str) -> None:
    """Refuse the upgrade with an HTTP status, as API Gateway does on a failed $connect."""
    try:
        await websocket.send_denial_response(Response(body, status_code=status))
    except RuntimeError:  # the server has no denial-response extension: plain close
        await websocket.close(code=1008, reason=body[:120])


def _gateway_error(message: str, request_context: dict) -> str:
    """The frame API Gateway itself sends when a route fails or none matches."""
    return json.dumps(
        {
            "message": message,
            "connectionId": request_context["connectionId"],
            "requestId": request_context["requestId"],
        }
    )


def _proxy_response(result: Any) -> Response:
    if not isinstance(result, dict) or "statusCode" not in result:
        return _api_error(502, "Internal server error")
    headers = dict(result.get("headers") or {})
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(values)
    body = result.get("body") or ""
    content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return Response(content, status_code=int(result["statusCode"]), headers=headers)
