"""Step Functions executions on the embedded AWS whose tasks invoke the local functions.

moto runs Amazon States Language itself (its `stepfunctions.parser`) once told to execute state
machines. Every task it runs (Lambda, SQS, DynamoDB, EventBridge, nested executions, S3 item
readers) gets its AWS client from one factory, `boto_client_for`, which aims it at
`localhost:$MOTO_PORT`: moto's own Lambda (which needs Docker) and, for the other services, a
port that is wrong whenever moto listens elsewhere. The bridge re-aims that factory: Lambda at
the local gateway's Invoke API, every other service at the embedded AWS.

It patches moto in-process, so it only works in the process that runs the moto server."""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3


@dataclass(frozen=True, slots=True)
class _LocalBoto3:
    """Stands in for the `boto3` module inside moto's client factory: the same clients, with
    their endpoint replaced. Patching the factory's one global reaches every module that
    imported `boto_client_for` by name, including those imported later."""

    aws_endpoint: str
    lambda_endpoint: str

    def client(self, *args: Any, service_name: str, **kwargs: Any) -> Any:
        kwargs["endpoint_url"] = (
            self.lambda_endpoint if service_name == "lambda" else self.aws_endpoint
        )
        return boto3.client(*args, service_name=service_name, **kwargs)


def _client_factory_module() -> Any:
    # Any: its `boto3` global is replaced below. Imported on demand: the parser (an ANTLR
    # grammar) is heavy and only needed here.
    from moto.stepfunctions.parser.asl.utils import boto_client

    return boto_client


def _sfn_config() -> Any:
    """moto's switch between recording executions and running them (read on every request)."""
    from moto.core.config import default_user_config

    return default_user_config["stepfunctions"]


def enable_local_executions(*, aws_endpoint: str, lambda_endpoint: str) -> None:
    """Make the in-process moto server execute state machines, with Lambda tasks sent to
    `lambda_endpoint` (Lambda's Invoke REST API) and every other task to `aws_endpoint`.

    Call it before state machines are created: moto keeps executable machines in a separate
    backend, so machines created earlier are not visible once this is on. Idempotent; a second
    call re-aims the clients."""
    _sfn_config()["execute_state_machine"] = True
    _client_factory_module().boto3 = _LocalBoto3(
        aws_endpoint=aws_endpoint.rstrip("/"), lambda_endpoint=lambda_endpoint.rstrip("/")
    )


def disable_local_executions() -> None:
    """Undo `enable_local_executions`: moto records executions without running them again."""
    _sfn_config()["execute_state_machine"] = False
    _client_factory_module().boto3 = boto3


@contextlib.contextmanager
def local_executions(*, aws_endpoint: str, lambda_endpoint: str) -> Iterator[None]:
    """`enable_local_executions` for the block, then moto exactly as it was before (tests)."""
    module, config = _client_factory_module(), _sfn_config()
    saved = module.boto3, config.get("execute_state_machine", False)
    enable_local_executions(aws_endpoint=aws_endpoint, lambda_endpoint=lambda_endpoint)
    try:
        yield
    finally:
        module.boto3, config["execute_state_machine"] = saved


def local_executions_enabled() -> bool:
    return isinstance(_client_factory_module().boto3, _LocalBoto3) and bool(
        _sfn_config().get("execute_state_machine")
    )


def served_in_this_process(endpoint: str, *, region: str = "us-east-1") -> bool:
    """Whether `endpoint` is a moto server running in this process, the only kind the bridge
    can reach: against LocalStack or AWS, their own Step Functions run the workflows."""
    import uuid

    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    name = f"vitrine-probe-{uuid.uuid4().hex[:8]}"
    sqs = boto3.client("sqs", region_name=region, endpoint_url=endpoint)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    try:
        return name in sqs_backends[DEFAULT_ACCOUNT_ID][region].queues
    finally:
        sqs.delete_queue(QueueUrl=url)
