"""A function's role grants, read from a template: CDK's shapes, unresolvable parts, JSON."""

import copy
import logging

import pytest

from local.cloudformation.template import Resource, Template
from local.iam.actions import ApiEndpoint, required_permissions
from local.iam.evaluation import Permission
from local.iam.policies import RolePolicy, role_policies, websocket_endpoint

ACCOUNT = "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/VitrineStack-Catalog"
CONNECTIONS_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/VitrineStack-Connections"


def get_att(logical_id: str) -> dict:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def policy(roles: list, *statements: dict) -> dict:
    return {
        "PolicyDocument": {"Statement": list(statements), "Version": "2012-10-17"},
        "PolicyName": "p",
        "Roles": roles,
    }


# The shapes `cdk synth` gives a function with its own role, log group and grants.
RESOURCES = {
    "Catalog": (
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ]
        },
    ),
    "Connections": (
        "AWS::DynamoDB::Table",
        {"KeySchema": [{"AttributeName": "connectionId", "KeyType": "HASH"}]},
    ),
    "Logs": ("AWS::Logs::LogGroup", {}),
    "Api": ("AWS::ApiGatewayV2::Api", {}),
    "HandlerRole": ("AWS::IAM::Role", {"AssumeRolePolicyDocument": {}}),
    "Handler": (
        "AWS::Lambda::Function",
        {"Handler": "functions.chat.handlers.default.handler", "Role": get_att("HandlerRole")},
    ),
    "HandlerRoleDefaultPolicy1234": (
        "AWS::IAM::Policy",
        policy(
            [{"Ref": "HandlerRole"}],
            {
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Effect": "Allow",
                "Resource": get_att("Logs"),
            },
            {
                "Action": [
                    "dynamodb:BatchGetItem",
                    "dynamodb:GetItem",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                ],
                "Effect": "Allow",
                "Resource": [
                    get_att("Catalog"),
                    {"Fn::Join": ["", [get_att("Catalog"), "/index/*"]]},
                ],
            },
            {
                "Action": "execute-api:ManageConnections",
                "Effect": "Allow",
                "Resource": {
                    "Fn::Join": [
                        "",
                        [
                            "arn:",
                            {"Ref": "AWS::Partition"},
                            ":execute-api:",
                            {"Ref": "AWS::Region"},
                            ":",
                            {"Ref": "AWS::AccountId"},
                            ":",
                            {"Ref": "Api"},
                            "/live/*/@connections/*",
                        ],
                    ]
                },
            },
        ),
    ),
    # Another function's grants must not leak into this one's.
    "OtherRole": ("AWS::IAM::Role", {"AssumeRolePolicyDocument": {}}),
    "OtherRoleDefaultPolicy": (
        "AWS::IAM::Policy",
        policy(
            [{"Ref": "OtherRole"}],
            {"Action": "dynamodb:PutItem", "Effect": "Allow", "Resource": get_att("Catalog")},
        ),
    ),
}


@pytest.fixture
def template() -> Template:
    resources = {
        logical_id: Resource(logical_id, resource_type, copy.deepcopy(properties))
        for logical_id, (resource_type, properties) in RESOURCES.items()
    }
    template = Template(stack_name="VitrineStack", resources=resources)
    template.provide("Catalog", Ref="VitrineStack-Catalog", Arn=TABLE_ARN)
    template.provide("Connections", Ref="VitrineStack-Connections", Arn=CONNECTIONS_ARN)
    template.provide("Api", Ref="localapi")
    return template


def allowed(role: RolePolicy, action: str, resource: str) -> bool:
    return role.evaluate(Permission(action, resource)).allowed


def test_grants_of_the_cdk_default_policy_resolved(template):
    role = role_policies(template, "Handler")
    assert allowed(role, "dynamodb:GetItem", TABLE_ARN)
    assert allowed(role, "dynamodb:Query", f"{TABLE_ARN}/index/byHost")
    assert allowed(
        role,
        "execute-api:ManageConnections",
        f"arn:aws:execute-api:us-east-1:{ACCOUNT}:localapi/live/POST/@connections/abc",
    )
    assert not allowed(
        role,
        "execute-api:ManageConnections",
        f"arn:aws:execute-api:us-east-1:{ACCOUNT}:other/live/POST/@connections/abc",
    )


def test_grants_of_other_roles_do_not_count(template):
    assert not allowed(role_policies(template, "Handler"), "dynamodb:PutItem", TABLE_ARN)
    assert allowed(
        role_policies(template, "OtherHandler" if False else "Handler"),
        "dynamodb:GetItem",
        TABLE_ARN,
    )


