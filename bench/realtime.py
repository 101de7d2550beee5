"""The real-time path's benchmark (issue 6): fan-out, the viewer page's weight and a live room.
Each part is a module of its own; a part that is missing or fails gets null for its keys, with
the reason printed, and the others still run. Results in bench/results/realtime.json.

    uv run python -m bench realtime
"""

import importlib
import importlib.util
import json
import os
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from local import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results" / "realtime.json"
PARTS: dict[str, tuple[str, ...]] = {
    "bench.realtime_fanout": ("fanout_speedup_1k", "fanout_speedup_10k"),
    "bench.web_budget": ("viewer_js_gzip_kb", "lighthouse_performance"),
    "bench.realtime_room": (
        "frames_per_viewer_per_s",
        "frames_per_viewer_per_s_at_5",
        "lost_messages",
        "chat_latency_p50_ms",
        "chat_latency_p99_ms",
        "feature_latency_p50_ms",
        "feature_latency_p99_ms",
    ),
}


def _run_part(module_name: str, keys: tuple[str, ...], call: Callable[[Any], Any]) -> dict:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        if missing.name != module_name:
            raise
        print(f"{module_name}: not written yet; {', '.join(keys)} are null")
        return dict.fromkeys(keys)
    try:
        figures = call(module.measure)
    except Exception as error:
        traceback.print_exc()
        print(f"{module_name} failed ({type(error).__name__}: {error}); its keys are null")
        return dict.fromkeys(keys)
    if unexpected := set(figures) - set(keys):
        print(f"{module_name}: ignoring keys it should not write: {', '.join(sorted(unexpected))}")
    return {key: figures.get(key) for key in keys}


@contextmanager
def _local_runtime() -> Iterator[Any]:
    """`make dev`'s runtime on free ports, for the parts that measure the platform running."""
    from local.apigateway.server import BackgroundServer
    from local.runtime import LocalRuntime, RuntimeOptions
    from tests.conftest import free_port

    # The runtime starts its own embedded AWS, whatever another part left set.
    saved = dict(os.environ)
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]
    with tempfile.TemporaryDirectory() as work:
        options = RuntimeOptions(port=free_port(), aws_port=free_port(), rtmp_port=free_port(),
                                 work_dir=Path(work))  # fmt: skip
        runtime = LocalRuntime(options)
        runtime.start()
        server = BackgroundServer(runtime.gateway(), options.host, options.port)
        try:
            server.start()
            runtime.start_triggers()
            yield runtime
        finally:
            server.stop()
            runtime.stop()
            os.environ.clear()
            os.environ.update(saved)


def _with_runtime(names: list[str]) -> dict[str, Any]:
    """The parts that measure the platform running, against one runtime started for them."""
    argument = {"bench.web_budget": lambda r: r.base_url, "bench.realtime_room": lambda r: r}
    results: dict[str, Any] = {}
    present = [name for name in names if importlib.util.find_spec(name) is not None]
    for name in set(names) - set(present):
        results |= _run_part(name, PARTS[name], lambda m: m())  # says it is missing: nulls
    if not present:
        return results
    try:
        with _local_runtime() as runtime:
            for name in present:
                results |= _run_part(name, PARTS[name], lambda m: m(argument[name](runtime)))  # noqa: B023
    except Exception as error:
        traceback.print_exc()
        print(f"the local runtime failed ({type(error).__name__}: {error}); its parts are null")
    return results


def main() -> dict[str, Any]:
    results: dict[str, Any] = {}
    results |= _run_part("bench.realtime_fanout", PARTS["bench.realtime_fanout"], lambda m: m())
    results |= _with_runtime(["bench.web_budget", "bench.realtime_room"])
    results = {key: results.get(key) for keys in PARTS.values() for key in keys}  # all 11
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{'measure':<32} {'value':>12}")
    for key, value in results.items():
        print(f"{key:<32} {'null' if value is None else value:>12}")
    print(f"written to {RESULTS.relative_to(REPO_ROOT)}")
    return results


if __name__ == "__main__":
    main()
