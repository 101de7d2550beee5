"""IAM's evaluation of identity-based policies: does this role allow this action on this resource?

Explicit Deny wins, then any Allow, else the default deny. When the local runtime cannot know
something (a resource the template names but that does not run locally, the resource of a call
to a service it does not map, a condition operator this module does not implement, a condition
key it does not compute: any but `dynamodb:LeadingKeys`), it leans towards refusing:
such an Allow statement does not apply and such a Deny statement does, so a call the deployed
role would refuse is never granted locally."""

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

log = logging.getLogger("vitrine.local.iam")

# A template value the local runtime could not resolve; it stands in a pattern and matches nothing.
UNRESOLVED_PREFIX = "unresolved-locally:"

ContextValue = str | tuple[str, ...]  # a tuple is a multivalued key (dynamodb:LeadingKeys)

# The resource of a call the local mapping does not know (a service it does not map).
UNKNOWN_RESOURCE = "unknown-locally:*"


class Effect(Enum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class Condition:
    operator: str  # e.g. "ForAllValues:StringEquals", "StringLikeIfExists"
    key: str  # e.g. "dynamodb:LeadingKeys"
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    effect: Effect
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_action: bool = False  # `actions` came from NotAction
    not_resource: bool = False  # `resources` came from NotResource
    conditions: tuple[Condition, ...] = ()
    origin: str = ""  # the policy (and Sid) it came from, for the decision's reason

    @classmethod
    def from_document(cls, statement: Mapping[str, Any], origin: str = "") -> "Statement":
        """One statement of a policy document (IAM's JSON, intrinsic functions resolved)."""
        effect = Effect(statement["Effect"])
        action_key = "NotAction" if "NotAction" in statement else "Action"
        resource_key = "NotResource" if "NotResource" in statement else "Resource"
        conditions = tuple(
            Condition(operator, key, _strings(values))
            for operator, keys in statement.get("Condition", {}).items()
            for key, values in keys.items()
        )
        sid = statement.get("Sid")
        return cls(
            effect=effect,
            actions=_strings(statement.get(action_key, ())),
            resources=_strings(statement.get(resource_key, ())),
            not_action=action_key == "NotAction",
            not_resource=resource_key == "NotResource",
            conditions=conditions,
            origin=f"{origin} ({sid})" if sid and origin else origin or sid or "",
        )


@dataclass(frozen=True, slots=True)
class Permission:
    """What IAM checks for one request: an action on a resource, with the request's keys.

    `resource` is None when the request does not name it (a task token): then only the action is
    checked. `unknown_keys` are condition keys AWS would set that cannot be computed locally."""

    action: str  # e.g. "dynamodb:PutItem"
    resource: str | None  # e.g. "arn:aws:dynamodb:us-east-1:123456789012:table/Shows"
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    unknown_keys: frozenset[str] = frozenset()
    absent_keys: frozenset[str] = frozenset()  # keys known not to be in the request


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    explicit_deny: bool = False


def evaluate(statements: Iterable[Statement], permission: Permission) -> Decision:
    allowed_by: Statement | None = None
    for statement in statements:
        if not _applies(statement, permission):
            continue
        if statement.effect is Effect.DENY:
            return Decision(False, f"explicitly denied by {statement.origin}", explicit_deny=True)
        allowed_by = allowed_by or statement
    if allowed_by is not None:
        return Decision(True, f"allowed by {allowed_by.origin}")
    return Decision(False, f"no identity-based policy allows the {permission.action} action")


def _applies(statement: Statement, permission: Permission) -> bool:
    # In doubt, a Deny applies and an Allow does not.
    doubt = statement.effect is Effect.DENY
    action_listed = any(
        _glob(pattern, True).fullmatch(permission.action) for pattern in statement.actions
    )
    if action_listed == statement.not_action:
        return False
    if permission.resource is not None:
        # For NotResource, "in doubt" means the opposite: a doubtful pattern excludes (Allow).
        listed = _any_resource_matches(
            statement.resources, permission.resource, doubt != statement.not_resource
        )
        if listed == statement.not_resource:
            return False
    results = [_condition_holds(condition, permission) for condition in statement.conditions]
    return all(result if result is not None else doubt for result in results)


def _any_resource_matches(patterns: Sequence[str], resource: str, doubt: bool) -> bool:
    if resource == UNKNOWN_RESOURCE:
        return "*" in patterns or doubt
    for pattern in patterns:
        if pattern.startswith(UNRESOLVED_PREFIX):
            if doubt:
                return True
        elif _glob(pattern, False).fullmatch(resource):
            return True
    return False


@cache
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM's wildcards: `*` any run of characters (including `/` and `:`), `?` one character."""
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(regex, flags)


# Condition operators: name -> (value matches one condition value, negated).
_STRING_TESTS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda value, wanted: value == wanted, False),
    "StringNotEquals": (lambda value, wanted: value == wanted, True),
    "StringEqualsIgnoreCase": (lambda value, wanted: value.lower() == wanted.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda value, wanted: value.lower() == wanted.lower(), True),
    "StringLike": (lambda value, wanted: bool(_glob(wanted, False).fullmatch(value)), False),
    "StringNotLike": (lambda value, wanted: bool(_glob(wanted, False).fullmatch(value)), True),
    "ArnEquals": (lambda value, wanted: _arn_like(value, wanted), False),
    "ArnLike": (lambda value, wanted: _arn_like(value, wanted), False),
    "ArnNotEquals": (lambda value, wanted: _arn_like(value, wanted), True),
    "ArnNotLike": (lambda value, wanted: _arn_like(value, wanted), True),
    "Bool": (lambda value, wanted: value.lower() == wanted.lower(), False),
}


