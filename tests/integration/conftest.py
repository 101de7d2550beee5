"""Integration fixtures: the embedded AWS provisioned from the synthesized template, exactly as
`make dev` provisions it, and API Gateway-shaped events for the handlers."""

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from functions.common import aws
from local.awslambda.context import LambdaContext
from local.awslambda.functions import provide_functions
from local.cloudformation.template import Template
from local.embedded_aws import provision as embedded_aws

TEST_PASSWORD = "Vitrine-tests-2026!"  # meets the pool's default password policy


@pytest.fixture(scope="session")
def provisioned(aws_endpoint, template_path) -> Template:
    """Tables, buckets, the user pool and the channel, created from the template; the
    functions' environment exported into this process (where the handlers run)."""
    template = Template.load(template_path, region=aws.region())
    provide_functions(template)
    embedded_aws.provision(template, aws.client)
    apply_environment(template)
    return template


def apply_environment(template: Template) -> None:
    """Export the union of the functions' environments into this process, where these tests
    call handlers directly (the local runtime never does this: each worker has its own).
    `as_function` then narrows it to one function's variables."""
    for variables in template.function_environments().values():
        for name, value in variables.items():
            if name.startswith("VITRINE_"):
                os.environ[name] = value


@pytest.fixture
def as_function(provisioned) -> Callable[[str], contextlib.AbstractContextManager]:
    """`with as_function(handler):` runs the block with exactly the Vitrine settings that the
    template gives that handler's function, as in AWS; a variable its construct forgot fails
    the test instead of borrowing another function's."""
    environments = provisioned.function_environments()

    @contextlib.contextmanager
    def running_as(handler: str) -> Iterator[None]:
        saved = dict(os.environ)
        for name in [name for name in os.environ if name.startswith("VITRINE_")]:
            del os.environ[name]
        os.environ.update(environments[handler])
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)

    return running_as


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext(
        function_name="test",
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:test",
    )


def websocket_event(route_key: str, connection_id: str, **extra) -> dict:
    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE")
    context = {
        "routeKey": route_key,
        "eventType": event_type,
        "connectionId": connection_id,
        "domainName": "abc.execute-api.us-east-1.amazonaws.com",
        "stage": "prod",
        "apiId": "abc",
        "requestId": uuid.uuid4().hex,
    }
    context |= extra.pop("requestContext", {})
    return {"requestContext": context, "isBase64Encoded": False} | extra


def rest_event(method: str, resource: str, path: str, *, body=None, headers=None, query=None):
    params = {}
    for template_part, actual in zip(resource.split("/"), path.split("/"), strict=True):
        if template_part.startswith("{"):
            params[template_part.strip("{}")] = actual
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": "application/json"} | (headers or {}),
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": uuid.uuid4().hex,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "pytest"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


@dataclass(frozen=True)
class StaffMember:
    username: str
    token: str  # a real ID token from the embedded Cognito


@pytest.fixture(scope="session")
def new_staff(provisioned) -> Callable[[str | None], StaffMember]:
    """`new_staff("host")`: a user of the pool created for this test run (a unique name, so a
    kept endpoint never holds it already), in that group (None: in no group), signed in."""
    cognito = aws.client("cognito-idp")
    pool = provisioned.resolve(
        {"Ref": next(provisioned.of_type("AWS::Cognito::UserPool")).logical_id}
    )
    client = provisioned.resolve(
        {"Ref": next(provisioned.of_type("AWS::Cognito::UserPoolClient")).logical_id}
    )

    def create(group: str | None) -> StaffMember:
        username = f"{group or 'shopper'}-{uuid.uuid4().hex[:10]}"
        cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")
        cognito.admin_set_user_password(
            UserPoolId=pool, Username=username, Password=TEST_PASSWORD, Permanent=True
        )
        if group:
            cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
        answer = cognito.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": TEST_PASSWORD},
        )
        return StaffMember(username, answer["AuthenticationResult"]["IdToken"])

    return create
