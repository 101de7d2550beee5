"""Cold-start import cost of every handler, as Lambda loads it, from `python -X importtime`.

Lambda imports a handler from the code asset (/var/task) and the layer (/opt/python), both
read-only: Python writes no bytecode cache there, so every module the assets ship no bytecode
for is compiled again on every cold start. So, for every Vitrine function of the synthesized
template: the code asset and the layer, built by infra/functions.py's bundling (the layer for
this machine, so its compiled extensions load), are copied into a Lambda-like tree made
read-only, and the handler's module is imported in a fresh interpreter that sees only those two
directories and the standard library (-I -S) and writes no cache (-B: root ignores read-only
files), RUNS times; medians are reported.

Baseline, measured in the same run: the same tree with the shipped bytecode removed, as Vitrine
deployed before. Ratio = with bytecode / without (lower is better). Then, with bytecode, the
handler against itself plus what it would import if nothing were lazy."""

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from infra.functions import FunctionsCodeBundling, UvLayerBundling
from infra.synth import synthesize

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "bench" / "results" / "importtime.md"
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
HOST_WHEELS = f"{platform.machine()}-manylinux2014"
EAGER_EXTRAS = "import boto3; from aws_lambda_powertools import Logger, Metrics, Tracer"
# Written to stderr just before the measured statement: importtime lines after it are its own.
MARK = "-- measured statement --"


@dataclass(frozen=True)
class Handler:
    function: str  # the template's logical id, without CDK's hash
    module: str


@dataclass(frozen=True)
class LambdaTree:
    """A read-only copy of the code asset and the layer, laid out as Lambda mounts them."""

    root: Path
    task: Path
    layer: Path


def template_handlers() -> list[Handler]:
    """Every Vitrine function's handler module, from a bundling-free synth (seconds)."""
    with tempfile.TemporaryDirectory() as outdir:
        template = json.loads(synthesize(Path(outdir)).read_text())
    return [
        Handler(logical_id[:-8], resource["Properties"]["Handler"].rpartition(".")[0])
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
        and resource["Properties"].get("Handler", "").startswith("functions.")
    ]


def build_assets(work: Path) -> tuple[Path, Path]:
    """The code asset and the layer's python/ directory, built as `cdk synth` builds them."""
    code, layer = work / "code", work / "layer"
    FunctionsCodeBundling(ROOT).try_bundle(str(code), None)  # type: ignore[arg-type]
    UvLayerBundling(ROOT, wheel_platform=HOST_WHEELS).try_bundle(str(layer), None)  # type: ignore[arg-type]
    return code, layer / "python"


def lambda_tree(root: Path, code: Path, layer: Path, *, bytecode: bool) -> LambdaTree:
    tree = LambdaTree(root, root / "var" / "task", root / "opt" / "python")
    shutil.copytree(code, tree.task)
    shutil.copytree(layer, tree.layer)
    if not bytecode:
        for cache in list(root.rglob("__pycache__")):
            shutil.rmtree(cache)
    for path in root.rglob("*"):
        path.chmod(path.stat().st_mode & ~0o222)
    return tree


def import_profile(tree: LambdaTree, statement: str) -> dict[str, int]:
    """Microseconds imported by `statement` in a fresh interpreter: "<total>" for the whole
    statement, and per package (first dotted name) its largest cumulative time at any depth."""
    program = (
        f"import sys; sys.path[:0] = [{str(tree.task)!r}, {str(tree.layer)!r}]; "
        f"sys.stderr.write({MARK!r} + '\\n'); sys.stderr.flush(); {statement}"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-X", "importtime", "-c", program],
        env=dict(os.environ, POWERTOOLS_TRACE_DISABLED="1"),
        capture_output=True,
        text=True,
        check=True,
    )
    profile: dict[str, int] = {"<total>": 0}
    for line in result.stderr.partition(MARK)[2].splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cumulative, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        profile[package] = max(profile.get(package, 0), int(cumulative))
        if not name.startswith("  "):  # top level; nested ones are in their parent's time
            profile["<total>"] += int(cumulative)
    return profile


