"""One execution environment of a function: a worker process with its own interpreter,
environment variables and module globals, as Lambda gives each concurrent invocation."""

import contextlib
import logging
import os
import select
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from local.awslambda import wire
from local.awslambda.functions import LocalFunction

log = logging.getLogger("vitrine.lambda")


class EnvironmentDied(RuntimeError):
    """The worker exited during an invocation (a crash, os._exit, an out-of-memory kill)."""


class InvocationTimedOut(TimeoutError):
    pass


INIT_TIMEOUT_SECONDS = 10  # Lambda's limit on an on-demand environment's init phase


@dataclass(frozen=True)
class WorkerSettings:
    """What every worker is started with, besides its function's own variables."""

    code_root: Path  # Lambda's /var/task: the code asset's root
    log_dir: Path  # each function's output goes to <log_dir>/<function>.log
    aws_environment: dict[str, str]  # endpoints and credentials (AWS_ENDPOINT_URL, ...)
    region: str = "us-east-1"
    account_id: str = "123456789012"
    verbose: bool = False  # also echo every line of the functions' output to the console


class ExecutionEnvironment:
    def __init__(
        self,
        function: LocalFunction,
        settings: WorkerSettings,
        init: dict[str, Any],
    ) -> None:
        self.function = function
        self.init_ms = 0.0
        parent_read, child_write = os.pipe()
        child_read, parent_write = os.pipe()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "local.awslambda.worker", str(child_read), str(child_write)],
            cwd=settings.code_root,
            env=lambda_environment(function, settings),
            pass_fds=(child_read, child_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        os.close(child_read)
        os.close(child_write)
        self._read, self._write = parent_read, parent_write
        log_file = settings.log_dir / f"{function.display_name}.log"
        self._output = threading.Thread(
            target=_copy_output,
            args=(self._process.stdout, log_file, function.display_name, settings.verbose),
            name=f"lambda-log-{function.display_name}",
            daemon=True,
        )
        self._output.start()
        wire.send(self._write, init)
        ready = self._receive(timeout=INIT_TIMEOUT_SECONDS)
        self.init_ms = float(ready.get("init_ms", 0.0))

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def invoke(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one invocation and wait for its answer; the environment is killed when the
        function overruns its timeout (Lambda then starts a fresh one)."""
        wire.send(self._write, request)
        return self._receive(timeout)

    def _receive(self, timeout: float) -> dict[str, Any]:
        waiting = select.poll()  # not select.select: descriptors may number past 1024
        waiting.register(self._read, select.POLLIN)
        if not waiting.poll(timeout * 1000):
            self.kill()
            raise InvocationTimedOut
        try:
            answer = wire.receive(self._read)
        except OSError as error:  # the runtime stopped and closed the pipe while it waited
            self.kill()
            raise EnvironmentDied(f"stopped ({error.strerror})") from error
        if answer is None:
            self.kill()
            raise EnvironmentDied(f"exit code {self._process.poll()}")
        return answer

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):  # already closed
                os.close(fd)
        self._read = self._write = -1

    def retire(self) -> None:
        """Close its pipe: an idle worker exits at once, a busy one after its invocation."""
        if self._write >= 0:
            with contextlib.suppress(OSError):
                os.close(self._write)
            self._write = -1

    def close(self, grace_seconds: float = 2) -> None:
        """Shut down like Lambda retiring an environment: let it exit, else kill it."""
        self.retire()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=grace_seconds)
        self.kill()


def lambda_environment(function: LocalFunction, settings: WorkerSettings) -> dict[str, str]:
    """Lambda's reserved variables, the endpoints, then exactly the function's variables."""
    reserved = {
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_REGION": settings.region,
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "LAMBDA_TASK_ROOT": str(settings.code_root),
        "_HANDLER": function.handler,
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",  # so the log shows a line as the handler writes it
    }
    return reserved | settings.aws_environment | function.environment


def _copy_output(stream: IO[bytes] | None, path: Path, name: str, verbose: bool) -> None:
    if stream is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as file:
        for line in stream:
            file.write(line)
            file.flush()
            if verbose:
                print(f"{name} | {line.decode(errors='replace').rstrip()}", flush=True)
