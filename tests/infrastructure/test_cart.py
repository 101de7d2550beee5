"""infra/cart: the REST API mirrors the Chalice route table, resource by resource."""

from collections.abc import Iterable
from typing import Any

import pytest

from infra.cart.construct import CHALICE_HANDLER, HOLD_EXPIRY_HANDLER, chalice_routes, operations
from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra


def _resource_paths(synthesized: Synthesized) -> dict[str, str]:
    """Each AWS::ApiGateway::Resource's full path, by logical id."""
    resources = synthesized.resources("AWS::ApiGateway::Resource")

    def path(logical_id: str) -> str:
        properties = resources[logical_id]["Properties"]
        parent = properties["ParentId"]
        prefix = "" if "Fn::GetAtt" in parent else path(parent["Ref"])  # GetAtt: the root
        return f"{prefix}/{properties['PathPart']}"

    return {logical_id: path(logical_id) for logical_id in resources}


def _methods(synthesized: Synthesized) -> dict[tuple[str, str], dict[str, Any]]:
    paths = _resource_paths(synthesized)
    methods = {}
    for method in synthesized.resources("AWS::ApiGateway::Method").values():
        resource = method["Properties"]["ResourceId"]
        path = paths[resource["Ref"]] if "Ref" in resource else "/"
        methods[path, method["Properties"]["HttpMethod"]] = method["Properties"]
    return methods


def _with_parents(routes: Iterable[str]) -> set[str]:
    """The routes and the path segments above them (/studio of /studio/ingest), which API
    Gateway needs as resources of their own."""
    return {
        "/".join(path.split("/")[:depth])
        for path in routes
        for depth in range(2, path.count("/") + 2)
    }


def test_there_is_exactly_one_resource_per_chalice_route(default_stack: Synthesized) -> None:
    paths = list(_resource_paths(default_stack).values())

    assert set(paths) == _with_parents(chalice_routes())
    assert len(paths) == len(set(paths))
    assert not [path for path in paths if "+}" in path], "a greedy {proxy+} resource"


def test_each_chalice_method_invokes_the_chalice_app(default_stack: Synthesized) -> None:
    chalice_app = default_stack.logical_id("AWS::Lambda::Function", "CartChaliceApp")
    methods = _methods(default_stack)
    expected = {(path, method) for path, routes in chalice_routes().items() for method in routes}

    assert {key for key in methods if key[1] != "OPTIONS"} == expected
    for key in expected:
        integration = methods[key]["Integration"]
        assert integration["Type"] == "AWS_PROXY", key
        assert {"Fn::GetAtt": [chalice_app, "Arn"]} in integration["Uri"]["Fn::Join"][1], key
    assert default_stack.function(CHALICE_HANDLER)


def test_preflight_requests_answer_with_the_configured_origins(
    default_stack: Synthesized, custom_stack: Synthesized
) -> None:
    def allowed_origin(synthesized: Synthesized) -> str:
        options = _methods(synthesized)["/shows", "OPTIONS"]["Integration"]
        (response,) = options["IntegrationResponses"]
        return response["ResponseParameters"]["method.response.header.Access-Control-Allow-Origin"]

    assert allowed_origin(default_stack) == "'*'"
    # Several origins: API Gateway echoes the request's origin when it is one of them.
    assert allowed_origin(custom_stack) == "'https://shop.example.com'"
    (template,) = _methods(custom_stack)["/shows", "OPTIONS"]["Integration"][
        "IntegrationResponses"
    ][0]["ResponseTemplates"].values()
    assert "https://www.example.com" in template


def test_the_stage_logs_access_and_errors_traces_and_throttles(default_stack: Synthesized) -> None:
    access_logs = default_stack.logical_id("AWS::Logs::LogGroup", "CartAccessLogs")

    stage = default_stack.resource("AWS::ApiGateway::Stage", "CartRestApi")["Properties"]

    assert {"Ref": access_logs} in stage["AccessLogSetting"]["DestinationArn"]["Fn::Join"][1]
    assert stage["TracingEnabled"] is True
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in stage["MethodSettings"]}
    stage_wide = settings["/*", "*"]
    assert stage_wide["LoggingLevel"] == "ERROR"
    assert (stage_wide["ThrottlingRateLimit"], stage_wide["ThrottlingBurstLimit"]) == (200, 400)
    # API Gateway's account-wide logging role, which the WebSocket stage needs too.
    default_stack.template.resource_count_is("AWS::ApiGateway::Account", 1)
    account = default_stack.logical_id("AWS::ApiGateway::Account", "CartRestApi")
    assert account in default_stack.resource("AWS::ApiGatewayV2::Stage", "ChatStage")["DependsOn"]


