"""Staff identity: a Cognito user pool for the brand's admins, hosts and moderators.

Viewers never sign in (they are anonymous ids), so the pool is invitation-only: an admin
creates each staff member and puts them in one of the groups below, whose names are the
`StaffRole` values the functions check in `cognito:groups`."""

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from functions.common.events import StaffRole
from infra.nag import acknowledge

# Cognito orders groups by precedence (lowest first) when it picks a user's IAM role claim;
# the functions apply the same order themselves, strongest role first.
_GROUPS = {
    StaffRole.ADMIN: "Runs the brand's Vitrine: staff, catalog, promos, every show",
    StaffRole.HOST: "Presents shows: schedules them, goes live, features products",
    StaffRole.MODERATOR: "Runs a live show's chat: pins, removes, pushes promos and polls",
}


class Identity(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)

        self.user_pool = cognito.UserPool(
            self,
            "StaffPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            # Plus tier: compromised-credential checks and adaptive authentication, enforced.
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )

        for precedence, (role, description) in enumerate(_GROUPS.items()):
            cognito.UserPoolGroup(
                self,
                f"{role.value.title()}Group",
                user_pool=self.user_pool,
                group_name=role.value,
                description=description,
                precedence=precedence,
            )

        # The web console is a public client (a browser cannot keep a secret); it signs in
        # with SRP, or with USER_PASSWORD_AUTH where SRP is not available (the local runtime).
        self.web_client = self.user_pool.add_client(
            "WebConsole",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
            prevent_user_existence_errors=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
        )

        self._acknowledge_nag_findings()

    def _acknowledge_nag_findings(self) -> None:
        acknowledge(
            self.user_pool,
            {
                "AwsSolutions-COG2": (
                    "TOTP MFA is offered, not forced, so staff can be invited without an "
                    "authenticator app; the Plus tier's adaptive authentication still challenges "
                    "or blocks risky sign-ins."
                ),
            },
        )
