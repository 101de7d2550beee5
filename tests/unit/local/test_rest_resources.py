"""The REST API's routes come from the template's resources and methods."""

from local.apigateway.wiring import rest_resources
from local.cloudformation.template import Resource, Template


def _proxy(function: str) -> dict[str, object]:
    arn = {"Fn::GetAtt": [function, "Arn"]}
    return {"Type": "AWS_PROXY", "Uri": {"Fn::Join": ["", ["arn:...:functions/", arn]]}}


def _resource(logical_id: str, parent: dict[str, object], part: str) -> Resource:
    properties = {"ParentId": parent, "PathPart": part}
    return Resource(logical_id, "AWS::ApiGateway::Resource", properties)


def _method(logical_id: str, verb: str, resource: str, integration: dict[str, object]) -> Resource:
    properties = {"HttpMethod": verb, "ResourceId": {"Ref": resource}, "Integration": integration}
    return Resource(logical_id, "AWS::ApiGateway::Method", properties)


def test_routes_are_the_templates_resources_most_specific_first() -> None:
    root = {"Fn::GetAtt": ["Api", "RootResourceId"]}
    resources = [
        Resource("Fn", "AWS::Lambda::Function", {"Handler": "functions.cart.app.app"}),
        _resource("Shows", root, "shows"),
        _resource("Show", {"Ref": "Shows"}, "{show_id}"),
        _resource("Live", {"Ref": "Shows"}, "live"),
        _method("ShowGet", "GET", "Show", _proxy("Fn")),
        _method("LiveGet", "GET", "Live", _proxy("Fn")),
        _method("ShowsPost", "POST", "Shows", _proxy("Fn")),
        _method("ShowsOptions", "OPTIONS", "Shows", {"Type": "MOCK"}),  # a preflight: no function
    ]
    template = Template("Stack", {r.logical_id: r for r in resources})
    routes = rest_resources(template)
    assert [route.path for route in routes] == ["/shows", "/shows/live", "/shows/{show_id}"]
    assert routes[0].methods == {"POST": "Fn"}
    assert routes[1].match("/shows/live") == {}
    assert routes[2].match("/shows/abc") == {"show_id": "abc"}
    assert routes[2].match("/shows/abc/extra") is None


def test_a_method_with_a_cognito_authorizer_names_its_user_pool() -> None:
    root = {"Fn::GetAtt": ["Api", "RootResourceId"]}
    pool_arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Staff"
    resources = [
        Resource("Fn", "AWS::Lambda::Function", {"Handler": "functions.cart.app.app"}),
        Resource("Pool", "AWS::CognitoUserPool", {}),
        Resource(
            "Staff",
            "AWS::ApiGateway::Authorizer",
            {"Type": "COGNITO_USER_POOLS", "ProviderARNs": [{"Fn::GetAtt": ["Pool", "Arn"]}]},
        ),
        _resource("Shows", root, "shows"),
        _method("ShowsGet", "GET", "Shows", _proxy("Fn")),
        _method("ShowsPost", "POST", "Shows", _proxy("Fn")),
    ]
    post = resources[-1].properties
    post |= {"AuthorizationType": "COGNITO_USER_POOLS", "AuthorizerId": {"Ref": "Staff"}}
    template = Template("Stack", {r.logical_id: r for r in resources})
    template.provide("Pool", Ref="eu-west-1_Staff", Arn=pool_arn)

    (shows,) = rest_resources(template)

    assert shows.user_pools == {"POST": pool_arn}  # GET stays open
