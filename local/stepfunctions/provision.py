"""The template's state machines, created in the embedded AWS from their synthesized definitions.

The definition that runs locally is the one `cdk deploy` would deploy: CDK writes it as an
`Fn::Join` around the functions' ARNs, resolved here once those ARNs are provided."""

import json
import re
from dataclasses import dataclass
from typing import Any

from local.cloudformation.names import physical_name
from local.cloudformation.template import Resource, Template, UnresolvableValue

STATE_MACHINE_TYPE = "AWS::StepFunctions::StateMachine"
NAME_LIMIT = 80  # Step Functions' limit on a state machine name


@dataclass(frozen=True, slots=True)
class StateMachineSpec:
    """What `create_state_machine` needs, computed from one template resource."""

    name: str
    definition: str  # Amazon States Language, as JSON text
    role_arn: str
    type: str  # STANDARD or EXPRESS


def provision_state_machines(template: Template, stepfunctions: Any) -> None:
    """Create (or update to the template's definition) every state machine of `template` and
    record what its Ref and GetAtt resolve to. Call it after the functions' ARNs are provided."""
    for resource in template.of_type(STATE_MACHINE_TYPE):
        spec = state_machine_spec(template, resource)
        arn = _create_or_update(stepfunctions, spec)
        template.provide(resource.logical_id, Ref=arn, Arn=arn, Name=spec.name)


def state_machine_spec(template: Template, resource: Resource) -> StateMachineSpec:
    props = resource.properties
    name = props.get("StateMachineName") or physical_name(template, resource)[:NAME_LIMIT]
    return StateMachineSpec(
        name=name,
        definition=_definition(template, resource),
        role_arn=_role_arn(template, resource, name),
        type=props.get("StateMachineType", "STANDARD"),
    )


def _definition(template: Template, resource: Resource) -> str:
    props = resource.properties
    if "DefinitionString" in props:
        definition = str(template.resolve(props["DefinitionString"]))
    elif "Definition" in props:
        definition = json.dumps(template.resolve(props["Definition"]))
    else:
        raise UnresolvableValue(
            f"{resource.logical_id}: only inline definitions run locally (not DefinitionS3Location)"
        )
    substitutions = {
        key: str(template.resolve(value))
        for key, value in props.get("DefinitionSubstitutions", {}).items()
    }
    # CloudFormation replaces `${key}` for the keys given and leaves any other text alone.
    return re.sub(
        r"\$\{([^}]+)\}",
        lambda match: substitutions.get(match.group(1), match.group(0)),
        definition,
    )


def _role_arn(template: Template, resource: Resource, name: str) -> str:
    try:
        return str(template.resolve(resource.properties["RoleArn"]))
    except (KeyError, UnresolvableValue):
        # Roles exist locally only once something provides them; moto checks the ARN's shape.
        return f"arn:aws:iam::{template.account_id}:role/{name}-role"


def _create_or_update(stepfunctions: Any, spec: StateMachineSpec) -> str:
    try:
        arn: str = stepfunctions.create_state_machine(
            name=spec.name, definition=spec.definition, roleArn=spec.role_arn, type=spec.type
        )["stateMachineArn"]
    except stepfunctions.exceptions.StateMachineAlreadyExists:
        arn = _arn_of(stepfunctions, spec.name)
    # moto answers a create for an existing name with that machine, unchanged: a restart
    # against a kept endpoint must still run the template's current definition.
    stepfunctions.update_state_machine(
        stateMachineArn=arn, definition=spec.definition, roleArn=spec.role_arn
    )
    return arn


def _arn_of(stepfunctions: Any, name: str) -> str:
    for page in stepfunctions.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == name:
                arn: str = machine["stateMachineArn"]
                return arn
    raise LookupError(f"state machine {name} exists but is not listed")
