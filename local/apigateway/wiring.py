"""Runs the real Lambda handlers in-process, wired the way the template wires them in AWS.

Which handler serves which WebSocket route, the `$connect` authorizer and the REST API are read
from the template, so the local gateway cannot drift from what `cdk deploy` creates."""

import importlib
import json
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from anyio import to_thread

from local.cloudformation.template import Template

Handler = Callable[[dict, Any], Any]


@dataclass
class LocalLambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 256
    timeout_ms: int = 30_000
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.timeout_ms - int((time.monotonic() - self.started) * 1000))


def load_handler(path: str) -> Handler:
    """`functions.chat.handlers.connect.handler` -> the callable it names."""
    module_name, _, attribute = path.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


# One invocation at a time per function, as in one Lambda execution environment: Powertools'
# logger context and metrics buffer belong to the invocation in progress.
_environments: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


async def invoke(path: str, event: dict) -> Any:
    """Invoke a handler in a worker thread: handlers block on AWS calls, the gateway must not."""
    handler = load_handler(path)
    context = LocalLambdaContext(function_name=path.rsplit(".", 2)[-2])

    def run() -> Any:
        with _environments[path]:
            return handler(event, context)

    return await to_thread.run_sync(run)


@dataclass(frozen=True)
class WebSocketWiring:
    routes: dict[str, str]  # route key ($connect, $disconnect, $default, actions) -> handler
    authorizer: str | None  # handler of the $connect authorizer
    identity_sources: tuple[str, ...]  # e.g. route.request.querystring.show
    selection_expression: str  # e.g. $request.body.action

    @property
    def selection_field(self) -> str:
        """The body field that selects the route; the only expression form Vitrine uses."""
        prefix = "$request.body."
        if not self.selection_expression.startswith(prefix):
            raise ValueError(f"unsupported route selection {self.selection_expression!r}")
        return self.selection_expression.removeprefix(prefix)

    def route_for_frame(self, body: str) -> str | None:
        """The route key API Gateway would pick for a text frame (None: no route matches)."""
        try:
            selected = json.loads(body).get(self.selection_field)
        except (ValueError, AttributeError):
            selected = None  # not a JSON object
        if isinstance(selected, str) and selected in self.routes and selected[:1] != "$":
            return selected
        return "$default" if "$default" in self.routes else None

    def missing_identity(self, query: dict[str, str], headers: dict[str, str]) -> bool:
        """True when an identity source is absent: API Gateway then answers 401 itself,
        without invoking the authorizer."""
        for source in self.identity_sources:
            kind, _, name = source.removeprefix("route.request.").partition(".")
            present = query if kind == "querystring" else headers
            if not present.get(name if kind == "querystring" else name.lower()):
                return True
        return False


def _nodes(value: Any) -> Iterator[dict]:
    """Every mapping inside a template value, depth first."""
    if isinstance(value, dict):
        yield value
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def _function_handler(template: Template, value: Any) -> str | None:
    """The handler of the Lambda function that `value` (an integration URI) points at."""
    for node in _nodes(value):
        target = node.get("Fn::GetAtt")
        if isinstance(target, list) and target[0] in template.resources:
            resource = template.resources[target[0]]
            if resource.type == "AWS::Lambda::Function":
                return resource.properties.get("Handler")
    return None


def _referenced_id(value: Any) -> str:
    """The logical id in `{"Ref": id}`, also inside `integrations/${Ref}` joins."""
    return next((node["Ref"] for node in _nodes(value) if "Ref" in node), "")


def websocket_wiring(template: Template) -> WebSocketWiring:
    apis = [
        api
        for api in template.of_type("AWS::ApiGatewayV2::Api")
        if api.properties.get("ProtocolType") == "WEBSOCKET"
    ]
    if len(apis) != 1:
        raise ValueError(f"expected one WebSocket API in the template, found {len(apis)}")
    routes: dict[str, str] = {}
    authorizer: str | None = None
    identity_sources: tuple[str, ...] = ()
    for route in template.of_type("AWS::ApiGatewayV2::Route"):
        integration = template.resources.get(_referenced_id(route.properties.get("Target")))
        handler = integration and _function_handler(
            template, integration.properties.get("IntegrationUri")
        )
        if handler:
            routes[route.properties["RouteKey"]] = handler
        if route.properties.get("RouteKey") == "$connect" and route.properties.get("AuthorizerId"):
            found = template.resources[_referenced_id(route.properties["AuthorizerId"])]
            authorizer = _function_handler(template, found.properties["AuthorizerUri"])
            identity_sources = tuple(found.properties.get("IdentitySource", ()))
    return WebSocketWiring(
        routes=routes,
        authorizer=authorizer,
        identity_sources=identity_sources,
        selection_expression=apis[0].properties.get("RouteSelectionExpression", ""),
    )


def rest_handler(template: Template) -> str:
    """The handler behind the REST API's methods (the one Chalice app)."""
    handlers = {
        handler
        for method in template.of_type("AWS::ApiGateway::Method")
        if (handler := _function_handler(template, method.properties.get("Integration", {})))
    }
    if len(handlers) != 1:
        raise ValueError(f"expected the REST API to have one handler, found {sorted(handlers)}")
    return handlers.pop()
