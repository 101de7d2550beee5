"""Synthesize the CDK app without bundling, for tests and the local runtime.

Skipping bundling leaves the dependencies layer unbuilt and lets the web app be missing, so a
synth takes seconds and needs neither uv downloads nor web/dist. The context is cdk.json's (its
feature flags shape the template), then `context`.

    uv run python -m infra.synth --out cdk.out [-c vitrine:recording=false ...]
"""

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra import REPO_ROOT
from infra.app import DEFAULT_SITE_DIR, build_app
from infra.config import ConfigError
from infra.stack import STACK_NAME

# CDK's switch: bundle the assets of no stack.
SKIP_BUNDLING = {"aws:cdk:bundling-stacks": []}


def cdk_json_context() -> dict[str, Any]:
    return json.loads((REPO_ROOT / "cdk.json").read_text())["context"]


def synthesize(
    outdir: Path,
    *,
    context: Mapping[str, Any] | None = None,
    site_dir: Path = DEFAULT_SITE_DIR,
) -> Path:
    """Synthesize into `outdir`; return the path of VitrineStack's template."""
    outdir = Path(outdir).resolve()
    app = build_app(
        outdir=str(outdir),
        context={**cdk_json_context(), **(context or {}), **SKIP_BUNDLING},
        site_dir=site_dir,
    )
    assembly = app.synth()
    return Path(assembly.get_stack_by_name(STACK_NAME).template_full_path)


def _context_item(text: str) -> tuple[str, Any]:
    key, separator, value = text.partition("=")
    if not separator:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.synth", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "cdk.out", help="output directory")
    parser.add_argument(
        "-c", "--context", type=_context_item, action="append", default=[], metavar="KEY=VALUE"
    )
    args = parser.parse_args()
    try:
        print(synthesize(args.out, context=dict(args.context)))
    except ConfigError as error:
        sys.exit(f"Vitrine: {error}")


if __name__ == "__main__":
    main()
