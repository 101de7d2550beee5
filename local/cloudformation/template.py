"""Reads a synthesized CloudFormation template: resources by type and intrinsic functions.

The local runtime creates nothing from a hand-written list: tables, buckets, the user pool and
the functions' environment all come from the template that `cdk deploy` would deploy."""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class UnresolvableValue(ValueError):
    """A template value the local runtime cannot compute (a resource it does not run)."""


@dataclass(frozen=True, slots=True)
class Resource:
    logical_id: str
    type: str
    properties: dict[str, Any]


@dataclass(slots=True)
class Template:
    stack_name: str
    resources: dict[str, Resource]
    region: str = "us-east-1"
    account_id: str = "123456789012"
    # What each provisioned resource resolves to: logical id -> {"Ref": ..., "Arn": ..., ...}
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, **kwargs: Any) -> "Template":
        body = json.loads(path.read_text())
        resources = {
            logical_id: Resource(logical_id, spec["Type"], spec.get("Properties", {}))
            for logical_id, spec in body.get("Resources", {}).items()
        }
        stack_name = path.name.removesuffix(".template.json")
        return cls(stack_name=stack_name, resources=resources, **kwargs)

    def of_type(self, resource_type: str) -> Iterator[Resource]:
        return (r for r in self.resources.values() if r.type == resource_type)

    def provide(self, logical_id: str, **attributes: str) -> None:
        """Record what a resource resolves to once it exists (Ref plus its GetAtt attributes)."""
        self.attributes.setdefault(logical_id, {}).update(attributes)

    def resolve(self, value: Any) -> Any:
        """Evaluate the intrinsic functions in `value` (Ref, GetAtt, Join, Sub, Select, If-less)."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((name, argument),) = value.items()
            function = self._functions().get(name)
            if function is not None:
                return function(argument)
        return {key: self.resolve(item) for key, item in value.items()}

    def _functions(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Join": lambda arg: arg[0].join(str(self.resolve(part)) for part in arg[1]),
            "Fn::Select": lambda arg: self.resolve(arg[1])[int(self.resolve(arg[0]))],
            "Fn::Split": lambda arg: self.resolve(arg[1]).split(arg[0]),
            "Fn::Sub": self._sub,
        }

    def _pseudo(self, name: str) -> str | None:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": "",
        }.get(name)

    def _ref(self, name: str) -> str:
        pseudo = self._pseudo(name)
        if pseudo is not None:
            return pseudo
        return self._attribute(name, "Ref")

    def _get_att(self, argument: list[str] | str) -> str:
        logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
        return self._attribute(logical_id, attribute)

    def _attribute(self, logical_id: str, attribute: str) -> str:
        try:
            return self.attributes[logical_id][attribute]
        except KeyError:
            kind = self.resources[logical_id].type if logical_id in self.resources else "unknown"
            raise UnresolvableValue(
                f"{attribute} of {logical_id} ({kind}) is not available locally"
            ) from None

    def _sub(self, argument: str | list[Any]) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = {name: self.resolve(value) for name, value in variables.items()}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name:
                return self._get_att(name)
            return self._ref(name)

        return re.sub(r"\$\{([^}!]+)\}", substitute, text)

    def function_environments(self) -> dict[str, dict[str, str]]:
        """Each Vitrine function's handler -> its environment variables, resolved.

        CDK's own helper functions (bucket deployment, log retention) are not Vitrine's."""
        environments: dict[str, dict[str, str]] = {}
        for function in self.of_type("AWS::Lambda::Function"):
            handler = function.properties.get("Handler")
            variables = function.properties.get("Environment", {}).get("Variables", {})
            if handler and handler.startswith("functions."):
                environments[handler] = {
                    name: str(self.resolve(value)) for name, value in variables.items()
                }
        return environments
