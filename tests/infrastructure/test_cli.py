"""The CDK CLI pinned in package.json reads the assembly that aws-cdk-lib writes (npm's
`latest` 3.x does not: a schema mismatch that would break `make deploy`)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"


def test_the_pinned_cli_lists_the_stack_from_the_synthesized_assembly(
    default_stack: Synthesized,
) -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]
    assert pinned.startswith("2."), "the 3.x CLI cannot read aws-cdk-lib 2's cloud assembly"
    if not CDK.exists():
        pytest.fail("node_modules is missing: `make test` runs npm ci first")
    result = subprocess.run(
        [str(CDK), "ls", "--app", str(default_stack.outdir), "--no-notices"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, CDK_DISABLE_VERSION_CHECK="1"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["VitrineStack"]