def medians_ms(*measures: tuple[LambdaTree, str]) -> list[float]:
    """The median ms of each (tree, statement), RUNS times. The measures take turns, so a
    change of load on the machine weighs on them alike."""
    samples: list[list[float]] = [[] for _ in measures]
    for _ in range(RUNS):
        for sample, (tree, statement) in zip(samples, measures, strict=True):
            sample.append(import_profile(tree, statement)["<total>"] / 1000)
    return [statistics.median(sample) for sample in samples]


def heaviest(tree: LambdaTree, statement: str, count: int = 6) -> list[tuple[str, float]]:
    """The third-party packages that cost most, wherever they are imported from."""
    profile = import_profile(tree, statement)
    for own in ("<total>", "functions"):
        profile.pop(own, None)
    ranked = sorted(profile.items(), key=lambda item: item[1], reverse=True)
    return [(name, us / 1000) for name, us in ranked[:count]]


def files(tree: LambdaTree) -> list[Path]:
    return sorted(tree.root.rglob("*"))


def main() -> None:
    handlers = template_handlers()
    with tempfile.TemporaryDirectory() as work:
        code, layer = build_assets(Path(work))
        cold = lambda_tree(Path(work) / "without", code, layer, bytecode=False)
        warm = lambda_tree(Path(work) / "with", code, layer, bytecode=True)
        before = files(cold), files(warm)
        rows = []
        for handler in handlers:
            statement = f"import {handler.module}"
            without, with_, eager = medians_ms(
                (cold, statement), (warm, statement), (warm, f"{statement}; {EAGER_EXTRAS}")
            )
            rows.append((handler, without, with_, eager))
            print(
                f"{handler.function:24} no bytecode {without:7.1f} ms  bytecode {with_:7.1f} ms"
                f"  ratio {with_ / without:.2f}  (eager {eager:7.1f} ms)"
            )
        top = heaviest(warm, "import functions.cart.app")
        # A cache written anywhere would make later runs faster than Lambda's cold starts.
        if (files(cold), files(warm)) != before:
            sys.exit("a bytecode cache was written into the read-only tree: figures are void")
    lines = [
        "# Handler import time (cold start, as Lambda loads it)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `make bench` (`python -m bench importtime`),",
        f"Python {sys.version.split()[0]} on {platform.machine()}, median of {RUNS} fresh "
        "interpreters each.",
        "Each handler module is imported from the built code asset and layer, copied read-only",
        "as `/var/task` and `/opt/python`, in an interpreter that sees only them and the standard",
        "library and writes no bytecode cache (`python -I -S -B -X importtime`).",
        "Baseline (same run): the same assets without their shipped bytecode, as Vitrine deployed",
        "before, so every module is compiled on every cold start. The variants take turns, run by",
        "run, so a change of load on the machine weighs on them alike.",
        "",
        "| function | module | no bytecode (ms) | shipped bytecode (ms) | ratio |",
        "| --- | --- | ---: | ---: | ---: |",
        *(
            f"| {h.function} | `{h.module}` | {without:.1f} | {with_:.1f} | {with_ / without:.2f} |"
            for h, without, with_, _ in rows
        ),
        "",
        "Lazy imports, with shipped bytecode: the handler against itself plus Powertools",
        "Logger/Tracer/Metrics and boto3 imported eagerly, as it would import them without",
        "lazy loading. What a handler defers, its first invocation pays when it needs it.",
        "",
        "| function | lazy (ms) | eager (ms) | ratio |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| {h.function} | {with_:.1f} | {eager:.1f} | {with_ / eager:.2f} |"
            for h, _, with_, eager in rows
        ),
        "",
        "Heaviest packages imported by the REST API handler, with shipped bytecode (one run,",
        "cumulative ms). They are imported eagerly on purpose: pynamodb (with botocore) and",
        "pydantic are used by every request of the handlers that import them, so deferring them",
        "would only move the cost into the first call:",
        "",
        *(f"- `{name}`: {ms:.1f}" for name, ms in top),
        "",
    ]
    REPORT.write_text("\n".join(lines))
    print(f"wrote {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
