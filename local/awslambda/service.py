"""The local Lambda service: invokes the template's functions as Lambda does.

Each function gets its own pool of execution environments (worker processes): one invocation
at a time per environment, new environments up to the function's concurrency (its reserved
concurrency when the template sets one, otherwise the local default), idle ones reused (warm),
a new one started when all are busy (a cold start, shown in the local log)."""

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from local.awslambda.environment import (
    EnvironmentDied,
    ExecutionEnvironment,
    InvocationTimedOut,
    WorkerSettings,
)
from local.awslambda.functions import LocalFunction
from local.awslambda.invocation import FunctionError, Invocation, UnknownFunction

log = logging.getLogger("vitrine.lambda")

DEFAULT_CONCURRENCY = 4  # environments per function; a 2-core machine gains little beyond


# What a worker needs to check its role's permissions: built by local/iam from the template.
PolicyFor = Callable[[LocalFunction], dict[str, Any] | None]


@dataclass
class _Pool:
    function: LocalFunction
    limit: int
    idle: list[ExecutionEnvironment] = field(default_factory=list)
    running: set[ExecutionEnvironment] = field(default_factory=set)  # busy with an invocation
    busy: int = 0  # slots taken, starting environments included
    ready: threading.Condition = field(default_factory=threading.Condition)


