"""State machines provisioned from a template run on the embedded AWS (moto's executor), their
Lambda tasks invoking functions through Lambda's Invoke API served over HTTP, as the local
gateway serves it. A fake `Invoker` behind that API stands in for the local functions."""

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from local.awslambda.invocation import FunctionError, Invocation, UnknownFunction
from local.awslambda.invoke_api import lambda_invoke_routes
from local.cloudformation.template import Resource, Template
from local.stepfunctions import local_executions, provision_state_machines
from local.stepfunctions.bridge import served_in_this_process
from tests.conftest import free_port

pytestmark = pytest.mark.integration

REGION = "us-east-1"
ACCOUNT = "123456789012"
LAMBDA_PREFIX = "/local/lambda"  # a path prefix, as the gateway mounts the Invoke API


class Flaky(Exception):
    """A custom error the workflow retries (its errorType is the class name)."""


@dataclass
class FakeInvoker:
    """Functions by name, each a Python callable of the event; counts and records calls."""

    functions: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    events: dict[str, list[Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, behaviour: Callable[[Any], Any]) -> str:
        name = f"fn-{uuid.uuid4().hex[:10]}"
        self.functions[name] = behaviour
        return name

    def invoke(self, function: str, event: Any, *, trigger: str) -> Invocation:
        name = function.split(":")[6] if function.startswith("arn:") else function.split(":")[0]
        if name not in self.functions:
            raise UnknownFunction(function)
        with self.lock:
            self.calls[name] += 1
            self.events.setdefault(name, []).append(event)
        try:
            payload = self.functions[name](event)
        except Exception as error:
            return Invocation(name, None, FunctionError(type(error).__name__, str(error)))
        return Invocation(name, payload)


@dataclass
class LambdaApi:
    invoker: FakeInvoker
    endpoint: str  # with the path prefix
    release: threading.Event  # lets the deliberately slow functions return


@pytest.fixture(scope="module")
def lambda_api() -> Iterator[LambdaApi]:
    """The stand-in for the gateway's Invoke API: uvicorn in a thread, at a path prefix."""
    invoker, release = FakeInvoker(), threading.Event()
    app = Starlette(routes=[Mount(LAMBDA_PREFIX, routes=lambda_invoke_routes(invoker))])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.025)
    assert server.started, "the Invoke API stand-in did not start"
    try:
        yield LambdaApi(invoker, f"http://127.0.0.1:{port}{LAMBDA_PREFIX}", release)
    finally:
        release.set()
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def sfn(aws_endpoint: str, lambda_api: LambdaApi) -> Iterator[Any]:
    """A Step Functions client whose executions run, with Lambda tasks sent to the stand-in."""
    if not served_in_this_process(aws_endpoint, region=REGION):
        pytest.skip(
            f"AWS_ENDPOINT_URL={aws_endpoint} is not the in-process moto server: "
            "the Step Functions bridge patches moto in the process that runs it"
        )
    with local_executions(aws_endpoint=aws_endpoint, lambda_endpoint=lambda_api.endpoint):
        yield boto3.client("stepfunctions", region_name=REGION, endpoint_url=aws_endpoint)


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def cdk_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition as CDK synthesizes it: JSON text cut around each function's ARN, joined
    back by `Fn::Join` with `Fn::GetAtt`s. `"<<Logical>>"` marks where a function's ARN goes."""
    pieces = json.dumps(definition).split("<<")
    parts: list[Any] = [pieces[0]]
    for piece in pieces[1:]:
        logical_id, rest = piece.split(">>", 1)
        parts += [{"Fn::GetAtt": [logical_id, "Arn"]}, rest]
    return {"Fn::Join": ["", parts]}


def replay_like_definition() -> dict[str, Any]:
    """Resolve (retried, caught) -> Chapters (a Map) -> Publish (a timeout, caught); failures
    go to MarkFailed, a fallback task."""

    def invoke(function: str, **extra: Any) -> dict[str, Any]:
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": f"<<{function}>>", "Payload.$": "$"},
            **extra,
        }

    to_fallback = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "MarkFailed"}]
    return {
        "StartAt": "Resolve",
        "States": {
            "Resolve": invoke(
                "ResolveFunction",
                ResultSelector={"show.$": "$.Payload"},
                Retry=[
                    {
                        "ErrorEquals": ["Flaky"],
                        "IntervalSeconds": 1,  # the parser sleeps it for real; 1 is its minimum
                        "MaxAttempts": 2,
                        "BackoffRate": 1,
                    }
                ],
                Catch=to_fallback,
                Next="Chapters",
            ),
            "Chapters": {
                "Type": "Map",
                "ItemsPath": "$.show.products",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Chapter",
                    "States": {
                        "Chapter": invoke("ChapterFunction", OutputPath="$.Payload", End=True)
                    },
                },
                "ResultPath": "$.chapters",
                "Next": "Publish",
            },
            "Publish": invoke(
                "PublishFunction",
                TimeoutSeconds=1,
                OutputPath="$.Payload",
                Catch=to_fallback,
                End=True,
            ),
            "MarkFailed": invoke("MarkFailedFunction", OutputPath="$.Payload", End=True),
        },
    }


