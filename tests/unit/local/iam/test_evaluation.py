"""IAM's policy evaluation: wildcards, Not*, explicit deny, conditions, and what is unknown."""

import logging

import pytest

from local.iam.evaluation import (
    UNRESOLVED_PREFIX,
    Decision,
    Permission,
    Statement,
    evaluate,
)

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Shows"


def statement(**document) -> Statement:
    return Statement.from_document({"Effect": "Allow", "Resource": "*"} | document, "test")


def decide(statements: list[Statement], action: str, resource: str | None = TABLE, **kwargs):
    return evaluate(statements, Permission(action, resource, **kwargs))


def test_default_deny_names_the_action():
    decision = decide([statement(Action="s3:GetObject")], "dynamodb:PutItem")
    assert decision == Decision(
        False, "no identity-based policy allows the dynamodb:PutItem action"
    )


@pytest.mark.parametrize(
    ("pattern", "action", "allowed"),
    [
        ("dynamodb:PutItem", "dynamodb:PutItem", True),
        ("DynamoDB:putitem", "dynamodb:PutItem", True),  # actions ignore case
        ("dynamodb:*", "dynamodb:PutItem", True),
        ("dynamodb:Get*", "dynamodb:GetItem", True),
        ("dynamodb:Get*", "dynamodb:PutItem", False),
        ("dynamodb:?etItem", "dynamodb:GetItem", True),
        ("dynamodb:?etItem", "dynamodb:BatchGetItem", False),
        ("*", "sqs:SendMessage", True),
        ("dynamodb:Put", "dynamodb:PutItem", False),  # whole-name match, not a prefix
    ],
)
def test_action_wildcards(pattern, action, allowed):
    assert decide([statement(Action=pattern)], action).allowed is allowed


@pytest.mark.parametrize(
    ("pattern", "resource", "allowed"),
    [
        (TABLE, TABLE, True),
        (TABLE, TABLE + "/index/byShow", False),
        (TABLE + "/index/*", TABLE + "/index/byShow", True),
        ("arn:aws:dynamodb:*:*:table/Sho?s", TABLE, True),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/shows", TABLE, False),  # case-sensitive
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c.ts", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
        ("*", "*", True),
        (TABLE, "*", False),  # an action without resource-level permissions needs "*"
        (f"{UNRESOLVED_PREFIX}Arn of Logs (AWS::Logs::LogGroup)", TABLE, False),
    ],
)
def test_resource_wildcards(pattern, resource, allowed):
    assert (
        decide(
            [statement(Action="dynamodb:*", Resource=pattern)], "dynamodb:Query", resource
        ).allowed
        is allowed
    )


def test_resource_list_allows_any_of_its_patterns():
    grant = statement(Action="dynamodb:Query", Resource=["arn:other", TABLE + "/index/*"])
    assert decide([grant], "dynamodb:Query", TABLE + "/index/byHost").allowed
    assert not decide([grant], "dynamodb:Query", TABLE).allowed


def test_not_action_allows_everything_else():
    grant = statement(NotAction=["iam:*", "dynamodb:Delete*"])
    assert decide([grant], "dynamodb:PutItem").allowed
    assert not decide([grant], "dynamodb:DeleteItem").allowed
    assert not decide([grant], "iam:PassRole").allowed


def test_not_resource_allows_every_other_resource():
    grant = statement(Action="dynamodb:*", NotResource=TABLE)
    assert decide([grant], "dynamodb:PutItem", TABLE + "2").allowed
    assert not decide([grant], "dynamodb:PutItem", TABLE).allowed


def test_explicit_deny_wins_over_any_allow():
    statements = [
        statement(Action="dynamodb:*"),
        statement(Effect="Deny", Action="dynamodb:DeleteItem", Resource=TABLE),
    ]
    assert decide(statements, "dynamodb:PutItem").allowed
    decision = decide(statements, "dynamodb:DeleteItem")
    assert not decision.allowed
    assert decision.explicit_deny


