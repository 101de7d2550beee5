"""A function's role and what it grants, read from the synthesized template.

The grants are the role's inline `Policies`, every AWS::IAM::Policy and AWS::IAM::ManagedPolicy
attached to it (CDK puts `grant*()` calls into `<Function>RoleDefaultPolicy<hash>`), and the AWS
managed policies this module knows. A `RolePolicy` is built where the template is (the pool)
and shipped as JSON to the worker process that runs the function."""

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from local.cloudformation.names import physical_name
from local.cloudformation.template import Resource, Template, UnresolvableValue
from local.iam.actions import ApiEndpoint
from local.iam.evaluation import (
    UNRESOLVED_PREFIX,
    Decision,
    Permission,
    Statement,
    evaluate,
)

log = logging.getLogger("vitrine.local.iam")

ROLE_TYPE = "AWS::IAM::Role"
ATTACHED_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")

# The AWS managed policies whose content the local runtime knows (the template attaches these);
# any other managed policy is unknown here and grants nothing locally.
AWS_MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}


@dataclass(frozen=True, slots=True)
class RolePolicy:
    """Everything the guard of one function needs from the template."""

    role_arn: str  # arn:aws:iam::123456789012:role/<physical role name>
    function_name: str  # the Lambda function's physical name (the role session's name)
    statements: tuple[Statement, ...]
    # Managed policies whose content is not known locally: recorded, granting nothing.
    unknown_managed_policies: tuple[str, ...] = ()
    # Table name -> its partition key attribute, to compute dynamodb:LeadingKeys.
    partition_keys: Mapping[str, str] = field(default_factory=dict)

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def session_arn(self) -> str:
        """The caller AWS names in AccessDenied messages: the role assumed by the function."""
        account = self.role_arn.split(":")[4]
        return f"arn:aws:sts::{account}:assumed-role/{self.role_name}/{self.function_name}"

    def evaluate(self, permission: Permission) -> Decision:
        return evaluate(self.statements, permission)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what the pool sends a worker (statements as IAM's own JSON)."""
        return {
            "role_arn": self.role_arn,
            "function_name": self.function_name,
            "statements": [
                {"origin": statement.origin, "document": _document(statement)}
                for statement in self.statements
            ],
            "unknown_managed_policies": list(self.unknown_managed_policies),
            "partition_keys": dict(self.partition_keys),
        }

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> "RolePolicy":
        return cls(
            role_arn=body["role_arn"],
            function_name=body["function_name"],
            statements=tuple(
                Statement.from_document(item["document"], item["origin"])
                for item in body["statements"]
            ),
            unknown_managed_policies=tuple(body["unknown_managed_policies"]),
            partition_keys=dict(body["partition_keys"]),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> "RolePolicy":
        return cls.from_dict(json.loads(text))


def role_policies(template: Template, function_logical_id: str) -> RolePolicy:
    """The grants of the role of the AWS::Lambda::Function `function_logical_id`."""
    function = template.resources[function_logical_id]
    function_name = _name(template, function, "FunctionName")
    partition_keys = _partition_keys(template)
    role = _role_of(template, function)
    if role is None:
        log.warning(
            "the role of %s is not a role of the template: every AWS call it makes is refused",
            function_logical_id,
        )
        role_arn = function.properties.get("Role")
        return RolePolicy(
            role_arn=role_arn if isinstance(role_arn, str) else _role_arn(template, "unknown", "/"),
            function_name=function_name,
            statements=(),
            partition_keys=partition_keys,
        )
    unresolved: set[str] = set()
    statements: list[Statement] = []
    for origin, document in _documents(template, role):
        for index, statement in enumerate(_listed(document.get("Statement", []))):
            resolved = _resolve_statement(template, statement, unresolved)
            statements.append(Statement.from_document(resolved, f"{origin} statement {index}"))
    unknown = []
    for arn in _managed_policy_arns(template, role):
        if arn in AWS_MANAGED_POLICIES:
            statements += [
                Statement.from_document(statement, arn) for statement in AWS_MANAGED_POLICIES[arn]
            ]
        else:
            log.warning(
                "managed policy %s of %s is not known locally: it grants nothing here",
                arn,
                role.logical_id,
            )
            unknown.append(arn)
    for reason in sorted(unresolved):
        log.warning("%s: a grant of %s naming it matches nothing locally", reason, role.logical_id)
    return RolePolicy(
        role_arn=_role_arn(
            template, _name(template, role, "RoleName"), role.properties.get("Path", "/")
        ),
        function_name=function_name,
        statements=tuple(statements),
        unknown_managed_policies=tuple(unknown),
        partition_keys=partition_keys,
    )


def websocket_endpoint(template: Template, url: str) -> ApiEndpoint | None:
    """The deployed WebSocket API stage that the local @connections endpoint `url` stands for:
    its api id as the template resolves it locally, and the template's stage name (the one
    the roles' execute-api grants name), whatever the local gateway's own stage is."""
    for stage in template.of_type("AWS::ApiGatewayV2::Stage"):
        api_reference = stage.properties.get("ApiId")
        if not isinstance(api_reference, dict) or "Ref" not in api_reference:
            continue
        api = template.resources.get(api_reference["Ref"])
        if api is None or api.properties.get("ProtocolType") != "WEBSOCKET":
            continue
        try:
            api_id = template.resolve(api_reference)
        except UnresolvableValue:
            log.warning(
                "the id of %s is not known locally: @connections calls are refused", api.logical_id
            )
            return None
        return ApiEndpoint(url=url, api_id=str(api_id), stage=str(stage.properties["StageName"]))
    return None


def _role_of(template: Template, function: Resource) -> Resource | None:
    reference = function.properties.get("Role")
    attribute = reference.get("Fn::GetAtt") if isinstance(reference, dict) else None
    if isinstance(attribute, str):
        attribute = attribute.split(".", 1)
    if not isinstance(attribute, list) or attribute[1:] != ["Arn"]:
        return None
    role = template.resources.get(attribute[0])
    return role if role is not None and role.type == ROLE_TYPE else None


def _documents(template: Template, role: Resource) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where it comes from, policy document) for every policy of the template on `role`."""
    for policy in role.properties.get("Policies", []):
        yield f"{role.logical_id} policy {policy.get('PolicyName')}", policy["PolicyDocument"]
    attached_by_arn = {
        json.dumps(reference) for reference in role.properties.get("ManagedPolicyArns", [])
    }
    for policy_type in ATTACHED_POLICY_TYPES:
        for policy in template.of_type(policy_type):
            on_role = any(
                _refers_to(template, reference, role)
                for reference in policy.properties.get("Roles", [])
            )
            if on_role or json.dumps({"Ref": policy.logical_id}) in attached_by_arn:
                yield policy.logical_id, policy.properties["PolicyDocument"]


def _managed_policy_arns(template: Template, role: Resource) -> Iterator[str]:
    """The role's ManagedPolicyArns that are not managed policies of this template."""
    for reference in role.properties.get("ManagedPolicyArns", []):
        if isinstance(reference, dict) and reference.get("Ref") in template.resources:
            continue  # one of the template's AWS::IAM::ManagedPolicy, read by _documents
        try:
            yield str(template.resolve(reference))
        except UnresolvableValue as error:
            yield f"{UNRESOLVED_PREFIX}{error}"


def _refers_to(template: Template, reference: Any, role: Resource) -> bool:
    if reference == {"Ref": role.logical_id}:
        return True
    return isinstance(reference, str) and reference == _name(template, role, "RoleName")


def _resolve_statement(
    template: Template, statement: dict[str, Any], unresolved: set[str]
) -> dict[str, Any]:
    """The statement with its intrinsic functions evaluated, one value at a time: a value
    that cannot be resolved locally becomes a marker that matches nothing."""

    def value(item: Any) -> Any:
        try:
            resolved = template.resolve(item)
        except UnresolvableValue as error:
            unresolved.add(str(error))
            return f"{UNRESOLVED_PREFIX}{error}"
        if isinstance(resolved, dict | list):  # an intrinsic function Template does not know
            unresolved.add(f"{json.dumps(item)} is not resolvable locally")
            return f"{UNRESOLVED_PREFIX}{json.dumps(item)}"
        return resolved

    resolved: dict[str, Any] = dict(statement)
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement:
            resolved[key] = [value(item) for item in _listed(statement[key])]
    if "Condition" in statement:
        resolved["Condition"] = {
            operator: {
                key: [value(item) for item in _listed(values)] for key, values in keys.items()
            }
            for operator, keys in statement["Condition"].items()
        }
    return resolved


def _document(statement: Statement) -> dict[str, Any]:
    """The statement as IAM's JSON again (what `Statement.from_document` reads)."""
    document: dict[str, Any] = {
        "Effect": statement.effect.value,
        "NotAction" if statement.not_action else "Action": list(statement.actions),
        "NotResource" if statement.not_resource else "Resource": list(statement.resources),
    }
    conditions: dict[str, dict[str, list[str]]] = {}
    for condition in statement.conditions:
        conditions.setdefault(condition.operator, {})[condition.key] = list(condition.values)
    if conditions:
        document["Condition"] = conditions
    return document


def _partition_keys(template: Template) -> dict[str, str]:
    keys: dict[str, str] = {}
    for table in template.of_type("AWS::DynamoDB::Table"):
        name = template.attributes.get(table.logical_id, {}).get("Ref")
        name = name or table.properties.get("TableName")
        hash_keys = [
            key["AttributeName"]
            for key in table.properties.get("KeySchema", [])
            if key.get("KeyType") == "HASH"
        ]
        if isinstance(name, str) and hash_keys:
            keys[name] = hash_keys[0]
    return keys


def _name(template: Template, resource: Resource, name_property: str) -> str:
    """The physical name: what Ref resolves to once the local runtime provided it, else the
    name the template gives, else the one the local runtime generates."""
    for reference in ({"Ref": resource.logical_id}, resource.properties.get(name_property)):
        try:
            name = template.resolve(reference) if reference is not None else None
        except UnresolvableValue:
            continue
        if isinstance(name, str):
            return name
    return physical_name(template, resource)


def _role_arn(template: Template, name: str, path: str) -> str:
    return f"arn:aws:iam::{template.account_id}:role{path}{name}"


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
