"""The local runtime's own cost: one warm invocation through a worker against calling the
handler in-process, and how many records per second the SQS and DynamoDB stream pollers
deliver to a function that does nothing. Results in bench/results/local_runtime.json.

    uv run python -m bench local_runtime
"""

import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.handlers import noop
from local import REPO_ROOT
from local.awslambda.context import LambdaContext
from local.awslambda.environment import WorkerSettings
from local.awslambda.functions import LocalFunction
from local.awslambda.service import LambdaService
from local.cloudformation.template import Resource, Template

RESULTS = REPO_ROOT / "bench" / "results" / "local_runtime.json"
INVOCATIONS = 1_000
RECORDS = 1_000
REGION, ACCOUNT = "us-east-1", "123456789012"


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _noop_function(name: str) -> LocalFunction:
    return LocalFunction(
        logical_id=f"{name}0A1B2C3D",
        name=name,
        arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
        handler="bench.handlers.noop",
        environment={},
        timeout_seconds=30,
        memory_mb=128,
        reserved_concurrency=None,
        role_logical_id=None,
    )


def _service(work: Path, aws_environment: dict[str, str], concurrency: int) -> LambdaService:
    settings = WorkerSettings(REPO_ROOT, work / "logs", aws_environment, REGION, ACCOUNT)
    return LambdaService([_noop_function("BenchNoop")], settings, concurrency=concurrency)


def invocation_overhead(work: Path) -> dict[str, float]:
    service = _service(work, {}, concurrency=1)
    try:
        service.invoke("BenchNoop", {}, trigger="bench")  # the cold start is not measured
        invoked = []
        for _ in range(INVOCATIONS):
            started = time.perf_counter()
            service.invoke("BenchNoop", {"n": 1}, trigger="bench")
            invoked.append((time.perf_counter() - started) * 1000)
    finally:
        service.stop()
    context = LambdaContext("BenchNoop", "id", "arn")
    direct = []
    for _ in range(INVOCATIONS):
        started = time.perf_counter()
        noop({"n": 1}, context)
        direct.append((time.perf_counter() - started) * 1000)
    return {
        "invoke_overhead_p50_ms": round(statistics.median(invoked), 3),
        "invoke_overhead_p99_ms": round(_percentile(invoked, 0.99), 3),
        "direct_call_p50_ms": round(statistics.median(direct), 5),
    }


def _mapping_template(source: dict[str, Any], mapping: dict[str, Any]) -> Template:
    """A template holding one source, the no-op function and the mapping between them."""
    resources = {
        "Source": Resource("Source", source["Type"], source["Properties"]),
        "BenchNoop0A1B2C3D": Resource(
            "BenchNoop0A1B2C3D", "AWS::Lambda::Function", {"Handler": "bench.handlers.noop"}
        ),
        "Mapping": Resource(
            "Mapping",
            "AWS::Lambda::EventSourceMapping",
            {"FunctionName": {"Ref": "BenchNoop0A1B2C3D"}, **mapping},
        ),
    }
    template = Template(stack_name=f"Bench{uuid.uuid4().hex[:6]}", resources=resources)
    template.provide("BenchNoop0A1B2C3D", Ref="BenchNoop", Arn=_noop_function("BenchNoop").arn)
    return template


def _wait_until(done: Any, timeout: float = 300) -> float:
    started = time.perf_counter()
    while not done():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the poller did not deliver every record in time")
        time.sleep(0.01)
    return time.perf_counter() - started


def _raw_sqs_rate(sqs: Any, url: str) -> float:
    """The embedded SQS alone: receive and delete the same backlog with no function at all."""
    for start in range(0, RECORDS, 10):
        entries = [{"Id": str(n), "MessageBody": f"{n}"} for n in range(start, start + 10)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    started, received = time.perf_counter(), 0
    while received < RECORDS:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if messages:
            handles = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                       for n, m in enumerate(messages)]  # fmt: skip
            sqs.delete_message_batch(QueueUrl=url, Entries=handles)
        received += len(messages)
    return RECORDS / (time.perf_counter() - started)


# Measured beside the results for the table; not part of the result file's keys.
baselines: dict[str, float] = {}


def _deliver_all(template: Template, service: LambdaService) -> float:
    """Seconds the template's one mapping takes to deliver RECORDS records."""
    from functions.common import aws
    from local.event_sources.pollers import EventSourcePollers

    pollers = EventSourcePollers(template, service, aws.client)
    pollers.start()
    try:
        return _wait_until(lambda: pollers.stats("Mapping").delivered >= RECORDS)
    finally:
        pollers.stop()


def poller_throughput(work: Path, endpoint: str) -> dict[str, float]:
    from functions.common import aws
    from local.embedded_aws import provision
    from local.embedded_aws.sqs import provision_queues

    environment = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench",
                   "AWS_SECRET_ACCESS_KEY": "bench"}  # fmt: skip
    service = _service(work, environment, concurrency=4)
    results: dict[str, float] = {}
    try:
        # SQS: every record through batches of 10, no partial failures.
        queue = _mapping_template(
            {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
            {"EventSourceArn": {"Fn::GetAtt": ["Source", "Arn"]}, "BatchSize": 10},
        )
        provision_queues(queue, aws.client("sqs"))
        url = queue.resolve({"Ref": "Source"})
        sqs = aws.client("sqs")
        for start in range(0, RECORDS, 10):
            entries = [{"Id": str(n), "MessageBody": f"{n}"} for n in range(start, start + 10)]
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        results["sqs_records_per_s"] = round(RECORDS / _deliver_all(queue, service), 1)
        baselines["sqs_receive_delete_per_s"] = round(_raw_sqs_rate(sqs, url), 1)

        # DynamoDB stream: every record, in order, in batches of 100.
        stream = _mapping_template(
            {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
                },
            },
            {
                "EventSourceArn": {"Fn::GetAtt": ["Source", "StreamArn"]},
                "BatchSize": 100,
                "StartingPosition": "TRIM_HORIZON",
            },
        )
        provision.provision(stream, aws.client)
        table = stream.resolve({"Ref": "Source"})
        dynamodb = aws.client("dynamodb")
        for n in range(RECORDS):
            dynamodb.put_item(TableName=table, Item={"pk": {"S": f"item-{n}"}})
        results["stream_records_per_s"] = round(RECORDS / _deliver_all(stream, service), 1)
    finally:
        service.stop()
    return results


def main() -> dict[str, float]:
    import logging
    import os

    from moto.server import ThreadedMotoServer

    from tests.conftest import free_port

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = dict(os.environ)
    os.environ.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="bench",
                      AWS_SECRET_ACCESS_KEY="bench", AWS_REGION=REGION)  # fmt: skip
    try:
        with tempfile.TemporaryDirectory() as work:
            results = invocation_overhead(Path(work)) | poller_throughput(Path(work), endpoint)
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'measure':<30} {'value':>12}")
    for key, value in (results | baselines).items():
        print(f"{key:<30} {value:>12}")
    print(f"written to {RESULTS.relative_to(REPO_ROOT)}")
    return results


if __name__ == "__main__":
    main()