def test_resource_none_checks_the_action_only():
    grant = statement(Action="states:SendTaskSuccess", Resource="arn:aws:states:x:y:stateMachine:z")
    assert decide([grant], "states:SendTaskSuccess", None).allowed
    assert not decide([grant], "states:SendTaskFailure", None).allowed


def leading_keys(*values: str) -> dict:
    return {"context": {"dynamodb:LeadingKeys": values}}


def test_for_all_values_string_equals_on_leading_keys():
    grant = statement(
        Action="dynamodb:GetItem",
        Condition={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["show#1", "show#2"]}},
    )
    assert decide([grant], "dynamodb:GetItem", **leading_keys("show#1")).allowed
    assert decide([grant], "dynamodb:GetItem", **leading_keys("show#1", "show#2")).allowed
    assert not decide([grant], "dynamodb:GetItem", **leading_keys("show#1", "show#3")).allowed
    # As in AWS, ForAllValues holds for a key the request does not have (a Scan).
    absent = frozenset({"dynamodb:LeadingKeys"})
    assert decide([grant], "dynamodb:GetItem", absent_keys=absent).allowed
    # A key AWS would set but the local runtime could not compute cannot grant.
    unknown = frozenset({"dynamodb:LeadingKeys"})
    assert not decide([grant], "dynamodb:GetItem", unknown_keys=unknown).allowed


def test_for_any_value_needs_one_matching_value_and_the_key():
    grant = statement(
        Action="dynamodb:GetItem",
        Condition={"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": "show#*"}},
    )
    assert decide([grant], "dynamodb:GetItem", **leading_keys("cart#1", "show#1")).allowed
    assert not decide([grant], "dynamodb:GetItem", **leading_keys("cart#1")).allowed
    assert not decide([grant], "dynamodb:GetItem").allowed


@pytest.mark.parametrize(
    ("operator", "wanted", "value", "holds"),
    [
        ("StringEquals", "Vitrine", "Vitrine", True),
        ("StringEquals", "Vitrine", "vitrine", False),
        ("StringNotEquals", "Vitrine", "Other", True),
        ("StringNotEquals", "Vitrine", "Vitrine", False),
        ("StringEqualsIgnoreCase", "Vitrine", "vitrine", True),
        ("StringLike", "Vit*", "Vitrine", True),
        ("StringLike", "Vit?", "Vitrine", False),
        ("StringNotLike", "Vit*", "Vitrine", False),
        (
            "ArnLike",
            "arn:aws:sqs:*:123456789012:vitrine-*",
            "arn:aws:sqs:eu-west-1:123456789012:vitrine-q",
            True,
        ),
        (
            "ArnLike",
            "arn:aws:sqs:*:123456789012:vitrine-*",
            "arn:aws:sns:eu-west-1:123456789012:vitrine-q",
            False,
        ),
        (
            "ArnEquals",
            "arn:aws:sqs:us-east-1:123456789012:q",
            "arn:aws:sqs:us-east-1:123456789012:q",
            True,
        ),
        (
            "ArnNotEquals",
            "arn:aws:sqs:us-east-1:123456789012:q",
            "arn:aws:sqs:us-east-1:123456789012:q",
            False,
        ),
        ("Bool", True, "true", True),
        ("Bool", "true", "false", False),
    ],
)
def test_string_arn_and_bool_operators(operator, wanted, value, holds):
    grant = statement(Action="sqs:SendMessage", Condition={operator: {"test:key": wanted}})
    decision = decide([grant], "sqs:SendMessage", context={"test:key": value})
    assert decision.allowed is holds


def test_condition_values_are_alternatives_and_operators_all_must_hold():
    grant = statement(
        Action="cloudwatch:PutMetricData",
        Condition={
            "StringEquals": {"cloudwatch:namespace": ["Vitrine", "Other"]},
            "Bool": {"aws:SecureTransport": "true"},
        },
    )
    context = {"cloudwatch:namespace": "Other", "aws:SecureTransport": "true"}
    assert decide([grant], "cloudwatch:PutMetricData", "*", context=context).allowed
    context["aws:SecureTransport"] = "false"
    assert not decide([grant], "cloudwatch:PutMetricData", "*", context=context).allowed


