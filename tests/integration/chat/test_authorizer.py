"""The $connect authorizer with real tokens from the embedded Cognito."""

import os

import pytest

from functions.chat.handlers import authorize
from functions.common import aws
from local.seed import STAFF_PASSWORD, seed_staff

pytestmark = pytest.mark.integration

AUTHORIZER = "functions.chat.handlers.authorize.handler"
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:api/live/$connect"


@pytest.fixture(scope="module")
def tokens(provisioned) -> dict[str, str]:
    cognito = aws.client("cognito-idp")
    pool, client = os.environ["VITRINE_USER_POOL_ID"], os.environ["VITRINE_USER_POOL_CLIENT_ID"]
    seed_staff(cognito, pool)
    cognito.admin_create_user(UserPoolId=pool, Username="shopper", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="shopper", Password=STAFF_PASSWORD, Permanent=True
    )  # a user of the pool who is in no staff group
    return {
        username: cognito.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": STAFF_PASSWORD},
        )["AuthenticationResult"]["IdToken"]
        for username in ("admin", "hana", "shopper")
    }


@pytest.fixture
def authorize_with(as_function, lambda_context):
    def run(token: str | None) -> dict:
        query = {"show": "demo-show", "viewer": "v-1"} | ({"token": token} if token else {})
        event = {"type": "REQUEST", "methodArn": METHOD_ARN, "queryStringParameters": query}
        with as_function(AUTHORIZER):
            return authorize.handler(event, lambda_context)

    return run


def effect(policy: dict) -> str:
    (statement,) = policy["policyDocument"]["Statement"]
    assert statement["Resource"] == METHOD_ARN
    return statement["Effect"]


def test_a_viewer_without_a_token_comes_in_as_a_viewer(authorize_with):
    policy = authorize_with(None)
    assert effect(policy) == "Allow"
    assert policy["context"]["role"] == "viewer"


@pytest.mark.parametrize(("username", "role"), [("admin", "admin"), ("hana", "host")])
def test_staff_come_in_with_their_role(authorize_with, tokens, username, role):
    policy = authorize_with(tokens[username])
    assert effect(policy) == "Allow"
    assert policy["context"] == {"role": role, "username": username}
    assert policy["principalId"] not in ("viewer", username)  # the token's subject


def test_a_tampered_token_or_a_non_staff_user_is_denied(authorize_with, tokens):
    assert effect(authorize_with(tokens["hana"][:-6] + "AAAAAA")) == "Deny"
    assert effect(authorize_with("not-a-jwt")) == "Deny"
    assert effect(authorize_with(tokens["shopper"])) == "Deny"
