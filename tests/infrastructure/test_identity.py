"""infra/identity: the staff user pool, its three groups and the web console's client."""

import pytest
from aws_cdk.assertions import Match

from functions.common.events import StaffRole
from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra


def test_staff_are_invited_never_signed_up(default_stack: Synthesized) -> None:
    default_stack.template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {"AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True}},
    )


def test_passwords_are_strong_and_threat_protection_is_enforced(default_stack: Synthesized) -> None:
    default_stack.template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "Policies": {
                "PasswordPolicy": Match.object_like(
                    {
                        "MinimumLength": 12,
                        "RequireLowercase": True,
                        "RequireUppercase": True,
                        "RequireNumbers": True,
                        "RequireSymbols": True,
                    }
                )
            },
            "UserPoolTier": "PLUS",
            "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
            "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
        },
    )


def test_the_groups_are_the_staff_roles(default_stack: Synthesized) -> None:
    groups = default_stack.resources("AWS::Cognito::UserPoolGroup").values()

    assert sorted(group["Properties"]["GroupName"] for group in groups) == sorted(StaffRole)
    assert sorted(StaffRole) == ["admin", "host", "moderator"]


def test_the_web_console_is_a_public_client_with_password_srp_and_refresh(
    default_stack: Synthesized,
) -> None:
    (client,) = default_stack.resources("AWS::Cognito::UserPoolClient").values()

    assert client["Properties"]["GenerateSecret"] is False
    assert sorted(client["Properties"]["ExplicitAuthFlows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
    ]