def test_the_add_to_cart_routes_are_throttled_for_a_flash_sale(default_stack: Synthesized) -> None:
    """500 requests/s with a burst of 1,000: the one-item transaction rate DynamoDB sustains on a
    hot variant (docs/commerce.md); every other route keeps the stage's 200/400."""
    stage = default_stack.resource("AWS::ApiGateway::Stage", "CartRestApi")["Properties"]
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in stage["MethodSettings"]}
    flash_sale = {
        key: (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"])
        for key, setting in settings.items()
        if key != ("/*", "*")
    }

    # API Gateway writes "/" in a path setting as "~1".
    assert flash_sale == {
        ("/~1carts~1{cart_id}~1lines", "POST"): (500, 1000),
        ("/~1carts~1{cart_id}~1lines~1{sku}", "PUT"): (500, 1000),
    }


def test_staff_routes_need_a_cognito_id_token_and_viewer_routes_do_not(
    default_stack: Synthesized,
) -> None:
    """API Gateway refuses a staff call without a valid ID token before the function runs;
    Chalice still checks the caller's group (functions/common/auth.py), so the Authorization
    header must pass through and the browser's preflight must allow it."""
    authorizer = default_stack.logical_id("AWS::ApiGateway::Authorizer", "CartStaffAuthorizer")
    pool = default_stack.logical_id("AWS::Cognito::UserPool", "IdentityStaffPool")
    methods = _methods(default_stack)
    staff = {key for key, operation in operations().items() if operation.staff}

    assert ("/studio/ingest", "GET") in staff
    assert ("/shows", "POST") in staff
    assert ("/carts/{cart_id}/lines", "POST") not in staff
    properties = default_stack.resource("AWS::ApiGateway::Authorizer", authorizer)["Properties"]
    assert properties["Type"] == "COGNITO_USER_POOLS"
    assert properties["ProviderARNs"] == [{"Fn::GetAtt": [pool, "Arn"]}]
    for key, method in methods.items():
        if key in staff:
            assert method["AuthorizationType"] == "COGNITO_USER_POOLS", key
            assert method["AuthorizerId"] == {"Ref": authorizer}, key
        else:
            assert method["AuthorizationType"] == "NONE", key
    (preflight,) = methods["/studio/ingest", "OPTIONS"]["Integration"]["IntegrationResponses"]
    allowed = preflight["ResponseParameters"]["method.response.header.Access-Control-Allow-Headers"]
    assert "Authorization" in allowed.strip("'").split(",")


def test_the_stack_outputs_the_storefront_secret_for_the_brand_to_share(
    default_stack: Synthesized,
) -> None:
    """The brand's storefront verifies the webhook and signs order confirmations with it."""
    secret = default_stack.logical_id("AWS::SecretsManager::Secret", "CartStorefrontSecret")
    outputs = default_stack.body["Outputs"]

    assert outputs["StorefrontSecretArn"]["Value"] == {"Ref": secret}
    generated = default_stack.resource("AWS::SecretsManager::Secret", secret)["Properties"]
    assert generated["GenerateSecretString"] == {"ExcludePunctuation": True, "PasswordLength": 48}


@pytest.mark.parametrize("handler", [CHALICE_HANDLER, HOLD_EXPIRY_HANDLER])
def test_each_commerce_function_alarms_on_its_first_error_and_throttle(
    default_stack: Synthesized, handler: str
) -> None:
    function = {"FunctionName": {"Ref": default_stack.function_id(handler)}}
    for metric in ("Errors", "Throttles"):
        alarm = default_stack.alarm_on("AWS/Lambda", metric, function)
        assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 60, 1)
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_holds_alarm_when_they_would_release_stock_late_or_never(
    default_stack: Synthesized,
) -> None:
    def queue(prefix: str) -> dict[str, Any]:
        logical_id = default_stack.logical_id("AWS::SQS::Queue", prefix)
        return {"QueueName": {"Fn::GetAtt": [logical_id, "QueueName"]}}

    dead = default_stack.alarm_on(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", queue("CartHoldDeadLetters")
    )
    assert (dead["ComparisonOperator"], dead["Threshold"]) == ("GreaterThanThreshold", 0)
    late = default_stack.alarm_on("AWS/SQS", "ApproximateAgeOfOldestMessage", queue("CartHolds"))
    assert (late["Statistic"], late["Threshold"]) == ("Maximum", 960)  # SQS's 15 min delay + 1


def test_the_rest_api_alarms_on_5xx_answers(default_stack: Synthesized) -> None:
    api = default_stack.resource("AWS::ApiGateway::RestApi", "CartRestApi")
    alarm = default_stack.alarm_on(
        "AWS/ApiGateway", "5XXError", {"ApiName": api["Properties"]["Name"]}
    )
    assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 5)
