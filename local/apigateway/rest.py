"""The REST API: API Gateway's REST (v1 proxy) events for the functions behind its methods."""

import asyncio
import base64
import logging
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from functions.cart.logic.cors import preflight_headers
from local.apigateway.cognito import Unauthorized, verified_claims
from local.apigateway.events import ApiIdentity, now_ms
from local.apigateway.invoke import invoke_async
from local.apigateway.wiring import RestResource
from local.awslambda.invocation import Invoker

log = logging.getLogger("vitrine.gateway")


def api_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


class RestApi:
    def __init__(
        self,
        resources: list[RestResource],
        invoker: Invoker,
        api: ApiIdentity,
        allowed_origins: tuple[str, ...],
        aws_endpoint: str = "",
    ) -> None:
        self.resources = resources
        self.aws_endpoint = aws_endpoint  # where the Cognito authorizer fetches the pool's keys
        self.invoker = invoker
        self.api = api
        self.allowed_origins = allowed_origins

    def match(self, path: str) -> tuple[RestResource, dict[str, str]] | None:
        for resource in self.resources:
            parameters = resource.match(path)
            if parameters is not None:
                return resource, parameters
        return None

    async def handle(self, request: Request) -> Response:
        path = "/" + request.path_params["path"]
        found = self.match(path)
        if found is None or (
            request.method not in found[0].methods and request.method != "OPTIONS"
        ):
            # API Gateway's answer to a path or method it has no resource for.
            return api_error(403, "Missing Authentication Token")
        resource, path_parameters = found
        if request.method == "OPTIONS":  # the template's MOCK preflight integration
            origin = request.headers.get("origin")
            headers = preflight_headers(origin, self.allowed_origins, set(resource.methods))
            return Response(status_code=204, headers=headers)
        event = await self._event(request, resource, path, path_parameters)
        pool = resource.user_pools.get(request.method)
        if pool is not None:
            try:
                claims = await asyncio.to_thread(
                    verified_claims,
                    request.headers.get("authorization"),
                    pool_arn=pool,
                    aws_endpoint=self.aws_endpoint,
                )
            except Unauthorized:
                return api_error(401, "Unauthorized")
            event["requestContext"]["authorizer"] = {"claims": claims}
        invocation = await invoke_async(
            self.invoker, resource.methods[request.method], event, trigger="rest"
        )
        if invocation.failed:
            return api_error(502, "Internal server error")
        return proxy_response(invocation.payload)

    async def _event(
        self, request: Request, resource: RestResource, path: str, parameters: dict[str, str]
    ) -> dict[str, Any]:
        raw = await request.body()
        body: str | None = None
        is_base64 = False
        if raw:
            try:
                body = raw.decode()
            except UnicodeDecodeError:
                body, is_base64 = base64.b64encode(raw).decode(), True
        query = dict(request.query_params)
        return {
            "resource": resource.path,
            "path": path,
            "httpMethod": request.method,
            "headers": dict(request.headers),
            "multiValueHeaders": {k: request.headers.getlist(k) for k in request.headers},
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": {k: request.query_params.getlist(k) for k in query}
            or None,
            "pathParameters": parameters or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": resource.path,
                "httpMethod": request.method,
                "path": f"/{self.api.stage}{path}",
                "stage": self.api.stage,
                "requestId": uuid.uuid4().hex,
                "requestTimeEpoch": now_ms(),
                "accountId": self.api.account_id,
                "apiId": self.api.api_id,
                "protocol": "HTTP/1.1",
                "identity": {
                    "sourceIp": request.client.host if request.client else "127.0.0.1",
                    "userAgent": request.headers.get("user-agent", ""),
                },
            },
            "body": body,
            "isBase64Encoded": is_base64,
        }


def proxy_response(result: Any) -> Response:
    """The HTTP response a Lambda proxy result describes; API Gateway's 502 when the result is
    malformed (no statusCode, a body that is not a string, headers that are not strings)."""
    try:
        status = int(result["statusCode"])
        body = result.get("body") or ""
        if not isinstance(body, str):
            raise TypeError("body must be a string")
        content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        headers = [(str(k), _header_value(v)) for k, v in (result.get("headers") or {}).items()]
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers += [(str(name), _header_value(value)) for value in values]  # each its own
    except (KeyError, TypeError, ValueError, AttributeError):
        log.warning("a function returned a malformed proxy result: %.200r", result)
        return api_error(502, "Internal server error")
    response = Response(content, status_code=status)
    response.raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers]
    return response


def _header_value(value: Any) -> str:
    if not isinstance(value, str | int | float | bool):
        raise TypeError("header values must be scalars")
    return str(value).lower() if isinstance(value, bool) else str(value)