def test_inline_policies_of_the_role(template):
    inline = {
        "PolicyName": "inline",
        "PolicyDocument": {
            "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]
        },
    }
    template.resources["HandlerRole"].properties["Policies"] = [inline]
    assert allowed(
        role_policies(template, "Handler"), "sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q"
    )


def test_a_managed_policy_of_the_template_attached_to_the_role(template):
    template.resources["Managed"] = Resource(
        "Managed",
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": "*"}]
            }
        },
    )
    template.resources["HandlerRole"].properties["ManagedPolicyArns"] = [{"Ref": "Managed"}]
    role = role_policies(template, "Handler")
    assert allowed(role, "events:PutEvents", "arn:aws:events:us-east-1:1:event-bus/default")
    assert role.unknown_managed_policies == ()


def test_aws_managed_policies_known_or_recorded_as_granting_nothing(template, caplog):
    partition = {"Ref": "AWS::Partition"}
    template.resources["HandlerRole"].properties["ManagedPolicyArns"] = [
        {
            "Fn::Join": [
                "",
                ["arn:", partition, ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
            ]
        },
        {"Fn::Join": ["", ["arn:", partition, ":iam::aws:policy/AmazonDynamoDBFullAccess"]]},
    ]
    with caplog.at_level(logging.WARNING, logger="vitrine.local.iam"):
        role = role_policies(template, "Handler")
    assert allowed(role, "logs:CreateLogGroup", "arn:aws:logs:us-east-1:1:log-group:x")
    assert role.unknown_managed_policies == ("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",)
    assert not allowed(role, "dynamodb:PutItem", TABLE_ARN)
    assert "AmazonDynamoDBFullAccess" in caplog.text


def test_an_unresolvable_resource_matches_nothing_and_is_logged_once(template, caplog):
    with caplog.at_level(logging.WARNING, logger="vitrine.local.iam"):
        role = role_policies(template, "Handler")
    assert not allowed(
        role, "logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:x:log-stream:y"
    )
    assert allowed(role, "dynamodb:GetItem", TABLE_ARN)  # the rest of the policy still applies
    assert sum("Arn of Logs" in record.getMessage() for record in caplog.records) == 1


def test_unresolvable_part_of_a_resource_list_keeps_the_others(template):
    template.attributes["Catalog"] = {"Ref": "VitrineStack-Catalog"}  # no Arn locally
    template.resources["HandlerRoleDefaultPolicy1234"].properties["PolicyDocument"]["Statement"][1][
        "Resource"
    ].append(CONNECTIONS_ARN)
    role = role_policies(template, "Handler")
    assert not allowed(role, "dynamodb:GetItem", TABLE_ARN)
    assert allowed(role, "dynamodb:GetItem", CONNECTIONS_ARN)


def test_role_and_session_names(template):
    role = role_policies(template, "Handler")
    assert role.role_arn == f"arn:aws:iam::{ACCOUNT}:role/VitrineStack-HandlerRole"
    assert role.function_name == "VitrineStack-Handler"
    assert (
        role.session_arn
        == f"arn:aws:sts::{ACCOUNT}:assumed-role/VitrineStack-HandlerRole/VitrineStack-Handler"
    )


def test_names_the_template_gives(template):
    template.resources["HandlerRole"].properties.update(RoleName="vitrine-chat", Path="/vitrine/")
    template.resources["Handler"].properties["FunctionName"] = "vitrine-default"
    role = role_policies(template, "Handler")
    assert role.role_arn == f"arn:aws:iam::{ACCOUNT}:role/vitrine/vitrine-chat"
    assert role.session_arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/vitrine-chat/vitrine-default"


def test_partition_keys_of_the_provisioned_tables(template):
    role = role_policies(template, "Handler")
    assert role.partition_keys == {
        "VitrineStack-Catalog": "pk",
        "VitrineStack-Connections": "connectionId",
    }


def test_json_round_trip_keeps_every_decision(template):
    template.resources["HandlerRoleDefaultPolicy1234"].properties["PolicyDocument"][
        "Statement"
    ].append(
        {
            "Effect": "Deny",
            "NotAction": "dynamodb:Get*",
            "NotResource": CONNECTIONS_ARN,
            "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["a"]}},
            "Sid": "NoWrites",
        }
    )
    role = role_policies(template, "Handler")
    shipped = RolePolicy.from_json(role.to_json())
    assert shipped == role


def test_a_role_outside_the_template_grants_nothing(template, caplog):
    template.resources["Handler"].properties["Role"] = "arn:aws:iam::123456789012:role/imported"
    with caplog.at_level(logging.WARNING, logger="vitrine.local.iam"):
        role = role_policies(template, "Handler")
    assert role.statements == ()
    assert role.role_arn == "arn:aws:iam::123456789012:role/imported"
    assert "not a role of the template" in caplog.text


@pytest.mark.infra
def test_the_synthesized_stack_grants_the_connect_handler_its_tables(default_stack):
    """Against the real template: CDK's grant shapes resolve once the tables exist."""
    template = Template.load(default_stack.template_path)
    for logical_id in default_stack.resources("AWS::DynamoDB::Table"):
        name = f"VitrineStack-{logical_id}"
        template.provide(
            logical_id, Ref=name, Arn=f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}"
        )
    connect = default_stack.logical_id("AWS::Lambda::Function", "ChatConnectHandler")
    role = role_policies(template, connect)
    catalog = default_stack.logical_id("AWS::DynamoDB::Table", "DataCatalogTable")
    connections = default_stack.logical_id("AWS::DynamoDB::Table", "DataConnectionsTable")
    catalog_arn = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/VitrineStack-{catalog}"
    connections_arn = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/VitrineStack-{connections}"
    assert allowed(role, "dynamodb:GetItem", catalog_arn)
    assert allowed(role, "dynamodb:Query", f"{catalog_arn}/index/anything")
    assert not allowed(role, "dynamodb:PutItem", catalog_arn)  # read only
    assert allowed(role, "dynamodb:PutItem", connections_arn)
    assert allowed(role, "xray:PutTraceSegments", "*")
    assert RolePolicy.from_json(role.to_json()) == role


