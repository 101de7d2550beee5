"""The REST API's authorization matrix: every staff operation (from OPERATIONS, so a new one is
covered without a change here) by every kind of caller, through the local gateway, which runs
API Gateway's Cognito authorizer from the template before the function.

- no token, or a forged one: the authorizer answers 401 itself (`{"message": "Unauthorized"}`),
  the function never runs;
- a real token of a user in no staff group (what a viewer signed in to the pool would hold):
  the authorizer lets it through, the function answers 401 (`unauthorized`);
- a moderator: 403 `forbidden` where the operation's `staff` leaves moderators out;
- a host, an admin: past authorization (any answer but 401/403: the made-up ids and the empty
  bodies may still be refused on their merits, 404 or 400)."""

import uuid

import boto3
import httpx
import pytest

import functions.cart.app  # noqa: F401  (registers every blueprint's operations)
from functions.cart.handlers.api import OPERATIONS, Operation
from functions.common.events import StaffRole
from local.seed import STAFF_PASSWORD

pytestmark = pytest.mark.e2e

STAFF_OPERATIONS = [operation for operation in OPERATIONS if operation.staff]
CALLERS = ("anonymous", "forged", "no_staff_group", "moderator", "host", "admin")
GATEWAY_401 = {"message": "Unauthorized"}


@pytest.fixture(scope="module")
def no_staff_group_token(vitrine) -> str:
    """A confirmed user of the pool in no group, signed in: the pool allows it."""
    config = vitrine.config()
    cognito = boto3.client("cognito-idp", endpoint_url=vitrine.aws_endpoint)
    username = f"shopper-{uuid.uuid4().hex[:10]}"
    pool = config["userPoolId"]
    cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=username, Password=STAFF_PASSWORD, Permanent=True
    )
    answer = cognito.initiate_auth(
        ClientId=config["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": STAFF_PASSWORD},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


@pytest.fixture(scope="module")
def credentials(tokens, no_staff_group_token) -> dict[str, str | None]:
    header, payload, signature = tokens["admin"].split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"  # an admin's claims, not the pool's key
    return {
        "anonymous": None,
        "forged": forged,
        "no_staff_group": no_staff_group_token,
        "moderator": tokens["moderator"],
        "host": tokens["host"],
        "admin": tokens["admin"],
    }


def may(caller: str, operation: Operation) -> bool:
    """What the declaration grants: admins everything, other staff their listed roles."""
    return caller == "admin" or (
        caller in {role.value for role in StaffRole} and StaffRole(caller) in operation.staff
    )


def test_the_matrix_covers_the_staff_operations():
    assert len(STAFF_OPERATIONS) >= 10
    assert {op.path for op in STAFF_OPERATIONS} >= {"/products", "/promos", "/shows"}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("operation", STAFF_OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
def test_only_the_roles_an_operation_names_get_past_authorization(
    vitrine, credentials, operation, caller
):
    path = operation.path
    for name in ("show_id", "sku", "variant_sku", "code"):
        path = path.replace(f"{{{name}}}", f"authz-{uuid.uuid4().hex[:8]}")
    token = credentials[caller]
    headers = {"authorization": f"Bearer {token}"} if token else {}
    answer = httpx.request(
        operation.method,
        f"{vitrine.base_url}/api{path}",
        headers=headers,
        json={} if operation.body is not None else None,
        timeout=30,
    )
    status = answer.status_code
    if caller in ("anonymous", "forged"):
        assert (status, answer.json()) == (401, GATEWAY_401), answer.text
    elif caller == "no_staff_group":
        assert (status, answer.json()["code"]) == (401, "unauthorized"), answer.text
    elif may(caller, operation):
        assert status not in (401, 403), answer.text
    else:
        assert (status, answer.json()["code"]) == (403, "forbidden"), answer.text
