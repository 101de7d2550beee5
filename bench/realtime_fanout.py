"""Fan-out: one frame to 1,000 and to 10,000 connections, through a local @connections stand-in
that answers every post 10 ms after it arrives (what a call from Lambda to API Gateway in its
region takes), beside the common sequential `for id in ids: post_to_connection(...)` loop,
measured in the same run against the same stand-in.

Ours is `deliver` (logic/delivery.py): up to the shard size (1,000) it posts from its own
process with ConnectionsApi's thread pool; above, it puts shards on an SQS queue (the embedded
moto) and the shard function (handlers/fanout_shard.py) posts them, run by the local runtime's
SQS event source mapping in worker processes, as parallel Lambda environments would run it.
Processes, not threads: botocore spends ~0.6 ms of CPU on every post, so one interpreter tops
out near 1,500 posts/s, below 20x a loop that waits 10 ms per post. Environments are warm.

    uv run python -m bench.realtime_fanout        (this part alone; `python -m bench realtime`)
"""

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from local import REPO_ROOT

DELAY_S = 0.010  # added to every @connections call
SHARD_SIZE = 1_000
WORKERS = 4  # environments of the shard function: 2 cores, and each also waits on the network
ROUNDS = 3  # ours is the median of this many warm rounds; the slow loop runs once per size
REGION, ACCOUNT = "us-east-1", "123456789012"
FRAME = json.dumps({"type": "updates", "show_id": "bench-show", "updates": [
    {"kind": "message", "message": {"message_id": "m1", "author_id": "v1", "author_name": "Ana",
                                    "text": "Is the blue one in stock?",
                                    "at": "2026-01-01T20:00:00Z"}}]}).encode()  # fmt: skip


# --- the @connections stand-in: a lean asyncio HTTP server, run in a process of its own -------


class _StandInProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive; POST /<stage>/@connections/<id> answers 200 after DELAY_S;
    GET /stats answers how many posts (and distinct connections) it has seen."""

    posts = 0
    connections: set[bytes] = set()  # noqa: RUF012 (one server per process)

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            method, path, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
            if method == b"GET" and path == b"/stats":
                self._stats()
            else:
                cls = type(self)
                cls.posts += 1
                cls.connections.add(path.rpartition(b"/")[2])
                asyncio.get_running_loop().call_later(DELAY_S, self._ok)

    def _ok(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    def _stats(self) -> None:
        body = json.dumps({"posts": self.posts, "connections": len(self.connections)}).encode()
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


async def _serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(
        _StandInProtocol, "127.0.0.1", port, backlog=1024
    )
    print("ready", flush=True)
    await server.serve_forever()


class StandIn:
    def __init__(self, port: int) -> None:
        self.endpoint = f"http://127.0.0.1:{port}/local"
        self._stats_url = f"http://127.0.0.1:{port}/stats"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.realtime_fanout", "serve", str(port)],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self._process.stdout is not None
        if self._process.stdout.readline().strip() != "ready":
            raise RuntimeError("the @connections stand-in did not start")

    def stats(self) -> tuple[int, int]:
        with urllib.request.urlopen(self._stats_url, timeout=10) as answer:
            counts = json.loads(answer.read())
        return counts["posts"], counts["connections"]

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)


# --- the three ways of posting ----------------------------------------------------------------


def sequential_loop(endpoint: str, ids: list[str]) -> tuple[float, float]:
    """The common loop, with boto3's default client: posts/s, and CPU ms per post."""
    import boto3

    client = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint, region_name=REGION)
    client.post_to_connection(ConnectionId="warm-up", Data=FRAME)
    started, cpu = time.perf_counter(), time.process_time()
    for connection_id in ids:
        client.post_to_connection(ConnectionId=connection_id, Data=FRAME)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return len(ids) / seconds, cpu / len(ids) * 1000


