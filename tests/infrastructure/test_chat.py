"""infra/chat: the WebSocket API, its three routes, the $connect authorizer, the stage."""

from typing import Any

import pytest
from aws_cdk.assertions import Match

from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra

HANDLERS = {
    "$connect": "functions.chat.handlers.connect.handler",
    "$disconnect": "functions.chat.handlers.disconnect.handler",
    "$default": "functions.chat.handlers.default.handler",
}
AUTHORIZER = "functions.chat.handlers.authorize.handler"


def _function_id(synthesized: Synthesized, handler: str) -> str:
    (logical_id,) = (
        logical_id
        for logical_id, function in synthesized.resources("AWS::Lambda::Function").items()
        if function["Properties"].get("Handler") == handler
    )
    return logical_id


def _invokes(uri: dict[str, Any], function_id: str) -> bool:
    return {"Fn::GetAtt": [function_id, "Arn"]} in uri["Fn::Join"][1]


def test_the_api_routes_on_the_action_field(default_stack: Synthesized) -> None:
    default_stack.template.has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        {"ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.action"},
    )


def test_each_route_invokes_its_handler(default_stack: Synthesized) -> None:
    integrations = default_stack.resources("AWS::ApiGatewayV2::Integration")
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in default_stack.resources("AWS::ApiGatewayV2::Route").values()
    }

    assert set(routes) == set(HANDLERS)
    for route_key, handler in HANDLERS.items():
        integration_id = routes[route_key]["Target"]["Fn::Join"][1][1]["Ref"]
        integration = integrations[integration_id]["Properties"]
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert _invokes(integration["IntegrationUri"], _function_id(default_stack, handler)), (
            route_key
        )


def test_only_connect_is_authorized_by_the_show_authorizer(default_stack: Synthesized) -> None:
    (authorizer_id,) = default_stack.resources("AWS::ApiGatewayV2::Authorizer")
    authorizer = default_stack.body["Resources"][authorizer_id]["Properties"]
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in default_stack.resources("AWS::ApiGatewayV2::Route").values()
    }

    assert authorizer["AuthorizerType"] == "REQUEST"
    assert authorizer["IdentitySource"] == ["route.request.querystring.show"]
    assert _invokes(authorizer["AuthorizerUri"], _function_id(default_stack, AUTHORIZER))
    assert routes["$connect"]["AuthorizationType"] == "CUSTOM"
    assert routes["$connect"]["AuthorizerId"] == {"Ref": authorizer_id}
    assert "AuthorizerId" not in routes["$default"]
    assert "AuthorizerId" not in routes["$disconnect"]


def test_the_stage_deploys_itself_logs_access_and_throttles(default_stack: Synthesized) -> None:
    access_logs = default_stack.logical_id("AWS::Logs::LogGroup", "ChatAccessLogs")

    default_stack.template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": "live",
            "AutoDeploy": True,
            "AccessLogSettings": {
                "DestinationArn": {"Fn::GetAtt": [access_logs, "Arn"]},
                "Format": Match.string_like_regexp(r"\$context\.connectionId"),
            },
            "DefaultRouteSettings": {
                "ThrottlingRateLimit": Match.any_value(),
                "ThrottlingBurstLimit": Match.any_value(),
            },
        },
    )


def test_only_the_default_handler_may_post_to_connections(default_stack: Synthesized) -> None:
    default_role = default_stack.function(HANDLERS["$default"])["Properties"]["Role"]["Fn::GetAtt"][
        0
    ]
    manage_connections = {
        policy["Properties"]["Roles"][0]["Ref"]
        for policy in default_stack.resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "execute-api:ManageConnections" in statement["Action"]
    }

    assert manage_connections == {default_role}
