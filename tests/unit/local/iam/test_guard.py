"""The guard in this process, on stubbed clients (no network): refusals look like AWS's.

Each test removes the guard again, so the botocore patch does not outlive it."""

import logging
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.stub import Stubber

from local.iam.evaluation import Permission, Statement
from local.iam.guard import install_guard, refusal_message, remove_guard
from local.iam.policies import RolePolicy

ACCOUNT = "123456789012"
TABLE_A = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/A"
ROLE = RolePolicy(
    role_arn=f"arn:aws:iam::{ACCOUNT}:role/VitrineStack-HandlerRole",
    function_name="VitrineStack-Handler",
    statements=(
        Statement.from_document(
            {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": TABLE_A}
        ),
        Statement.from_document(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
        ),
        Statement.from_document(
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret"}
        ),
    ),
)


@pytest.fixture
def guard() -> Iterator[None]:
    install_guard(ROLE, region="us-east-1", account=ACCOUNT)
    yield
    remove_guard()


def stubbed(service: str):
    client = boto3.client(service, region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    return client, Stubber(client)


def test_allowed_call_goes_through(guard):
    dynamodb, stubber = stubbed("dynamodb")
    stubber.add_response("put_item", {})
    with stubber:
        dynamodb.put_item(TableName="A", Item={"pk": {"S": "1"}})
    stubber.assert_no_pending_responses()


def test_refused_call_raises_dynamodbs_access_denied_and_is_not_sent(guard, caplog):
    dynamodb, stubber = stubbed("dynamodb")
    stubber.add_response("put_item", {})
    with (
        stubber,
        caplog.at_level(logging.WARNING, logger="vitrine.local.iam"),
        pytest.raises(ClientError) as refused,
    ):
        dynamodb.put_item(TableName="B", Item={"pk": {"S": "1"}})
    error = refused.value.response
    assert error["Error"]["Code"] == "AccessDeniedException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/VitrineStack-HandlerRole/VitrineStack-Handler"
        " is not authorized to perform: dynamodb:PutItem on resource: "
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/B because no identity-based policy allows"
        " the dynamodb:PutItem action"
    )
    with stubber:  # the refused call was not sent: the stubbed answer is still there
        dynamodb.put_item(TableName="A", Item={"pk": {"S": "1"}})
    stubber.assert_no_pending_responses()
    assert "dynamodb:PutItem" in caplog.text
    assert f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/B" in caplog.text


def test_s3_refusal_is_access_denied_403_and_names_an_explicit_deny(guard):
    s3, stubber = stubbed("s3")
    with stubber, pytest.raises(ClientError) as refused:
        s3.get_object(Bucket="b", Key="secret")
    error = refused.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "AccessDenied",
        403,
    )
    assert error["Error"]["Message"].endswith(
        "s3:GetObject on resource: arn:aws:s3:::b/secret"
        " with an explicit deny in an identity-based policy"
    )


def test_clients_made_before_the_guard_are_guarded_too():
    dynamodb, stubber = stubbed("dynamodb")
    install_guard(ROLE, region="us-east-1", account=ACCOUNT)
    try:
        with stubber, pytest.raises(ClientError):
            dynamodb.put_item(TableName="B", Item={"pk": {"S": "1"}})
    finally:
        remove_guard()


def test_unsigned_operations_need_no_grant(guard):
    cognito, stubber = stubbed("cognito-idp")
    stubber.add_response("initiate_auth", {})
    with stubber:
        cognito.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId="c", AuthParameters={})


def test_removed_guard_checks_nothing():
    install_guard(ROLE, region="us-east-1", account=ACCOUNT)
    remove_guard()
    dynamodb, stubber = stubbed("dynamodb")
    stubber.add_response("put_item", {})
    with stubber:
        dynamodb.put_item(TableName="B", Item={"pk": {"S": "1"}})


def test_refusal_message_without_a_resource():
    decision = ROLE.evaluate(Permission("states:SendTaskSuccess", None))
    message = refusal_message(ROLE, Permission("states:SendTaskSuccess", None), decision)
    assert message.endswith(
        "is not authorized to perform: states:SendTaskSuccess because no identity-based policy"
        " allows the states:SendTaskSuccess action"
    )


def test_malformed_parameters_get_botocores_own_error(guard):
    dynamodb, stubber = stubbed("dynamodb")
    with stubber, pytest.raises(ParamValidationError, match="TableName"):
        dynamodb.put_item(Item={"pk": {"S": "1"}})
