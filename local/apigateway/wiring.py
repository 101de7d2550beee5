"""How the template wires API Gateway to functions: which function serves which WebSocket
route, the `$connect` authorizer, and the REST API's resources and methods.

Read from the template, so the local gateway cannot drift from what `cdk deploy` creates.
Functions are named by their logical id, which the local Lambda service accepts."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from local.cloudformation.template import Template


@dataclass(frozen=True)
class WebSocketWiring:
    routes: dict[str, str]  # route key ($connect, $disconnect, $default, actions) -> function
    authorizer: str | None  # the function of the $connect authorizer
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


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every mapping inside a template value, depth first."""
    if isinstance(value, dict):
        yield value
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def _function_handler(template: Template, value: Any) -> str | None:
    """The logical id of the Lambda function that `value` (an integration URI) points at."""
    for node in _nodes(value):
        target = node.get("Fn::GetAtt")
        if isinstance(target, list) and target[0] in template.resources:
            resource = template.resources[target[0]]
            if resource.type == "AWS::Lambda::Function":
                return resource.logical_id
    return None


def _referenced_id(value: Any) -> str:
    """The logical id in `{"Ref": id}`, also inside `integrations/${Ref}` joins."""
    return next((node["Ref"] for node in _nodes(value) if "Ref" in node), "")


def websocket_wiring(template: Template) -> WebSocketWiring | None:
    """The WebSocket API's wiring; None when the template has no WebSocket API."""
    apis = [
        api
        for api in template.of_type("AWS::ApiGatewayV2::Api")
        if api.properties.get("ProtocolType") == "WEBSOCKET"
    ]
    if not apis:
        return None
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


@dataclass(frozen=True)
class RestResource:
    path: str  # e.g. /shows/{show_id}
    methods: dict[str, str]  # HTTP method -> function (proxy integrations only)
    pattern: re.Pattern[str]
    # HTTP method -> the user pool ARN of its Cognito authorizer (methods that have one)
    user_pools: dict[str, str] = field(default_factory=dict)

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.match(path)
        return None if found is None else found.groupdict()


def _path_pattern(path: str) -> re.Pattern[str]:
    """`/shows/{show_id}` -> a regex capturing show_id, as API Gateway matches resources."""
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$")


def rest_resources(template: Template) -> list[RestResource]:
    """The REST API's resources with their Lambda proxy methods, most specific first (like
    API Gateway, a literal segment wins over a {parameter} at the same position).

    OPTIONS methods with a MOCK integration are CORS preflights: the gateway answers those."""
    resources = {r.logical_id: r for r in template.of_type("AWS::ApiGateway::Resource")}

    def path_of(reference: Any) -> str:
        logical_id = reference.get("Ref") if isinstance(reference, dict) else None
        if logical_id not in resources:
            return ""  # the API's root resource (GetAtt RootResourceId)
        resource = resources[logical_id]
        return f"{path_of(resource.properties['ParentId'])}/{resource.properties['PathPart']}"

    methods: dict[str, dict[str, str]] = {}
    user_pools: dict[str, dict[str, str]] = {}
    for method in template.of_type("AWS::ApiGateway::Method"):
        function = _function_handler(template, method.properties.get("Integration", {}))
        if function is None:
            continue
        path = path_of(method.properties.get("ResourceId")) or "/"
        verb = method.properties["HttpMethod"]
        methods.setdefault(path, {})[verb] = function
        if pool := _user_pool_of(template, method):
            user_pools.setdefault(path, {})[verb] = pool
    ordered = sorted(methods, key=lambda path: [part.startswith("{") for part in path.split("/")])
    return [
        RestResource(path, methods[path], _path_pattern(path), user_pools.get(path, {}))
        for path in ordered
    ]


def _user_pool_of(template: Template, method: Any) -> str | None:
    """The user pool ARN of a method's COGNITO_USER_POOLS authorizer (resolved: call once the
    pool is provisioned), or None for a method without one."""
    if method.properties.get("AuthorizationType") != "COGNITO_USER_POOLS":
        return None
    authorizer = template.resources[_referenced_id(method.properties["AuthorizerId"])]
    (pool,) = authorizer.properties["ProviderARNs"]  # Vitrine has one staff pool
    return str(template.resolve(pool))