class Fanout:
    """`deliver` as the fan-out function calls it, with the shard function's environments
    polling the queue (local runtime: worker processes, SQS event source mapping)."""

    def __init__(self, stand_in: StandIn, work: Path) -> None:
        from functions.chat.adapters.connections_api import ConnectionsApi
        from functions.chat.adapters.fanout_queue import FanoutQueue
        from functions.common import aws
        from local.awslambda.environment import WorkerSettings
        from local.awslambda.service import LambdaService
        from local.embedded_aws.sqs import provision_queues
        from local.event_sources.pollers import EventSourcePollers

        self.stand_in = stand_in
        self.template = _shard_worker_template()
        provision_queues(self.template, aws.client("sqs"))
        queue_url = str(self.template.resolve({"Ref": "FanoutQueue"}))
        function = _shard_function(
            {
                "VITRINE_WEBSOCKET_ENDPOINT": stand_in.endpoint,
                "VITRINE_FANOUT_QUEUE_URL": queue_url,
                "VITRINE_FANOUT_SHARD_SIZE": str(SHARD_SIZE),
                "VITRINE_CONNECTIONS_TABLE": "bench-connections",  # nobody is gone here
                "POWERTOOLS_SERVICE_NAME": "fanout-shard",
                "POWERTOOLS_METRICS_NAMESPACE": "VitrineBench",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "WARNING",
            }
        )
        aws_environment = {
            name: os.environ[name]
            for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        } | {"AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI": stand_in.endpoint}
        settings = WorkerSettings(REPO_ROOT, work / "logs", aws_environment, REGION, ACCOUNT)
        self.service = LambdaService([function], settings, concurrency=WORKERS)
        self.pollers = EventSourcePollers(self.template, self.service, aws.client)
        self.pollers.start()
        self.api = ConnectionsApi.from_endpoint(stand_in.endpoint)
        self.queue = FanoutQueue(queue_url)

    def rate(self, ids: list[str]) -> float:
        """Posts/s from `deliver`'s call until the stand-in has answered every post."""
        from functions.chat.adapters.delivery import deliver

        posts_before, _ = self.stand_in.stats()
        shards_before = self.pollers.stats("ShardMapping").delivered
        started = time.perf_counter()
        report = deliver(FRAME, ids, show_id="bench-show", api=self.api, queue=self.queue,
                         shard_size=SHARD_SIZE)  # fmt: skip
        while self.pollers.stats("ShardMapping").delivered < shards_before + report.shards:
            if time.perf_counter() - started > 300:
                raise TimeoutError("the shard workers did not deliver every shard")
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        posts, _ = self.stand_in.stats()
        if posts - posts_before != len(ids) or report.failed or report.requeued:
            raise RuntimeError(f"{posts - posts_before} posts for {len(ids)} viewers: {report}")
        return len(ids) / seconds

    def stop(self) -> None:
        self.pollers.stop()
        self.service.stop()


def _shard_worker_template() -> Any:
    from local.cloudformation.template import Resource, Template

    resources = {
        "FanoutQueue": Resource("FanoutQueue", "AWS::SQS::Queue", {"VisibilityTimeout": 60}),
        "FanoutShard0A1B2C3D": Resource(
            "FanoutShard0A1B2C3D",
            "AWS::Lambda::Function",
            {"Handler": "functions.chat.handlers.fanout_shard.handler"},
        ),
        "ShardMapping": Resource(
            "ShardMapping",
            "AWS::Lambda::EventSourceMapping",
            {
                "FunctionName": {"Ref": "FanoutShard0A1B2C3D"},
                "EventSourceArn": {"Fn::GetAtt": ["FanoutQueue", "Arn"]},
                "BatchSize": 1,  # a shard per invocation: shards run side by side
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": WORKERS},
            },
        ),
    }
    template = Template(stack_name=f"BenchFanout{uuid.uuid4().hex[:6]}", resources=resources)
    function = _shard_function({})
    template.provide("FanoutShard0A1B2C3D", Ref=function.name, Arn=function.arn)
    return template


def _shard_function(environment: dict[str, str]) -> Any:
    from local.awslambda.functions import LocalFunction

    return LocalFunction(
        logical_id="FanoutShard0A1B2C3D",
        name="BenchFanoutShard",
        arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:BenchFanoutShard",
        handler="functions.chat.handlers.fanout_shard.handler",
        environment=environment,
        timeout_seconds=60,
        memory_mb=1769,  # one full vCPU in Lambda
        reserved_concurrency=None,
        role_logical_id=None,
    )


@contextmanager
def _embedded_aws() -> Iterator[None]:
    import logging

    from moto.server import ThreadedMotoServer

    from tests.conftest import free_port

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = dict(os.environ)
    os.environ.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="bench",
                      AWS_SECRET_ACCESS_KEY="bench", AWS_REGION=REGION)  # fmt: skip
    try:
        yield
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)


def measure() -> dict[str, float]:
    """`fanout_speedup_1k` and `fanout_speedup_10k`: our posts/s over the loop's, same run."""
    from tests.conftest import free_port

    results: dict[str, float] = {}
    with _embedded_aws(), tempfile.TemporaryDirectory() as work:
        stand_in = StandIn(free_port())
        os.environ["AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"] = stand_in.endpoint
        fanout = Fanout(stand_in, Path(work))
        try:
            for label, size in (("1k", 1_000), ("10k", 10_000)):
                ids = [f"bench-{label}-{n:06d}=" for n in range(size)]
                fanout.rate(ids)  # warm: every environment started, pools and connections open
                # Ours before and after the slow loop, so that a change in the machine's load
                # during the loop (other programs share the 2 cores) skews neither side.
                ours = [fanout.rate(ids)]
                loop, cpu_ms = sequential_loop(stand_in.endpoint, ids)
                ours += [fanout.rate(ids) for _ in range(ROUNDS - 1)]
                speedup = statistics.median(ours) / loop
                results[f"fanout_speedup_{label}"] = round(speedup, 1)
                rounds = ", ".join(f"{rate:.0f}" for rate in ours)
                print(
                    f"fan-out to {size:>6,}: loop {loop:6.1f} posts/s ({cpu_ms:.2f} ms CPU a "
                    f"post), ours {statistics.median(ours):7.1f} posts/s ({rounds}): "
                    f"{speedup:.1f}x",
                    flush=True,
                )
        finally:
            fanout.stop()
            stand_in.stop()
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        asyncio.run(_serve(int(sys.argv[2])))
    else:
        print(json.dumps(measure(), indent=2))