def test_names_the_local_runtime_provided_win(template):
    """The local Lambda service records each function's name: the refusal must name it."""
    template.provide("Handler", Ref="VitrineStack-Handler-local")
    template.resources["Handler"].properties["FunctionName"] = "ignored-once-provided"
    assert role_policies(template, "Handler").function_name == "VitrineStack-Handler-local"


def test_websocket_endpoint_maps_the_local_url_to_the_templates_stage(template):
    template.resources["Api"].properties["ProtocolType"] = "WEBSOCKET"
    template.resources["Stage"] = Resource(
        "Stage", "AWS::ApiGatewayV2::Stage", {"ApiId": {"Ref": "Api"}, "StageName": "live"}
    )
    endpoint = websocket_endpoint(template, "http://127.0.0.1:8080/local")
    assert endpoint == ApiEndpoint("http://127.0.0.1:8080/local", api_id="localapi", stage="live")
    # With it, the handler's grant on `<api>/live/*/@connections/*` covers the local endpoint.
    (permission,) = required_permissions(
        "apigatewaymanagementapi",
        "PostToConnection",
        {"ConnectionId": "c1", "Data": b"{}"},
        region="us-east-1",
        account=ACCOUNT,
        endpoint_url="http://127.0.0.1:8080/local",
        api_endpoints=[endpoint],
    )
    assert role_policies(template, "Handler").evaluate(permission).allowed


def test_websocket_endpoint_none_without_a_websocket_api(template):
    assert websocket_endpoint(template, "http://127.0.0.1:8080/local") is None


@pytest.mark.infra
def test_the_synthesized_stack_lets_default_post_to_the_local_connections(default_stack):
    template = Template.load(default_stack.template_path)
    api = default_stack.logical_id("AWS::ApiGatewayV2::Api", "ChatApi")
    template.provide(api, Ref="local-ws")
    endpoint = websocket_endpoint(template, "http://127.0.0.1:8080/local")
    assert endpoint is not None
    handler = default_stack.logical_id("AWS::Lambda::Function", "ChatDefaultHandler")
    role = role_policies(template, handler)
    (post,) = required_permissions(
        "apigatewaymanagementapi",
        "PostToConnection",
        {"ConnectionId": "c1"},
        region="us-east-1",
        account=ACCOUNT,
        endpoint_url="http://127.0.0.1:8080/local",
        api_endpoints=[endpoint],
    )
    assert role.evaluate(post).allowed
    # $default holds only its @connections grant: the catalog stays out of its reach.
    (read,) = required_permissions(
        "dynamodb",
        "GetItem",
        {"TableName": "VitrineStack-Catalog", "Key": {}},
        region="us-east-1",
        account=ACCOUNT,
    )
    assert not role.evaluate(read).allowed