@dataclass
class Workflow:
    arn: str
    functions: dict[str, str]  # logical id -> function name


@pytest.fixture
def workflow(sfn: Any, lambda_api: LambdaApi) -> Callable[..., Workflow]:
    """`workflow(Resolve=..., Chapter=...)`: the replay-like machine provisioned from a
    template, its functions behaving as given (the others succeed)."""

    def create(**behaviours: Callable[[Any], Any]) -> Workflow:
        defaults: dict[str, Callable[[Any], Any]] = {
            "Resolve": lambda event: {"show": event["show"], "products": ["p1", "p2", "p3"]},
            "Chapter": lambda product: {"chapter": product},
            "Publish": lambda event: {
                "published": event["show"]["show"],
                "chapters": len(event["chapters"]),
            },
            "MarkFailed": lambda event: {"failed": event["error"]["Error"]},
        }
        template = Template(stack_name=f"Test{uuid.uuid4().hex[:8]}", resources={})
        functions = {}
        for role, behaviour in (defaults | behaviours).items():
            name = lambda_api.invoker.add(behaviour)
            functions[role] = name
            template.provide(f"{role}Function", Ref=name, Arn=function_arn(name))
        machine = Resource(
            "ReplayWorkflow",
            "AWS::StepFunctions::StateMachine",
            {"DefinitionString": cdk_definition(replay_like_definition())},
        )
        template.resources[machine.logical_id] = machine
        provision_state_machines(template, sfn)
        return Workflow(template.resolve({"Ref": machine.logical_id}), functions)

    return create


def run(sfn: Any, machine_arn: str, execution_input: dict[str, Any]) -> dict[str, Any]:
    """Start an execution and poll (bounded) until it stops; its description."""
    execution_arn = sfn.start_execution(
        stateMachineArn=machine_arn, name=uuid.uuid4().hex, input=json.dumps(execution_input)
    )["executionArn"]
    for _ in range(600):
        description: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if description["status"] != "RUNNING":
            return description
        time.sleep(0.05)
    raise AssertionError(f"{execution_arn} still RUNNING after polling")


def history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = sfn.get_execution_history(executionArn=execution_arn)["events"]
    return events


def test_a_workflow_runs_to_succeeded_with_the_selected_outputs(sfn, workflow):
    machine = workflow()

    execution = run(sfn, machine.arn, {"show": "show-1"})

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"published": "show-1", "chapters": 3}


def test_the_map_state_invokes_its_function_once_per_item(sfn, workflow, lambda_api):
    machine = workflow()

    run(sfn, machine.arn, {"show": "show-1"})

    chapter = machine.functions["Chapter"]
    assert lambda_api.invoker.calls[chapter] == 3
    assert sorted(lambda_api.invoker.events[chapter]) == ["p1", "p2", "p3"]


def test_a_function_that_fails_once_is_retried_and_the_history_shows_both(
    sfn, workflow, lambda_api
):
    attempts = Counter[str]()

    def fails_once(event: Any) -> Any:
        attempts["resolve"] += 1
        if attempts["resolve"] == 1:
            raise Flaky("IVS event not there yet")
        return {"show": event["show"], "products": []}

    machine = workflow(Resolve=fails_once)

    execution = run(sfn, machine.arn, {"show": "show-2"})

    assert execution["status"] == "SUCCEEDED"
    assert lambda_api.invoker.calls[machine.functions["Resolve"]] == 2
    events = history(sfn, execution["executionArn"])
    outcomes = [e["type"] for e in events if e["type"] in ("TaskFailed", "TaskSucceeded")]
    assert outcomes[:2] == ["TaskFailed", "TaskSucceeded"]
    failed = next(e for e in events if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert failed["error"] == "Flaky"
    assert json.loads(failed["cause"])["errorMessage"] == "IVS event not there yet"
    assert events[-1]["type"] == "ExecutionSucceeded"


def test_a_function_that_always_fails_exhausts_the_retries_and_lands_in_the_catch(
    sfn, workflow, lambda_api
):
    def always_fails(event: Any) -> Any:
        raise Flaky("recording metadata missing")

    machine = workflow(Resolve=always_fails)

    execution = run(sfn, machine.arn, {"show": "show-3"})

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"failed": "Flaky"}
    assert lambda_api.invoker.calls[machine.functions["Resolve"]] == 3  # 1 + MaxAttempts
    assert lambda_api.invoker.calls[machine.functions["Chapter"]] == 0


