"""The Python Lambda functions of every domain: one code asset, one dependencies layer, one recipe.

- Code: the repository's `functions/` package and nothing else (handlers import
  `functions.<domain>...`, so the package keeps its place at the root of the zip).
- Dependencies: the `[project] dependencies` of pyproject.toml, pinned by uv.lock, installed as
  Linux arm64 wheels into one layer by `uv` on the machine running `cdk synth` (no Docker).
- Both ship their Python 3.13 bytecode: Lambda's code and layers are read-only, so without it
  every cold start compiles every module it imports (and caches nothing).
- Every function: Python 3.13 on Graviton, X-Ray tracing, Powertools settings, its own log group
  and its own role, so a construct grants each function exactly what it needs."""

import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, Duration, ILocalBundling
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.common.settings import Env
from infra import REPO_ROOT
from infra.nag import acknowledge

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
# Wheels for ARCHITECTURE: manylinux2014 (glibc 2.17+) loads on Lambda's Amazon Linux 2023.
WHEEL_PLATFORM = "aarch64-manylinux2014"
PYTHON_VERSION = "3.13"
METRICS_NAMESPACE = "Vitrine"
# Where Lambda mounts the code asset and the layer's python/ folder. Compiled into the bytecode
# as its file names, so the bytes do not depend on the machine that built them.
TASK_ROOT = "/var/task"
LAYER_PYTHON = "/opt/python"

# CDK glob excludes, relative to the repository root: the last matching pattern wins, "!"
# re-includes, a pattern without "/" matches any base name, and an excluded directory is not
# walked (so .venv and node_modules cost nothing). Directories have no dot in their names.
# They decide the code asset's hash; FunctionsCodeBundling copies the same files.
_FUNCTIONS_SOURCE = [
    "*", ".*",
    "!functions", "!functions/**", "functions/**/*.*", "!functions/**/*.py",
    "__pycache__",
]  # fmt: skip
# What decides the layer's content: the lock file and the project it locks.
_LOCK_FILES = ["*", ".*", "!pyproject.toml", "!uv.lock"]


class BundlingError(RuntimeError):
    """The code asset or the dependencies layer could not be built; the message says why."""


def compile_bytecode(directory: Path, lambda_path: str) -> None:
    """Compile every .py under `directory` into `__pycache__/*.cpython-313.pyc` beside it.

    Unchecked-hash pycs: Lambda's files carry arbitrary mtimes, and nothing edits a deployed
    file, so the loader trusts the pyc without reading its source. `lambda_path`, where Lambda
    will see `directory`, is recorded as the modules' file names."""
    if platform.python_version_tuple()[:2] != tuple(PYTHON_VERSION.split(".")):
        raise BundlingError(
            f"bytecode is specific to a Python version: synthesize with Python "
            f"{PYTHON_VERSION} (the Lambda runtime), not {platform.python_version()}"
        )
    # -I: a PYTHONPYCACHEPREFIX would move the pycs away from their sources. -o 0: Lambda
    # runs without -O, whatever the optimisation level of the synth.
    _run(
        sys.executable, "-I", "-m", "compileall", "-q", "-j", "0", "-o", "0",
        "--invalidation-mode", "unchecked-hash", "-d", lambda_path, str(directory),
    )  # fmt: skip


