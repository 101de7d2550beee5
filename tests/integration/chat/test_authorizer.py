"""The $connect authorizer with real tokens from the embedded Cognito."""

import pytest

from functions.chat.handlers import authorize
from tests.integration.conftest import StaffMember

pytestmark = pytest.mark.integration

AUTHORIZER = "functions.chat.handlers.authorize.handler"
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:api/live/$connect"


@pytest.fixture(scope="module")
def staff(new_staff) -> dict[str, StaffMember]:
    """An admin, a host, and a user of the pool who is in no staff group."""
    return {"admin": new_staff("admin"), "host": new_staff("host"), "shopper": new_staff(None)}


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
    assert policy["context"]["show_id"] == "demo-show"  # every frame's room read needs it


@pytest.mark.parametrize("role", ["admin", "host"])
def test_staff_come_in_with_their_role(authorize_with, staff, role):
    member = staff[role]
    policy = authorize_with(member.token)
    assert effect(policy) == "Allow"
    assert policy["context"] == {"role": role, "username": member.username, "show_id": "demo-show"}
    assert policy["principalId"] not in ("viewer", member.username)  # the token's subject


def test_a_tampered_token_or_a_non_staff_user_is_denied(authorize_with, staff):
    assert effect(authorize_with(staff["host"].token[:-6] + "AAAAAA")) == "Deny"
    assert effect(authorize_with("not-a-jwt")) == "Deny"
    assert effect(authorize_with(staff["shopper"].token)) == "Deny"