def test_a_task_slower_than_its_timeout_fails_with_states_timeout_into_the_catch(
    sfn, workflow, lambda_api
):
    def slow(event: Any) -> Any:
        lambda_api.release.wait(timeout=30)  # outlives the task's TimeoutSeconds
        return {"published": "too late"}

    machine = workflow(Publish=slow)

    execution = run(sfn, machine.arn, {"show": "show-4"})

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"failed": "States.Timeout"}
    types = [e["type"] for e in history(sfn, execution["executionArn"])]
    assert "TaskTimedOut" in types


def test_a_workflow_without_a_catch_fails_and_describe_execution_reports_the_error(sfn, lambda_api):
    def fails(event: Any) -> Any:
        raise ValueError("no show")

    name = lambda_api.invoker.add(fails)
    template = Template(stack_name=f"Test{uuid.uuid4().hex[:8]}", resources={})
    template.provide("Step", Arn=function_arn(name))
    template.resources["Bare"] = Resource(
        "Bare",
        "AWS::StepFunctions::StateMachine",
        {
            "Definition": {
                "StartAt": "S",
                "States": {
                    "S": {"Type": "Task", "Resource": {"Fn::GetAtt": ["Step", "Arn"]}, "End": True}
                },
            }
        },
    )
    provision_state_machines(template, sfn)

    execution = run(sfn, template.resolve({"Ref": "Bare"}), {})

    assert execution["status"] == "FAILED"
    assert execution["error"] == "ValueError"
    types = [e["type"] for e in history(sfn, execution["executionArn"])]
    assert "LambdaFunctionFailed" in types
    assert types[-1] == "ExecutionFailed"


def test_provisioning_is_idempotent_and_updates_the_definition(sfn, lambda_api):
    first, second = (
        lambda_api.invoker.add(lambda e: {"version": 1}),
        lambda_api.invoker.add(lambda e: {"version": 2}),
    )
    stack = f"Test{uuid.uuid4().hex[:8]}"

    def provision(function: str) -> Template:
        template = Template(stack_name=stack, resources={})
        template.provide("Step", Arn=function_arn(function))
        template.resources["Machine"] = Resource(
            "Machine",
            "AWS::StepFunctions::StateMachine",
            {
                "DefinitionString": cdk_definition(
                    {
                        "StartAt": "S",
                        "States": {"S": {"Type": "Task", "Resource": "<<Step>>", "End": True}},
                    }
                ),
                "StateMachineType": "EXPRESS",
            },
        )
        provision_state_machines(template, sfn)
        return template

    provision(first)
    template = provision(second)

    arn = template.resolve({"Ref": "Machine"})
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert (
        described["name"]
        == template.resolve({"Fn::GetAtt": ["Machine", "Name"]})
        == f"{stack}-Machine"
    )
    assert described["type"] == "EXPRESS"
    assert json.loads(described["definition"])["States"]["S"]["Resource"] == function_arn(second)
    assert json.loads(run(sfn, arn, {})["output"]) == {"version": 2}


# Lambda's Invoke API as boto3 sees it (what the gateway mounts for Step Functions and others).


@pytest.fixture(scope="module")
def lambda_client(lambda_api: LambdaApi) -> Any:
    return boto3.client("lambda", region_name=REGION, endpoint_url=lambda_api.endpoint)


def test_invoke_returns_the_result_for_a_name_or_an_arn(lambda_client, lambda_api):
    name = lambda_api.invoker.add(lambda event: {"echo": event})

    by_name = lambda_client.invoke(FunctionName=name, Payload=b'{"a": 1}')
    by_arn = lambda_client.invoke(FunctionName=function_arn(name), Payload=b'{"a": 2}')

    assert by_name["StatusCode"] == 200
    assert "FunctionError" not in by_name
    assert json.load(by_name["Payload"]) == {"echo": {"a": 1}}
    assert json.load(by_arn["Payload"]) == {"echo": {"a": 2}}


def test_invoke_reports_a_function_error_as_lambda_does(lambda_client, lambda_api):
    def fails(event: Any) -> Any:
        raise Flaky("try again")

    response = lambda_client.invoke(FunctionName=lambda_api.invoker.add(fails), Payload=b"{}")

    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = json.load(response["Payload"])
    assert (error["errorType"], error["errorMessage"]) == ("Flaky", "try again")
    assert error["stackTrace"] == []


def test_an_event_invocation_answers_202_and_runs_in_the_background(lambda_client, lambda_api):
    release, finished = threading.Event(), threading.Event()

    def blocks(event: Any) -> Any:
        release.wait(timeout=5)
        finished.set()

    name = lambda_api.invoker.add(blocks)
    try:
        response = lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
        assert response["StatusCode"] == 202
        assert not finished.is_set()  # answered while the function still runs
    finally:
        release.set()
    assert finished.wait(timeout=10)


def test_an_unknown_function_is_resource_not_found(lambda_client):
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException, match="not found"):
        lambda_client.invoke(FunctionName="no-such-function", Payload=b"{}")
