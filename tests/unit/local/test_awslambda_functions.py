"""Which functions of a template run locally, and what each is given."""

from local import REPO_ROOT
from local.awslambda.functions import local_functions, provide_functions
from local.awslambda.invocation import FunctionError, Invocation
from local.awslambda.logs import invocation_line
from local.cloudformation.template import Resource, Template


def template() -> Template:
    resources = {
        "ConnectHandler1A2B3C4D": Resource(
            "ConnectHandler1A2B3C4D",
            "AWS::Lambda::Function",
            {
                "Handler": "functions.chat.handlers.connect.handler",
                "Timeout": 10,
                "MemorySize": 256,
                "ReservedConcurrentExecutions": 2,
                "Role": {"Fn::GetAtt": ["ConnectRole", "Arn"]},
                "Environment": {"Variables": {"VITRINE_EVENTS_TABLE": {"Ref": "Events"}}},
            },
        ),
        "BucketDeploymentAAAABBBB": Resource(  # CDK's helper: not Vitrine's code
            "BucketDeploymentAAAABBBB", "AWS::Lambda::Function", {"Handler": "index.handler"}
        ),
        "Events": Resource("Events", "AWS::DynamoDB::Table", {}),
    }
    built = Template(stack_name="Stack", resources=resources)
    built.provide("Events", Ref="Stack-Events")
    return built


def test_only_the_projects_functions_run_locally_with_their_settings() -> None:
    stack = template()
    provide_functions(stack)
    (function,) = local_functions(stack, REPO_ROOT)
    assert function.name == "Stack-ConnectHandler1A2B3C4D"
    assert function.arn.endswith(":function:Stack-ConnectHandler1A2B3C4D")
    assert function.environment == {"VITRINE_EVENTS_TABLE": "Stack-Events"}
    assert (function.timeout_seconds, function.memory_mb) == (10, 256)
    assert function.reserved_concurrency == 2
    assert function.role_logical_id == "ConnectRole"
    assert function.display_name == "ConnectHandler"


def test_an_invocation_is_one_readable_line() -> None:
    stack = template()
    provide_functions(stack)
    (function,) = local_functions(stack, REPO_ROOT)
    cold = Invocation("f", None, cold_start=True, init_ms=412.4, duration_ms=530.2)
    failed = Invocation("f", None, FunctionError("ValueError", "bad input\nmore"), 3.0)
    assert "cold 412 ms init" in invocation_line(function, "sqs", cold)
    assert invocation_line(function, "sqs", cold).startswith("ConnectHandler ")
    line = invocation_line(function, "ws $default", failed)
    assert line.endswith("ERROR ValueError: bad input")
    assert "warm" in line
