"""Cold-start import cost of every handler, from `python -X importtime`.

Baseline, measured in the same run: the same handler imported the eager way, i.e. plus what it
would load at module import if nothing were lazy (Powertools Logger, Tracer with the X-Ray SDK,
Metrics, and boto3). Each import runs in a fresh interpreter, RUNS times; medians are reported.
Ratio = lazy / eager (lower is better)."""

import os
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "bench" / "results" / "importtime.md"
RUNS = int(os.environ.get("BENCH_RUNS", "7"))

HANDLERS = {
    "chat $connect authorizer": "functions.chat.handlers.authorize",
    "chat $connect": "functions.chat.handlers.connect",
    "chat $disconnect": "functions.chat.handlers.disconnect",
    "chat $default": "functions.chat.handlers.default",
    "REST API (Chalice)": "functions.cart.app",
}
EAGER_EXTRAS = "import boto3; from aws_lambda_powertools import Logger, Metrics, Tracer"


def import_profile(statement: str) -> dict[str, int]:
    """Microseconds imported by `statement` in a fresh interpreter: "<total>" for the whole
    statement, and per package (first dotted name) its largest cumulative time at any depth."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        cwd=ROOT,
        env=dict(os.environ, POWERTOOLS_TRACE_DISABLED="1"),
        capture_output=True,
        text=True,
        check=True,
    )
    profile: dict[str, int] = {"<total>": 0}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cumulative, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        profile[package] = max(profile.get(package, 0), int(cumulative))
        if not name.startswith("  "):  # top level; nested ones are in their parent's time
            profile["<total>"] += int(cumulative)
    return profile


# A cold start as Lambda pays it: import plus the first invocation, on the path every viewer's
# $connect takes (the authorizer with no staff token: no AWS call, no JWT verification).
COLD_START_SETUP = (
    "from local.awslambda.wiring import LocalLambdaContext; "
    "context = LocalLambdaContext('authorizer'); "
    "event = {'methodArn': 'arn:aws:execute-api:us-east-1:1:a/live/$connect', "
    "'queryStringParameters': {'show': 'demo-show', 'viewer': 'v-1'}}"
)
COLD_START = "import functions.chat.handlers.authorize as h; h.handler(event, context)"
EAGER_COLD_START = f"import jwt; {EAGER_EXTRAS}; {COLD_START}"


def cold_start_ms(statement: str) -> float:
    """Median wall time of `statement` after COLD_START_SETUP, each in a fresh interpreter."""
    program = (
        f"{COLD_START_SETUP}\nimport time\nstart = time.perf_counter()\n{statement}\n"
        "print('ELAPSED', time.perf_counter() - start)"
    )
    env = dict(os.environ, POWERTOOLS_TRACE_DISABLED="1", POWERTOOLS_METRICS_NAMESPACE="Vitrine")
    samples = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True,
            check=True,
        ).stdout  # fmt: skip
        samples.append(float(out.rsplit("ELAPSED", 1)[1]) * 1000)
    return statistics.median(samples)


def median_total(statement: str) -> float:
    return statistics.median(import_profile(statement)["<total>"] for _ in range(RUNS)) / 1000


def heaviest(statement: str, count: int = 6) -> list[tuple[str, float]]:
    """The third-party packages that cost most, wherever they are imported from."""
    profile = import_profile(statement)
    for own in ("<total>", "functions"):
        profile.pop(own, None)
    ranked = sorted(profile.items(), key=lambda item: item[1], reverse=True)
    return [(name, us / 1000) for name, us in ranked[:count]]


def main() -> None:
    rows = []
    for label, module in HANDLERS.items():
        lazy = median_total(f"import {module}")
        eager = median_total(f"import {module}; {EAGER_EXTRAS}")
        rows.append((label, module, lazy, eager))
        print(f"{label:28} lazy {lazy:7.1f} ms  eager {eager:7.1f} ms  ratio {lazy / eager:.2f}")
    lazy_cold, eager_cold = cold_start_ms(COLD_START), cold_start_ms(EAGER_COLD_START)
    print(f"viewer $connect cold start   lazy {lazy_cold:7.1f} ms  eager {eager_cold:7.1f} ms")
    top = heaviest("import functions.cart.app")
    lines = [
        "# Handler import time (cold start)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `make bench` (`python -m bench`), "
        f"Python {sys.version.split()[0]}, median of {RUNS} fresh interpreters each.",
        "Baseline (same run): the handler plus Powertools Logger/Tracer/Metrics and boto3 "
        "imported eagerly, as a handler would without lazy loading.",
        "",
        "| handler | module | lazy (ms) | eager baseline (ms) | ratio |",
        "| --- | --- | ---: | ---: | ---: |",
        *(
            f"| {label} | `{module}` | {lazy:.1f} | {eager:.1f} | {lazy / eager:.2f} |"
            for label, module, lazy, eager in rows
        ),
        "",
        "Import time alone flatters laziness: what a handler defers, its first invocation pays.",
        "So the cold start that counts is import plus first call. On the path every viewer's",
        "`$connect` takes (the authorizer, no staff token), laziness saves real work: boto3,",
        "PyJWT and cryptography are never imported there.",
        "",
        "| cold start (import + first invocation) | lazy (ms) | eager baseline (ms) | ratio |",
        "| --- | ---: | ---: | ---: |",
        f"| authorizer, viewer path | {lazy_cold:.1f} | {eager_cold:.1f} | "
        f"{lazy_cold / eager_cold:.2f} |",
        "",
        "Heaviest packages imported by the REST API handler (one run, cumulative ms). They are",
        "imported eagerly on purpose: pynamodb (with botocore) and pydantic are used by every",
        "request of the handlers that import them, so deferring them would only move the cost",
        "into the first call. Powertools and boto3 clients are created on first use:",
        "",
        *(f"- `{name}`: {ms:.1f}" for name, ms in top),
        "",
    ]
    REPORT.write_text("\n".join(lines))
    print(f"wrote {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
