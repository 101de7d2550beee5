"""Checks every AWS call of a locally run function against its role, before it is sent.

`install_guard` runs once in the worker process of one function, before its handler module is
imported. From then on a call the deployed role would refuse raises the ClientError AWS would
answer (AccessDeniedException, S3's AccessDenied) and is logged on "vitrine.local.iam"."""

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from local.iam.actions import ApiEndpoint, required_permissions
from local.iam.evaluation import Decision, Permission
from local.iam.policies import RolePolicy

log = logging.getLogger("vitrine.local.iam")

# service -> (error code, HTTP status) of AWS's refusal; AccessDeniedException/400 otherwise.
_REFUSALS = {
    "s3": ("AccessDenied", 403),
    "apigatewaymanagementapi": ("ForbiddenException", 403),
    "lambda": ("AccessDeniedException", 403),
    "ivs": ("AccessDeniedException", 403),
    "scheduler": ("AccessDeniedException", 403),
}


@dataclass(frozen=True, slots=True)
class Guard:
    policy: RolePolicy
    region: str
    account: str
    api_endpoints: tuple[ApiEndpoint, ...] = ()

    def check(self, client: Any, operation_name: str, params: dict[str, Any]) -> None:
        """Raise the ClientError AWS would answer if the role refuses this call of `client`."""
        service_model = client.meta.service_model
        operation = service_model.operation_model(operation_name)
        if operation.auth_type == "none" or operation.auth == ["smithy.api#noAuth"]:
            return  # unsigned operations (Cognito's InitiateAuth, GetUser) are not IAM's
        try:
            permissions = required_permissions(
                service_model.service_name,
                operation_name,
                params,
                region=client.meta.region_name or self.region,
                account=self.account,
                endpoint_url=client.meta.endpoint_url,
                signing_name=service_model.signing_name,
                api_endpoints=self.api_endpoints,
                partition_keys=self.policy.partition_keys,
            )
        except (KeyError, TypeError, AttributeError, ValueError):
            # Parameters the mapping could not read: botocore's own error when they are
            # malformed; if they are not, the mapping has a bug and must not pass the call.
            from botocore.validate import validate_parameters

            validate_parameters(params, operation.input_shape)
            raise
        for permission in permissions:
            decision = self.policy.evaluate(permission)
            if not decision.allowed:
                raise self._refusal(client, operation_name, permission, decision)

    def _refusal(
        self, client: Any, operation_name: str, permission: Permission, decision: Decision
    ) -> Exception:
        service = client.meta.service_model.service_name
        code, status = _REFUSALS.get(service, ("AccessDeniedException", 400))
        message = refusal_message(self.policy, permission, decision)
        log.warning(
            "%s refused: %s on %s (%s; role %s)",
            self.policy.function_name,
            permission.action,
            permission.resource or "*",
            decision.reason,
            self.policy.role_name,
        )
        request_id = str(uuid.uuid4())
        response = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {
                "RequestId": request_id,
                "HTTPStatusCode": status,
                "HTTPHeaders": {"x-amzn-requestid": request_id},
                "RetryAttempts": 0,
            },
        }
        # The client's own exception class for the code, as a real answer would give.
        error_class = client.exceptions.from_code(code)
        error: Exception = error_class(response, operation_name)
        return error


def refusal_message(policy: RolePolicy, permission: Permission, decision: Decision) -> str:
    """AWS's wording of an identity-based refusal."""
    resource = f" on resource: {permission.resource}" if permission.resource else ""
    because = (
        "with an explicit deny in an identity-based policy"
        if decision.explicit_deny
        else f"because no identity-based policy allows the {permission.action} action"
    )
    return (
        f"User: {policy.session_arn} is not authorized to perform: "
        f"{permission.action}{resource} {because}"
    )


_active: Guard | None = None
_original: Callable[..., Any] | None = None
_lock = threading.Lock()


def install_guard(
    policy: RolePolicy,
    *,
    region: str,
    account: str,
    api_endpoints: Sequence[ApiEndpoint] = (),
) -> None:
    """Check every botocore call made in this process from now on against `policy`.

    Calling it again replaces the policy. Patching `BaseClient._make_api_call` (rather than
    registering on botocore's event system) because events are per session, and sessions are
    made everywhere: boto3's default one, and one per thread in pynamodb, which calls
    `client._make_api_call` itself; every client of every session goes through this method,
    and its parameters are still the caller's (TableName, Key, QueueUrl), not serialized."""
    global _active, _original
    from botocore.client import BaseClient

    with _lock:
        _active = Guard(policy, region, account, tuple(api_endpoints))
        if _original is not None:
            return
        original = BaseClient._make_api_call
        _original = original

        def guarded(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            guard = _active
            if guard is not None:
                guard.check(client, operation_name, api_params)
            return original(client, operation_name, api_params)

        BaseClient._make_api_call = guarded


def remove_guard() -> None:
    """Undo `install_guard` (tests)."""
    global _active, _original
    from botocore.client import BaseClient

    with _lock:
        if _original is not None:
            BaseClient._make_api_call = _original
        _active = _original = None
