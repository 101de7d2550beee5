"""`$connect` authorizer: viewers come in anonymously; staff prove who they are with a token.

A present but invalid token is refused, so a moderator never silently degrades to a viewer."""

from typing import TYPE_CHECKING, Any, Literal, TypedDict

from functions.common.auth import InvalidToken, StaffTokenVerifier
from functions.common.observability import instrumented, logger, metrics
from functions.common.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


class Policy(TypedDict):
    """What a Lambda authorizer answers; API Gateway hands `context` to `$connect`."""

    principalId: str
    policyDocument: dict[str, object]
    context: dict[str, str]


def _policy(
    effect: Literal["Allow", "Deny"], resource: str, principal: str, context: dict[str, str]
) -> Policy:
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": context,
    }


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> Policy:
    params = event.get("queryStringParameters") or {}
    token = params.get("token")
    # API Gateway hands this context to every frame of the connection: the show lets an action
    # read its room with the connection (a hint only: the connection record stays the truth).
    show = {"show_id": str(params.get("show") or "")[:128]}
    if not token:
        metrics().add_metric(name="ViewerAuthorized", unit="Count", value=1)
        viewer = {"role": "viewer", "username": ""} | show
        return _policy("Allow", event["methodArn"], "viewer", viewer)
    verifier = StaffTokenVerifier.from_settings(Settings.from_env())
    try:
        staff = verifier.verify(token)
    except InvalidToken as error:
        logger().info("staff token refused", extra={"reason": str(error)})
        metrics().add_metric(name="StaffTokenRefused", unit="Count", value=1)
        return _policy("Deny", event["methodArn"], "anonymous", {})
    metrics().add_metric(name="StaffAuthorized", unit="Count", value=1)
    return _policy(
        "Allow",
        event["methodArn"],
        staff.subject,
        {"role": staff.role.value, "username": staff.username} | show,
    )