class LambdaService:
    def __init__(
        self,
        functions: Iterable[LocalFunction],
        settings: WorkerSettings,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        policy_for: PolicyFor | None = None,
        guard_options: dict[str, Any] | None = None,
        on_invocation: Callable[[LocalFunction, str, Invocation], None] | None = None,
    ) -> None:
        self.settings = settings
        self._policy_for = policy_for
        self._guard_options = guard_options or {}
        self._on_invocation = on_invocation
        self._pools: dict[str, _Pool] = {}
        self._lookup: dict[str, _Pool] = {}
        for function in functions:
            reserved = function.reserved_concurrency
            # Reserved concurrency 0 is AWS's switch that throttles every invocation.
            limit = concurrency if reserved is None else min(concurrency, reserved)
            pool = _Pool(function, limit)
            self._pools[function.logical_id] = pool
            for key in (function.logical_id, function.name, function.arn):
                self._lookup[key] = pool
        self._stopped = False

    @property
    def functions(self) -> list[LocalFunction]:
        return [pool.function for pool in self._pools.values()]

    def knows(self, name_or_arn: str) -> bool:
        try:
            self._pool(name_or_arn)
        except UnknownFunction:
            return False
        return True

    def function(self, name_or_arn: str) -> LocalFunction:
        return self._pool(name_or_arn).function

    def environments(self, name_or_arn: str) -> int:
        """How many execution environments the function has now (busy or idle)."""
        pool = self._pool(name_or_arn)
        with pool.ready:
            return pool.busy + len(pool.idle)

    def environment_pids(self, name_or_arn: str) -> list[int]:
        """The worker processes of the function's environments (busy or idle)."""
        pool = self._pool(name_or_arn)
        with pool.ready:
            return [environment.pid for environment in [*pool.idle, *pool.running]]

    def invoke(self, function: str, event: Any, *, trigger: str) -> Invocation:
        pool = self._pool(function)
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        answer, environment, cold = self._invoke_in(pool, event, request_id)
        error = answer.get("error")
        invocation = Invocation(
            function_name=pool.function.name,
            payload=answer.get("payload"),
            error=None
            if error is None
            else FunctionError(error["errorType"], error["errorMessage"], error["stackTrace"]),
            duration_ms=(time.perf_counter() - started) * 1000,
            cold_start=cold,
            init_ms=environment.init_ms if cold and environment else 0.0,
            request_id=request_id,
        )
        if self._on_invocation is not None:
            self._on_invocation(pool.function, trigger, invocation)
        return invocation

    def _invoke_in(
        self, pool: _Pool, event: Any, request_id: str
    ) -> tuple[dict[str, Any], ExecutionEnvironment | None, bool]:
        """The worker's answer, or Lambda's error when no environment could run it."""
        if pool.limit == 0:
            return _failure("TooManyRequestsException", "Rate Exceeded."), None, False
        try:
            environment, cold = self._acquire(pool)
        except InvocationTimedOut:
            message = f"RequestId: {request_id} Error: init timed out after 10.00 seconds"
            return _failure("Sandbox.Timedout", message), None, True
        except EnvironmentDied as died:
            message = f"RequestId: {request_id} Error: Runtime exited during init ({died})"
            return _failure("Runtime.ExitError", message), None, True
        except ServiceStopped as stopped:
            return _failure("ServiceException", str(stopped)), None, False
        healthy = False
        try:
            answer, healthy = self._run(environment, pool.function, event, request_id)
        finally:
            self._release(pool, environment, healthy=healthy)
        return answer, environment, cold

    def stop(self) -> None:
        """Retire every environment: idle ones exit, busy ones are stopped mid-invocation
        (their callers get Runtime.ExitError), all at once rather than one by one."""
        self._stopped = True
        environments: list[ExecutionEnvironment] = []
        for pool in self._pools.values():
            with pool.ready:
                environments += pool.idle + list(pool.running)
                pool.idle = []
                pool.ready.notify_all()
        for environment in environments:
            environment.retire()
        for environment in environments:
            environment.close(grace_seconds=1)

    def _pool(self, name_or_arn: str) -> _Pool:
        key = name_or_arn
        if key.startswith("arn:") and key.count(":") > 6:
            key = key.rsplit(":", 1)[0]  # a qualified ARN: version or alias is ignored
        elif not key.startswith("arn:"):
            key = key.partition(":")[0]  # name:qualifier
        try:
            return self._lookup[key]
        except KeyError:
            raise UnknownFunction(f"Function not found: {name_or_arn}") from None

    def _acquire(self, pool: _Pool) -> tuple[ExecutionEnvironment, bool]:
        with pool.ready:
            while True:
                if self._stopped:
                    raise ServiceStopped("the local Lambda service is stopped")
                while pool.idle and not pool.idle[-1].alive:
                    pool.idle.pop().kill()  # died while idle (killed, out of memory)
                if pool.idle:
                    pool.busy += 1
                    environment = pool.idle.pop()
                    pool.running.add(environment)
                    return environment, False
                if pool.busy < pool.limit:
                    pool.busy += 1  # reserve the slot, start outside the lock
                    break
                pool.ready.wait()
        try:
            environment = self._start_environment(pool.function)
        except BaseException:
            with pool.ready:
                pool.busy -= 1
                pool.ready.notify()
            raise
        with pool.ready:
            pool.running.add(environment)
        return environment, True

    def _release(self, pool: _Pool, environment: ExecutionEnvironment, *, healthy: bool) -> None:
        with pool.ready:
            pool.busy -= 1
            pool.running.discard(environment)
            if healthy and environment.alive and not self._stopped:
                pool.idle.append(environment)
            pool.ready.notify()
        if not healthy or self._stopped:
            environment.kill()

    def _start_environment(self, function: LocalFunction) -> ExecutionEnvironment:
        init = {
            "handler": function.handler,
            "function_name": function.name,
            "function_arn": function.arn,
            "memory_mb": function.memory_mb,
            "timeout_ms": function.timeout_seconds * 1000,
            "policy": self._policy_for(function) if self._policy_for else None,
            "guard": self._guard_options,
        }
        environment = ExecutionEnvironment(function, self.settings, init)
        log.debug("%s: new environment (pid %s)", function.display_name, environment.pid)
        return environment

    def _run(
        self,
        environment: ExecutionEnvironment,
        function: LocalFunction,
        event: Any,
        request_id: str,
    ) -> tuple[dict[str, Any], bool]:
        """The worker's answer, and whether the environment can serve again."""
        timeout = function.timeout_seconds
        try:
            answer = environment.invoke({"event": event, "request_id": request_id}, timeout)
        except InvocationTimedOut:
            message = f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
            return _failure("Sandbox.Timedout", message), False
        except EnvironmentDied as died:
            message = f"RequestId: {request_id} Error: Runtime exited ({died})"
            return _failure("Runtime.ExitError", message), False
        return answer, not answer.get("init_failed", False)


class ServiceStopped(RuntimeError):
    """An invocation arrived while the runtime shuts down."""


def _failure(error_type: str, message: str) -> dict[str, Any]:
    return {"error": {"errorType": error_type, "errorMessage": message, "stackTrace": []}}
