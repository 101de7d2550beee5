"""The template's Lambda functions that run locally, with what Lambda would give each of them.

A function runs locally when its handler's module is part of the project's code (the asset
root is the repository root); CDK's own helpers (bucket deployment, custom resources) are not
Vitrine's code and do not run here."""

import re
from dataclasses import dataclass
from pathlib import Path

from local.cloudformation.template import Resource, Template

FUNCTION_TYPE = "AWS::Lambda::Function"
DEFAULT_TIMEOUT_SECONDS = 3  # Lambda's defaults when the template sets none
DEFAULT_MEMORY_MB = 128
_CDK_HASH = re.compile(r"[0-9A-F]{8}$")


@dataclass(frozen=True, slots=True)
class LocalFunction:
    logical_id: str
    name: str  # the physical name, as Ref resolves it
    arn: str
    handler: str  # e.g. functions.chat.handlers.connect.handler
    environment: dict[str, str]  # exactly the template's variables, resolved
    timeout_seconds: int
    memory_mb: int
    reserved_concurrency: int | None
    role_logical_id: str | None

    @property
    def display_name(self) -> str:
        """The logical id without CDK's hash suffix: what the local log shows."""
        return _CDK_HASH.sub("", self.logical_id) or self.logical_id

    @property
    def module(self) -> str:
        return self.handler.rpartition(".")[0]


def runs_locally(handler: str, code_root: Path) -> bool:
    module = handler.rpartition(".")[0]
    path = code_root.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def function_name(template: Template, resource: Resource) -> str:
    """Like CloudFormation's generated names: stack and logical id, at most 64 characters."""
    return (
        resource.properties.get("FunctionName")
        or (f"{template.stack_name}-{resource.logical_id}"[:64])
    )


def provide_functions(template: Template) -> None:
    """Record each function's Ref and Arn, so that what refers to it resolves (mappings,
    state machine definitions, permissions) before anything else is provisioned."""
    for resource in template.of_type(FUNCTION_TYPE):
        name = function_name(template, resource)
        arn = f"arn:aws:lambda:{template.region}:{template.account_id}:function:{name}"
        template.provide(resource.logical_id, Ref=name, Arn=arn)


def local_functions(template: Template, code_root: Path) -> list[LocalFunction]:
    """The functions of the template that run locally, their environment resolved
    (call after provisioning, when every resource they name exists)."""
    functions = []
    for resource in template.of_type(FUNCTION_TYPE):
        props = resource.properties
        handler = props.get("Handler", "")
        if not handler or not runs_locally(handler, code_root):
            continue
        variables = props.get("Environment", {}).get("Variables", {})
        role = props.get("Role", {}).get("Fn::GetAtt", [None])[0]
        reserved = props.get("ReservedConcurrentExecutions")
        functions.append(
            LocalFunction(
                logical_id=resource.logical_id,
                name=template.resolve({"Ref": resource.logical_id}),
                arn=template.resolve({"Fn::GetAtt": [resource.logical_id, "Arn"]}),
                handler=handler,
                environment={key: str(template.resolve(v)) for key, v in variables.items()},
                timeout_seconds=int(props.get("Timeout", DEFAULT_TIMEOUT_SECONDS)),
                memory_mb=int(props.get("MemorySize", DEFAULT_MEMORY_MB)),
                reserved_concurrency=None if reserved is None else int(reserved),
                role_logical_id=role,
            )
        )
    return functions
