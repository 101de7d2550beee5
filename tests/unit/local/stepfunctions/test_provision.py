"""A state machine's spec comes from its template resource: the synthesized definition with the
functions' ARNs resolved, its name, role and type."""

import json

import pytest

from local.cloudformation.template import Resource, Template, UnresolvableValue
from local.stepfunctions.provision import state_machine_spec

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:resolve-show"
ROLE_ARN = "arn:aws:iam::123456789012:role/replay-workflow"


def template_with(**properties) -> tuple[Template, Resource]:
    machine = Resource("ReplayWorkflow", "AWS::StepFunctions::StateMachine", properties)
    template = Template(stack_name="VitrineStack", resources={machine.logical_id: machine})
    template.provide("ResolveShow", Ref="resolve-show", Arn=FUNCTION_ARN)
    template.provide("WorkflowRole", Ref="replay-workflow", Arn=ROLE_ARN)
    return template, machine


def test_a_joined_definition_string_gets_the_function_arn():
    template, machine = template_with(
        DefinitionString={
            "Fn::Join": [
                "",
                [
                    '{"StartAt":"Resolve","States":{"Resolve":{"Type":"Task","Resource":"arn:',
                    {"Ref": "AWS::Partition"},
                    ':states:::lambda:invoke","Parameters":{"FunctionName":"',
                    {"Fn::GetAtt": ["ResolveShow", "Arn"]},
                    '","Payload.$":"$"},"End":true}}}',
                ],
            ]
        },
        RoleArn={"Fn::GetAtt": ["WorkflowRole", "Arn"]},
    )

    spec = state_machine_spec(template, machine)

    task = json.loads(spec.definition)["States"]["Resolve"]
    assert task["Resource"] == "arn:aws:states:::lambda:invoke"
    assert task["Parameters"]["FunctionName"] == FUNCTION_ARN
    assert spec.role_arn == ROLE_ARN


def test_a_definition_object_is_resolved_and_serialised():
    template, machine = template_with(
        Definition={
            "StartAt": "Resolve",
            "States": {
                "Resolve": {
                    "Type": "Task",
                    "Resource": {"Fn::GetAtt": ["ResolveShow", "Arn"]},
                    "End": True,
                }
            },
        },
        RoleArn=ROLE_ARN,
    )

    spec = state_machine_spec(template, machine)

    assert json.loads(spec.definition)["States"]["Resolve"]["Resource"] == FUNCTION_ARN


def test_definition_substitutions_replace_only_their_keys():
    template, machine = template_with(
        DefinitionString='{"Comment":"${Kept}","StartAt":"A","States":{"A":{"Type":"Task",'
        '"Resource":"${ResolveArn}","End":true}}}',
        DefinitionSubstitutions={"ResolveArn": {"Fn::GetAtt": ["ResolveShow", "Arn"]}},
        RoleArn=ROLE_ARN,
    )

    definition = json.loads(state_machine_spec(template, machine).definition)

    assert definition["States"]["A"]["Resource"] == FUNCTION_ARN
    assert definition["Comment"] == "${Kept}"


def test_name_and_type_come_from_the_template_or_default_like_cloudformation():
    named, named_machine = template_with(
        StateMachineName="replays", StateMachineType="EXPRESS", DefinitionString="{}"
    )
    unnamed, unnamed_machine = template_with(DefinitionString="{}")

    named_spec = state_machine_spec(named, named_machine)
    unnamed_spec = state_machine_spec(unnamed, unnamed_machine)

    assert (named_spec.name, named_spec.type) == ("replays", "EXPRESS")
    assert (unnamed_spec.name, unnamed_spec.type) == ("VitrineStack-ReplayWorkflow", "STANDARD")


def test_a_role_that_is_not_provisioned_gets_a_well_formed_arn():
    template, machine = template_with(
        DefinitionString="{}", RoleArn={"Fn::GetAtt": ["UnprovisionedRole", "Arn"]}
    )

    role_arn = state_machine_spec(template, machine).role_arn

    assert role_arn == "arn:aws:iam::123456789012:role/VitrineStack-ReplayWorkflow-role"


def test_a_definition_in_s3_is_refused_with_the_resource_named():
    template, machine = template_with(DefinitionS3Location={"Bucket": "b", "Key": "k"})

    with pytest.raises(UnresolvableValue, match="ReplayWorkflow"):
        state_machine_spec(template, machine)