def _run(*command: str, cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BundlingError(f"bundling failed: {' '.join(command)}\n{result.stdout}{result.stderr}")


@jsii.implements(ILocalBundling)
class UvLayerBundling:
    """Builds the dependencies layer with uv on this machine, with its bytecode.

    Never returns False: CDK would then fall back to Docker, which Vitrine does not use.
    The wheels are for aarch64 and this machine may not be: pure-Python bytecode is portable,
    and compiled extensions are left as they are. (`wheel_platform` builds the same layer for
    this machine, to import it here: the benchmarks and tests do.)"""

    def __init__(self, project_dir: Path, *, wheel_platform: str = WHEEL_PLATFORM) -> None:
        self.project_dir = project_dir
        self.wheel_platform = wheel_platform

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        site = Path(output_dir) / "python"
        with tempfile.TemporaryDirectory() as work:
            requirements = Path(work) / "requirements.txt"
            self._uv(
                "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project",
                "--output-file", str(requirements),
            )  # fmt: skip
            self._uv(
                "pip", "install", "--no-deps", "--only-binary", ":all:",
                "--python-platform", self.wheel_platform, "--python-version", PYTHON_VERSION,
                "--target", str(site), "--requirement", str(requirements),
            )  # fmt: skip
        compile_bytecode(site, LAYER_PYTHON)
        return True

    def _uv(self, *arguments: str) -> None:
        # `uv run` tells its children where uv is; otherwise look on PATH.
        uv = os.environ.get("UV") or shutil.which("uv")
        if uv is None:
            raise BundlingError("uv is not on PATH: it builds the dependencies layer")
        _run(uv, *arguments, cwd=self.project_dir)


@jsii.implements(ILocalBundling)
class FunctionsCodeBundling:
    """Builds the code asset on this machine: `functions/**/*.py` and its bytecode."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        for source in (self.project_dir / "functions").rglob("*.py"):
            target = Path(output_dir) / source.relative_to(self.project_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        compile_bytecode(Path(output_dir), TASK_ROOT)
        return True


def _bundled_here(local: ILocalBundling) -> BundlingOptions:
    # The image is required by the API, never pulled: local bundling succeeds or raises.
    return BundlingOptions(
        image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.13"), local=local
    )


class PythonFunctions(Construct):
    """The shared code asset and dependencies layer, and `create()` for each function."""

    def __init__(self, scope: Construct, construct_id: str, *, log_level: str = "INFO") -> None:
        super().__init__(scope, construct_id)
        self.log_level = log_level
        # Both assets are hashed from their sources (the excludes), bundled or not: `make
        # synth` (bundling skipped) and `cdk deploy` name the same assets.
        self.code = lambda_.Code.from_asset(
            str(REPO_ROOT),
            exclude=_FUNCTIONS_SOURCE,
            asset_hash_type=AssetHashType.SOURCE,
            bundling=_bundled_here(FunctionsCodeBundling(REPO_ROOT)),
        )
        self.dependencies = lambda_.LayerVersion(
            self,
            "Dependencies",
            description="Vitrine's Python dependencies (uv.lock, without the dev group)",
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            code=lambda_.Code.from_asset(
                str(REPO_ROOT),
                exclude=_LOCK_FILES,
                asset_hash_type=AssetHashType.SOURCE,
                bundling=_bundled_here(UvLayerBundling(REPO_ROOT)),
            ),
        )

    def create(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        service: str,
        description: str,
        environment: Mapping[Env, str] | None = None,
        memory_size: int = 256,
        timeout_seconds: int = 10,
    ) -> lambda_.Function:
        """A function running `handler` (a dotted path under functions/), with its own role.

        `environment` keys are `Env` members, the names the function's Settings read, so a
        misspelt variable cannot reach a deployment."""
        environment = dict(environment or {})
        if misnamed := [name for name in environment if not isinstance(name, Env)]:
            raise TypeError(f"{construct_id}: environment names must be Env members: {misnamed}")
        log_group = logs.LogGroup(
            scope, f"{construct_id}Logs", retention=logs.RetentionDays.ONE_MONTH
        )
        role = iam.Role(
            scope,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Vitrine {service}: {description}",
        )
        # Instead of the AWSLambdaBasicExecutionRole managed policy: this log group only.
        log_group.grant_write(role)
        function = lambda_.Function(
            scope,
            construct_id,
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler,
            code=self.code,
            layers=[self.dependencies],
            role=role,
            log_group=log_group,
            memory_size=memory_size,
            timeout=Duration.seconds(timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                "POWERTOOLS_SERVICE_NAME": service,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "LOG_LEVEL": self.log_level,
                **environment,
            },
        )
        self._acknowledge_nag_findings(function, role)
        return function

    @staticmethod
    def _acknowledge_nag_findings(function: lambda_.Function, role: iam.Role) -> None:
        acknowledge(
            function,
            {
                "AwsSolutions-L1": (
                    "Python 3.13 is the project's interpreter (pyproject requires-python) and "
                    "the layer's wheels are built for it: both move to a newer runtime together."
                ),
            },
        )
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Resource::*]": (
                    "X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level "
                    "permissions: active tracing needs Resource '*'."
                ),
            },
        )
