"""What a rule target receives: the event, or its `Input`, `InputPath` or `InputTransformer`.

`render` returns the text EventBridge would send, so a queue gets it as its body and a
function or state machine gets it parsed. Templates follow EventBridge's quoting: in a JSON
template (one that starts with `{`, `[` or `"`) a placeholder outside quotes becomes the value
as JSON (a string gains its quotes) and one inside quotes becomes escaped string content; in a
plain-text template strings go in as they are and other values as JSON. A path that is not in
the event becomes `null` outside quotes and nothing inside them or in plain text (what AWS
documents as an empty value; the exact rules for a missing path are an approximation)."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
# A JSONPath step: .name, .*, [3], [*], ['name'] or ["name"].
PATH_STEP = re.compile(r"""\.([^.\[\]]+)|\[(\d+|\*)\]|\[(?:'([^']*)'|"([^"]*)")\]""")
MISSING = object()


class InvalidPath(ValueError):
    """A JSONPath EventBridge's subset cannot read."""


@dataclass(frozen=True, slots=True)
class InputTransformer:
    template: str
    paths: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TargetInput:
    """One of a target's input options; with none of them the target gets the whole event."""

    constant: str | None = None  # Input: sent as it is
    path: str | None = None  # InputPath: the part of the event it selects
    transformer: InputTransformer | None = None

    @classmethod
    def of(cls, target: Mapping[str, Any]) -> "TargetInput":
        """From a target as PutTargets and CloudFormation spell it."""
        transformer = target.get("InputTransformer")
        return cls(
            constant=target.get("Input"),
            path=target.get("InputPath"),
            transformer=(
                InputTransformer(
                    template=transformer["InputTemplate"],
                    paths=dict(transformer.get("InputPathsMap", {})),
                )
                if transformer
                else None
            ),
        )


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What the predefined `aws.events.*` placeholders read."""

    rule_name: str = ""
    rule_arn: str = ""


def render(
    target_input: TargetInput, event: Mapping[str, Any], context: RuleContext = RuleContext()
) -> str:
    if target_input.constant is not None:
        return target_input.constant
    if target_input.path is not None:
        value = select(target_input.path, event)
        return "null" if value is MISSING else json.dumps(value)
    if target_input.transformer is not None:
        return _fill(target_input.transformer, event, context)
    return json.dumps(event)


def select(path: str, document: Any) -> Any:
    """The value `path` (`$.detail.items[0].sku`) names in `document`, or MISSING. A
    wildcard step collects every match into a list."""
    if not path.startswith("$"):
        raise InvalidPath(f"{path!r}: a path starts with $")
    rest, position, steps = path[1:], 0, []
    while position < len(rest):
        match = PATH_STEP.match(rest, position)
        if match is None:
            raise InvalidPath(f"{path!r}: cannot read it from {rest[position:]!r}")
        steps.append(next(group for group in match.groups() if group is not None))
        position = match.end()
    return _walk(document, steps)


def _walk(value: Any, steps: list[str]) -> Any:
    for position, step in enumerate(steps):
        if step == "*":
            if isinstance(value, dict):
                children = list(value.values())
            elif isinstance(value, list):
                children = value
            else:
                return MISSING
            found = [_walk(child, steps[position + 1 :]) for child in children]
            return [item for item in found if item is not MISSING]
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return MISSING
    return value


def _fill(transformer: InputTransformer, event: Mapping[str, Any], context: RuleContext) -> str:
    values = {name: select(path, event) for name, path in transformer.paths.items()}
    # Whole-event variables go in as raw JSON wherever they stand (AWS does not escape them).
    raw = {
        "aws.events.event.json": json.dumps(event),
        "aws.events.event": json.dumps({k: v for k, v in event.items() if k != "detail"}),
    }
    values |= {
        "aws.events.rule-name": context.rule_name,
        "aws.events.rule-arn": context.rule_arn,
        "aws.events.event.ingestion-time": event.get("time", MISSING),
    }
    template = transformer.template
    is_json = template.lstrip()[:1] in ("{", "[", '"')
    out: list[str] = []
    in_string, escaped, position = False, False, 0
    while position < len(template):
        char = template[position]
        match = PLACEHOLDER.match(template, position) if char == "<" else None
        if match and (match.group(1) in values or match.group(1) in raw):
            name = match.group(1)
            if name in raw:
                out.append(raw[name])
            else:
                out.append(_format(values[name], json_value=is_json and not in_string,
                                   escape=is_json and in_string))  # fmt: skip
            position = match.end()
            continue
        if is_json:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = not in_string
        out.append(char)
        position += 1
    return "".join(out)


def _format(value: Any, *, json_value: bool, escape: bool) -> str:
    if json_value:
        return "null" if value is MISSING else json.dumps(value)
    if value is MISSING:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return json.dumps(text)[1:-1] if escape else text
