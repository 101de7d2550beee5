"""The local runtime started on the runtime test stack, in this process, as `make dev` starts
it on Vitrine's: provisioned from the synthesized template, functions in workers, triggers
running, the gateway serving Lambda's Invoke API and @connections."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from local.apigateway.server import BackgroundServer
from local.runtime import LocalRuntime, RuntimeOptions
from tests.conftest import free_port


@dataclass(frozen=True)
class RunningStack:
    runtime: LocalRuntime
    template_path: Path

    def physical(self, construct_id: str, attribute: str = "Ref") -> str:
        """What a resource of the test stack resolves to, by its construct's id."""
        template = self.runtime.template
        assert template is not None
        (logical_id,) = [
            logical_id
            for logical_id in template.resources
            if re.fullmatch(f"{construct_id}[0-9A-F]{{8}}", logical_id)
        ]
        return str(template.resolve({"Ref": logical_id} if attribute == "Ref" else
                                    {"Fn::GetAtt": [logical_id, attribute]}))  # fmt: skip


@pytest.fixture(scope="session")
def runtime_stack_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.runtime_stack.stack import synthesize

    return synthesize(tmp_path_factory.mktemp("runtime-stack"))


@pytest.fixture(scope="session")
def running_stack(
    aws_endpoint: str, runtime_stack_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    work_dir = tmp_path_factory.mktemp("runtime")
    options = RuntimeOptions(
        port=free_port(),
        template=runtime_stack_template,
        web_dir=work_dir / "web",
        work_dir=work_dir,
        seed=False,
        stream=False,
        clock_speed=60.0,  # a minute of schedules per second
    )
    runtime = LocalRuntime(options)
    runtime.start()
    server = BackgroundServer(runtime.gateway(), options.host, options.port)
    server.start()
    runtime.start_triggers()
    try:
        yield RunningStack(runtime, runtime_stack_template)
    finally:
        runtime.stop()
        server.stop()