_reported_operators: set[str] = set()


def _condition_holds(condition: Condition, permission: Permission) -> bool | None:
    """True or False, or None when it cannot be known locally."""
    operator = condition.operator
    qualifier, _, operator = operator.rpartition(":")
    if_exists = operator.endswith("IfExists") and operator != "IfExists"
    operator = operator.removesuffix("IfExists") if if_exists else operator
    if qualifier not in ("", "ForAllValues", "ForAnyValue") or (
        operator not in _STRING_TESTS and operator != "Null"
    ):
        if condition.operator not in _reported_operators:
            _reported_operators.add(condition.operator)
            log.warning(
                "IAM condition operator %s is not supported locally: an Allow statement using "
                "it grants nothing, a Deny statement using it applies",
                condition.operator,
            )
        return None
    key = condition.key.lower()
    context = {name.lower(): value for name, value in permission.context.items()}
    absent = {name.lower() for name in permission.absent_keys}
    # A key neither computed for the request nor known to be absent from it is in doubt:
    # the local runtime computes only some of the keys AWS sets (dynamodb:LeadingKeys).
    if (
        (key not in context and key not in absent)
        or condition.key in permission.unknown_keys
        or any(value.startswith(UNRESOLVED_PREFIX) for value in condition.values)
    ):
        return None
    present = key in context
    if operator == "Null":
        return (not present) == (condition.values[0].lower() == "true")
    test, negated = _STRING_TESTS[operator]
    if not present:
        # AWS: a negated operator and ForAllValues (an empty set) hold for an absent key,
        # IfExists holds; any other operator does not.
        return negated or qualifier == "ForAllValues" or if_exists
    raw = context[key]
    values = (raw,) if isinstance(raw, str) else raw

    def matches(value: str) -> bool:
        hit = any(test(value, wanted) for wanted in condition.values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(matches(value) for value in values)
    # ForAnyValue, and a plain operator on a multivalued key, hold when any value matches.
    return any(matches(value) for value in values)


def _arn_like(arn: str, pattern: str) -> bool:
    """ArnLike compares the six colon-separated parts of an ARN one by one."""
    arn_parts, pattern_parts = arn.split(":", 5), pattern.split(":", 5)
    return len(arn_parts) == len(pattern_parts) == 6 and all(
        _glob(wanted, False).fullmatch(part)
        for part, wanted in zip(arn_parts, pattern_parts, strict=True)
    )


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    return tuple(str(item).lower() if isinstance(item, bool) else str(item) for item in items)
