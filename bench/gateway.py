"""The local gateway under concurrent clients: REST `GET /shows/{id}` and WebSocket `$connect`
served by one execution environment per function (how the foundation served them, one
invocation at a time) and by several, in the same run. Report: bench/results/gateway.md.

    uv run python -m bench gateway
"""

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import websockets

from local import REPO_ROOT
from local.apigateway.server import BackgroundServer
from local.runtime import LocalRuntime, RuntimeOptions
from local.seed import DEMO_SHOW_ID

RESULTS = REPO_ROOT / "bench" / "results" / "gateway.md"
TEMPLATE = REPO_ROOT / "cdk.out" / "VitrineStack.template.json"
CLIENTS = 16  # concurrent clients
REQUESTS = 400
CONNECTIONS = 200
ROUNDS = 3  # each figure is the median of this many rounds


async def _rest_rate(base_url: str) -> float:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:

        async def get_all(count: int) -> float:
            numbers = iter(range(count))

            async def client() -> None:
                for _ in numbers:
                    (await http.get(f"/api/shows/{DEMO_SHOW_ID}")).raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(CLIENTS)))
            return count / (time.perf_counter() - started)

        await get_all(CLIENTS * 4)  # concurrently, so every environment starts before timing
        return await get_all(REQUESTS)


async def _connect_rate(ws_url: str) -> float:
    async def connect_all(count: int) -> float:
        numbers = iter(range(count))

        async def client() -> None:
            for _ in numbers:
                url = f"{ws_url}?show={DEMO_SHOW_ID}&viewer=bench-{uuid.uuid4().hex[:12]}"
                async with websockets.connect(url, open_timeout=60):
                    pass

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
        return count / (time.perf_counter() - started)

    await connect_all(CLIENTS * 4)  # concurrently, so every environment starts before timing
    return await connect_all(CONNECTIONS)


def measure(concurrency: int, work: Path) -> tuple[float, float]:
    from tests.conftest import free_port

    options = RuntimeOptions(
        port=free_port(),
        aws_port=free_port(),
        template=TEMPLATE,
        web_dir=work / "web",
        work_dir=work / f"c{concurrency}",
        concurrency=concurrency,
        stream=False,
    )
    runtime = LocalRuntime(options)
    runtime.start()
    server = BackgroundServer(runtime.gateway(), options.host, options.port)
    server.start()
    try:
        rest = [asyncio.run(_rest_rate(runtime.base_url)) for _ in range(ROUNDS)]
        ws_url = f"ws://{options.host}:{options.port}/ws"
        connect = [asyncio.run(_connect_rate(ws_url)) for _ in range(ROUNDS)]
    finally:
        server.stop()
        runtime.stop()
    return statistics.median(rest), statistics.median(connect)


def _measure_apart(concurrency: int) -> tuple[float, float]:
    """Each runtime in a fresh interpreter: its AWS clients and models are its own."""
    # The runtime starts its own embedded AWS, whatever another benchmark left set.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    answer = subprocess.run(
        [sys.executable, "-m", "bench.gateway", str(concurrency)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if answer.returncode != 0:
        raise RuntimeError(f"the gateway benchmark failed:\n{answer.stderr[-3000:]}")
    rest, connect = json.loads(answer.stdout.splitlines()[-1])
    return rest, connect


def main() -> None:
    one = _measure_apart(1)
    several = _measure_apart(4)
    rows = [
        ("one environment per function: one invocation at a time, as before", 1, *one),
        ("several environments per function", 4, *several),
    ]
    lines = [
        "# Local gateway throughput",
        "",
        f"{CLIENTS} concurrent clients on this machine ({os.cpu_count()} cores); median of "
        f"{ROUNDS} rounds of {REQUESTS} REST requests and {CONNECTIONS} WebSocket connections "
        "each, warm environments. Written by `python -m bench gateway`.",
        "",
        "| serving | environments | GET /shows/{id} per s | $connect per s |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {name} | {n} | {rest:.1f} | {connect:.1f} |" for name, n, rest, connect in rows),
        "",
        f"Ratio, several / one: REST {several[0] / one[0]:.2f}, "
        f"$connect {several[1] / one[1]:.2f}.",
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) == 2:  # one measurement, for _measure_apart
        import logging

        logging.getLogger("vitrine").setLevel(logging.WARNING)
        with tempfile.TemporaryDirectory() as work:
            print(json.dumps(measure(int(sys.argv[1]), Path(work))))
    else:
        main()
