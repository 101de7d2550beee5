"""The local Lambda service runs each function as Lambda does: its own processes, its own
environment variables and module globals, its timeout, its concurrency, its errors."""

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from local import REPO_ROOT
from local.awslambda.environment import WorkerSettings
from local.awslambda.functions import LocalFunction
from local.awslambda.invocation import UnknownFunction
from local.awslambda.service import LambdaService

HANDLERS = "tests.lambda_fixtures.handlers"


def function(name: str, handler: str, **overrides: object) -> LocalFunction:
    values: dict[str, object] = {
        "logical_id": f"{name}0A1B2C3D",
        "name": f"Test-{name}",
        "arn": f"arn:aws:lambda:us-east-1:123456789012:function:Test-{name}",
        "handler": handler,
        "environment": {},
        "timeout_seconds": 10,
        "memory_mb": 128,
        "reserved_concurrency": None,
        "role_logical_id": None,
    }
    return LocalFunction(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[LambdaService]:
    functions = [
        function("Echo", f"{HANDLERS}.echo"),
        function("RememberA", f"{HANDLERS}.remember", environment={"SECRET": "only-a"}),
        function("RememberB", f"{HANDLERS}.remember", environment={"OTHER": "b"}),
        function("EnvA", f"{HANDLERS}.environment", environment={"SECRET": "only-a"}),
        function("EnvB", f"{HANDLERS}.environment", environment={"OTHER": "b"}),
        function("Sleepy", f"{HANDLERS}.sleep", timeout_seconds=1),
        function("Single", f"{HANDLERS}.sleep", reserved_concurrency=1),
        function("Fail", f"{HANDLERS}.fail"),
        function("Crash", f"{HANDLERS}.crash"),
        function("NotJson", f"{HANDLERS}.not_json"),
        function("Broken", "tests.lambda_fixtures.broken_import.handler"),
        function("NoHandler", f"{HANDLERS}.no_such_handler"),
        function("Decimal", f"{HANDLERS}.decimal_item"),
        function("Disabled", f"{HANDLERS}.echo", reserved_concurrency=0),
        function("Long", f"{HANDLERS}.sleep", timeout_seconds=60),
    ]
    settings = WorkerSettings(code_root=REPO_ROOT, log_dir=tmp_path / "logs", aws_environment={})
    running = LambdaService(functions, settings, concurrency=3)
    yield running
    running.stop()


def test_an_invocation_returns_the_payload_cold_then_warm(service: LambdaService) -> None:
    first = service.invoke("Test-Echo", {"hello": "world"}, trigger="test")
    second = service.invoke(
        "arn:aws:lambda:us-east-1:123456789012:function:Test-Echo", {}, trigger="test"
    )
    assert first.payload["event"] == {"hello": "world"}
    assert first.payload["function"] == "Test-Echo"
    assert (first.cold_start, second.cold_start) == (True, False)
    assert first.payload["pid"] == second.payload["pid"]  # the warm environment is reused


def test_functions_do_not_share_module_globals(service: LambdaService) -> None:
    service.invoke("Test-RememberA", {"value": "a's"}, trigger="test")
    assert service.invoke("Test-RememberA", {}, trigger="test").payload["before"] == "a's"
    assert service.invoke("Test-RememberB", {}, trigger="test").payload["before"] is None


def test_each_function_sees_only_its_own_variables(service: LambdaService) -> None:
    names = ["SECRET", "OTHER", "AWS_LAMBDA_FUNCTION_NAME", "VITRINE_EVENTS_TABLE"]
    a = service.invoke("Test-EnvA", {"names": names}, trigger="test").payload
    b = service.invoke("Test-EnvB", {"names": names}, trigger="test").payload
    assert a == {"SECRET": "only-a", "OTHER": None, "AWS_LAMBDA_FUNCTION_NAME": "Test-EnvA",
                 "VITRINE_EVENTS_TABLE": None}  # fmt: skip
    assert b["SECRET"] is None
    assert b["OTHER"] == "b"


def test_a_function_that_overruns_its_timeout_is_stopped(service: LambdaService) -> None:
    timed_out = service.invoke("Test-Sleepy", {"seconds": 5}, trigger="test")
    assert timed_out.error is not None
    assert timed_out.error.error_type == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in timed_out.error.message
    after = service.invoke("Test-Sleepy", {"seconds": 0}, trigger="test")
    assert after.cold_start  # the killed environment was replaced
    assert 0 < after.payload["left"] <= 1000


def test_concurrent_invocations_get_concurrent_environments(service: LambdaService) -> None:
    results = []

    def call() -> None:
        results.append(service.invoke("Test-Sleepy", {"seconds": 0.5}, trigger="test"))

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pids = {result.payload["pid"] for result in results}
    assert len(pids) == 3  # the service's concurrency: never more, and all used
    assert service.environments("Test-Sleepy") == 3


def test_reserved_concurrency_bounds_the_environments(service: LambdaService) -> None:
    threads = [
        threading.Thread(target=service.invoke, args=("Test-Single", {"seconds": 0.2}),
                         kwargs={"trigger": "test"})
        for _ in range(3)
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert service.environments("Test-Single") == 1


def test_errors_are_reported_as_lambda_reports_them(service: LambdaService) -> None:
    failed = service.invoke("Test-Fail", {"reason": "test"}, trigger="test")
    assert failed.error is not None
    assert (failed.error.error_type, failed.error.message) == (
        "ValueError", "failing on purpose: test")  # fmt: skip
    assert any("handlers.py" in line for line in failed.error.stack_trace)
    assert not service.invoke("Test-Fail", {}, trigger="test").cold_start  # still healthy

    crashed = service.invoke("Test-Crash", {}, trigger="test")
    assert crashed.error is not None
    assert crashed.error.error_type == "Runtime.ExitError"

    marshal = service.invoke("Test-NotJson", {}, trigger="test")
    assert marshal.error is not None
    assert marshal.error.error_type == "Runtime.MarshalError"

    broken = service.invoke("Test-Broken", {}, trigger="test")
    assert broken.error is not None
    assert broken.error.error_type == "Runtime.ImportModuleError"
    assert "a_module_that_does_not_exist" in broken.error.message


def test_an_unknown_function_is_refused(service: LambdaService) -> None:
    with pytest.raises(UnknownFunction, match="Test-Nope"):
        service.invoke("Test-Nope", {}, trigger="test")


def test_the_functions_output_goes_to_its_log_file(service: LambdaService, tmp_path: Path) -> None:
    service.invoke("Test-Fail", {"reason": "logged"}, trigger="test")
    service.stop()  # the output is flushed when the environment exits
    log_text = (tmp_path / "logs" / "Fail.log").read_text()
    assert "[ERROR] ValueError: failing on purpose: logged" in log_text


def test_lambda_answers_what_its_runtime_and_service_answer(service: LambdaService) -> None:
    decimals = service.invoke("Test-Decimal", {}, trigger="test")
    assert decimals.payload == {"stock": 3, "price": 19.9}  # DynamoDB's numbers marshal

    missing = service.invoke("Test-NoHandler", {}, trigger="test")
    assert missing.error is not None
    assert missing.error.error_type == "Runtime.HandlerNotFound"

    disabled = service.invoke("Test-Disabled", {}, trigger="test")
    assert disabled.error is not None
    assert disabled.error.error_type == "TooManyRequestsException"  # reserved concurrency 0

    qualified = service.invoke("Test-Echo:$LATEST", {"q": 1}, trigger="test")
    assert qualified.payload["event"] == {"q": 1}


def test_stop_ends_busy_environments_too(service: LambdaService) -> None:
    results = []
    thread = threading.Thread(
        target=lambda: results.append(service.invoke("Test-Long", {"seconds": 30}, trigger="test"))
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not service.environment_pids("Test-Long") and time.monotonic() < deadline:
        time.sleep(0.05)
    (pid,) = service.environment_pids("Test-Long")
    time.sleep(0.5)  # the invocation is under way
    service.stop()
    thread.join(timeout=10)
    (ended,) = results
    assert ended.error is not None
    assert ended.error.error_type == "Runtime.ExitError"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the worker is gone, not orphaned


_ORPHAN_SCRIPT = """
import os, sys, threading, time
from pathlib import Path
from local import REPO_ROOT
from local.awslambda.environment import WorkerSettings
from local.awslambda.functions import LocalFunction
from local.awslambda.service import LambdaService

arn = "arn:aws:lambda:us-east-1:1:function:Test-Long"
function = LocalFunction("Long0A1B2C3D", "Test-Long", arn, "tests.lambda_fixtures.handlers.sleep",
                         {}, 60, 128, None, None)
service = LambdaService([function], WorkerSettings(REPO_ROOT, Path(sys.argv[1]), {}))
threading.Thread(target=service.invoke, args=("Test-Long", {"seconds": 60}),
                 kwargs={"trigger": "test"}, daemon=True).start()
while not service.environment_pids("Test-Long"):
    time.sleep(0.05)
print(service.environment_pids("Test-Long")[0], flush=True)
time.sleep(0.5)
os._exit(0)  # the runtime dies without stopping anything, as a SIGKILLed make dev would
"""


def test_a_worker_never_outlives_the_runtime_even_inside_a_handler(tmp_path: Path) -> None:
    import subprocess
    import sys

    ran = subprocess.run(
        [sys.executable, "-c", _ORPHAN_SCRIPT, str(tmp_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    pid = int(ran.stdout.split()[-1])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return  # gone
        time.sleep(0.1)
    os.kill(pid, 9)
    pytest.fail(f"worker {pid} outlived its runtime")