def test_an_absent_key_fails_a_condition_unless_if_exists_or_negated():
    absent = frozenset({"test:key"})  # known not to be in the request
    plain = statement(Action="a:B", Condition={"StringEquals": {"test:key": "x"}})
    if_exists = statement(Action="a:B", Condition={"StringEqualsIfExists": {"test:key": "x"}})
    negated = statement(Action="a:B", Condition={"StringNotEquals": {"test:key": "x"}})
    assert not decide([plain], "a:B", absent_keys=absent).allowed
    assert decide([if_exists], "a:B", absent_keys=absent).allowed
    assert decide([negated], "a:B", absent_keys=absent).allowed  # AWS: true when absent
    assert not decide([if_exists], "a:B", context={"test:key": "y"}).allowed


def test_a_key_the_runtime_does_not_compute_is_in_doubt():
    """Neither set nor known absent: an Allow on it does not grant, a Deny on it refuses."""
    if_exists = statement(Action="a:B", Condition={"StringEqualsIfExists": {"test:key": "x"}})
    assert not decide([if_exists], "a:B").allowed
    deny_unencrypted = statement(
        Effect="Deny",
        Action="s3:PutObject",
        Condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
    )
    allow = statement(Action="s3:PutObject")
    assert not decide([allow, deny_unencrypted], "s3:PutObject").allowed


def test_null_tests_whether_the_key_is_present():
    absent = statement(Action="a:B", Condition={"Null": {"test:key": "true"}})
    present = statement(Action="a:B", Condition={"Null": {"test:key": "false"}})
    missing = frozenset({"test:key"})
    assert decide([absent], "a:B", absent_keys=missing).allowed
    assert not decide([present], "a:B", absent_keys=missing).allowed
    assert decide([present], "a:B", context={"test:key": "x"}).allowed


def test_unknown_operator_never_grants_and_is_logged(caplog):
    grant = statement(Action="a:B", Condition={"NumericLessThan": {"test:key": "10"}})
    with caplog.at_level(logging.WARNING, logger="vitrine.local.iam"):
        assert not decide([grant], "a:B", context={"test:key": "1"}).allowed
    assert "NumericLessThan" in caplog.text


def test_unknown_operator_in_a_deny_still_denies():
    statements = [
        statement(Action="a:*"),
        statement(Effect="Deny", Action="a:B", Condition={"DateGreaterThan": {"aws:x": "1"}}),
    ]
    assert decide(statements, "a:B").explicit_deny


def test_unresolved_resource_in_a_deny_still_denies():
    statements = [
        statement(Action="a:*"),
        statement(Effect="Deny", Action="a:B", Resource=f"{UNRESOLVED_PREFIX}x"),
    ]
    assert decide(statements, "a:B").explicit_deny
    assert decide(statements, "a:C").allowed


def test_unresolved_not_resource_in_an_allow_grants_nothing_on_it():
    grant = statement(Action="a:*", NotResource=f"{UNRESOLVED_PREFIX}x")
    assert not decide([grant], "a:B").allowed


def test_a_call_whose_resource_is_not_known_locally_leans_towards_refusing():
    from local.iam.evaluation import UNKNOWN_RESOURCE

    everything = statement(Action="sns:Publish")  # Resource "*"
    one_topic = statement(Action="sns:Publish", Resource="arn:aws:sns:us-east-1:1:orders")
    deny_secret = statement(
        Effect="Deny", Action="sns:Publish", Resource="arn:aws:sns:us-east-1:1:secret"
    )
    assert decide([everything], "sns:Publish", UNKNOWN_RESOURCE).allowed
    assert not decide([one_topic], "sns:Publish", UNKNOWN_RESOURCE).allowed
    assert not decide([everything, deny_secret], "sns:Publish", UNKNOWN_RESOURCE).allowed
