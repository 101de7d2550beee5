"""The local gateway: API Gateway's REST and WebSocket APIs, the control APIs functions call
(`@connections`, Lambda's Invoke, IVS), CloudFront's web/ and the live HLS, on one port.

- `/api/...`                    REST API (rest.py)
- `/ws`                         WebSocket API (websocket.py)
- `/local/@connections/{id}`    the management API functions post to (management.py)
- `/local/lambda/...`, `/local/ivs/...`   Lambda's Invoke API and IVS's, mounted by the runtime
- `/local/cognito/`             Cognito's JSON API for the browser's staff sign-in
- `/live/...`, `/config.json`, `/`        the local stream, the pages' config, web/ (with
  the headers of the template's CloudFront policy, local/cloudfront)
A function that fails is answered as API Gateway answers it; the gateway never dies."""

import ipaddress
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from local.apigateway.connections import ConnectionHub
from local.apigateway.events import ApiIdentity
from local.apigateway.management import ConnectionsApi
from local.apigateway.rest import RestApi
from local.apigateway.websocket import WebSocketApi
from local.apigateway.wiring import RestResource, WebSocketWiring
from local.awslambda.invocation import Invoker

for _type, _extension in (
    ("application/vnd.apple.mpegurl", ".m3u8"),
    ("video/mp2t", ".ts"),
    ("application/wasm", ".wasm"),
):
    mimetypes.add_type(_type, _extension)

_AMZ_JSON = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class GatewaySettings:
    host: str
    port: int
    web_dir: Path
    live_dir: Path
    runtime_config: dict[str, Any]  # served as /config.json
    aws_endpoint: str  # the embedded AWS: the Cognito pass-through and the pool's keys
    rest_resources: list[RestResource]
    websocket: WebSocketWiring | None
    allowed_origins: tuple[str, ...] = ("*",)
    site_headers: dict[str, str] = field(default_factory=dict)  # CloudFront's, on web/ files
    region: str = "us-east-1"
    account_id: str = "123456789012"
    stage: str = "local"
    rest_api_id: str = "local-rest"
    websocket_api_id: str = "local-ws"
    control_routes: Sequence[BaseRoute] = field(default_factory=list)  # Lambda, IVS APIs

    @property
    def domain_name(self) -> str:
        return f"{self.host}:{self.port}"

    def api(self, api_id: str) -> ApiIdentity:
        return ApiIdentity(api_id, self.stage, self.domain_name, self.region, self.account_id)


def create_gateway(settings: GatewaySettings, invoker: Invoker, hub: ConnectionHub) -> Starlette:
    rest = RestApi(
        settings.rest_resources,
        invoker,
        settings.api(settings.rest_api_id),
        settings.allowed_origins,
        settings.aws_endpoint,
    )
    websocket_routes: list[BaseRoute] = []
    if settings.websocket is not None:
        websocket = WebSocketApi(
            settings.websocket, invoker, settings.api(settings.websocket_api_id), hub
        )
        websocket_routes.append(WebSocketRoute("/ws", websocket.handle))

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
                ConnectionsApi(hub).handle,
                methods=["POST", "GET", "DELETE"],
            ),
            *settings.control_routes,
            Route(
                "/api/{path:path}",
                rest.handle,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            ),
            *websocket_routes,
            Mount("/live", _LiveFiles(directory=settings.live_dir, check_dir=False)),
            # Compressed as CloudFront compresses web/ (its default): page weight matches AWS.
            Mount(
                "/",
                _WithHeaders(
                    GZipMiddleware(
                        StaticFiles(directory=settings.web_dir, html=True, check_dir=False),
                        minimum_size=1024,
                    ),
                    settings.site_headers,
                ),
            ),
        ]
    )
    app.state.hub = hub
    control_paths = (f"/{settings.stage}/@connections/", "/local/lambda/", "/local/ivs/")
    app.add_middleware(ControlApiGuard, paths=control_paths)
    return app


class ControlApiGuard:
    """The APIs that functions call (@connections, Lambda's Invoke, IVS) take no credentials
    locally: they answer only this machine's programs, never a browser (a page on any site
    could POST to them) and never another host (`--host 0.0.0.0` serves a phone the pages)."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...]) -> None:
        self.app, self.paths = app, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.paths):
            client = scope.get("client") or ("", 0)
            from_browser = any(name == b"origin" for name, _ in scope["headers"])
            if from_browser or not ipaddress.ip_address(client[0] or "0.0.0.0").is_loopback:
                refusal = JSONResponse({"message": "Forbidden"}, status_code=403)
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _WithHeaders:
    """Adds the distribution's response headers (local/cloudfront) to the site's files."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(name.encode(), value.encode()) for name, value in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers if self.headers else send)


class _LiveFiles(StaticFiles):
    """Live playlists change every segment: never let the player cache them."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        if str(args[0] if args else kwargs.get("full_path", "")).endswith(".m3u8"):
            response.headers["cache-control"] = "no-cache, no-store"
        response.headers["access-control-allow-origin"] = "*"
        return response
