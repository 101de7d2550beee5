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
    busy: int = 0
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
            limit = min(concurrency, function.reserved_concurrency or concurrency)
            pool = _Pool(function, max(1, limit))
            self._pools[function.logical_id] = pool
            for key in (function.logical_id, function.name, function.arn):
                self._lookup[key] = pool
        self._stopped = False

    @property
    def functions(self) -> list[LocalFunction]:
        return [pool.function for pool in self._pools.values()]

    def function(self, name_or_arn: str) -> LocalFunction:
        return self._pool(name_or_arn).function

    def environments(self, name_or_arn: str) -> int:
        """How many execution environments the function has now (busy or idle)."""
        pool = self._pool(name_or_arn)
        with pool.ready:
            return pool.busy + len(pool.idle)

    def invoke(self, function: str, event: Any, *, trigger: str) -> Invocation:
        pool = self._pool(function)
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        environment, cold = self._acquire(pool)
        healthy = False
        try:
            answer, healthy = self._run(environment, pool.function, event, request_id)
        finally:
            self._release(pool, environment, healthy=healthy)
        error = answer.get("error")
        invocation = Invocation(
            function_name=pool.function.name,
            payload=answer.get("payload"),
            error=None
            if error is None
            else FunctionError(error["errorType"], error["errorMessage"], error["stackTrace"]),
            duration_ms=(time.perf_counter() - started) * 1000,
            cold_start=cold,
            init_ms=environment.init_ms if cold else 0.0,
            request_id=request_id,
        )
        if self._on_invocation is not None:
            self._on_invocation(pool.function, trigger, invocation)
        return invocation

    def stop(self) -> None:
        """Retire every environment (their processes exit)."""
        self._stopped = True
        for pool in self._pools.values():
            with pool.ready:
                idle, pool.idle = pool.idle, []
                pool.ready.notify_all()
            for environment in idle:
                environment.close()

    def _pool(self, name_or_arn: str) -> _Pool:
        key = name_or_arn
        if key.startswith("arn:") and key.count(":") > 6:
            key = key.rsplit(":", 1)[0]  # a qualified ARN: version or alias is ignored
        try:
            return self._lookup[key]
        except KeyError:
            raise UnknownFunction(f"Function not found: {name_or_arn}") from None

    def _acquire(self, pool: _Pool) -> tuple[ExecutionEnvironment, bool]:
        with pool.ready:
            while True:
                if self._stopped:
                    raise RuntimeError("the local Lambda service is stopped")
                if pool.idle:
                    pool.busy += 1
                    return pool.idle.pop(), False
                if pool.busy < pool.limit:
                    pool.busy += 1  # reserve the slot, start outside the lock
                    break
                pool.ready.wait()
        try:
            return self._start_environment(pool.function), True
        except BaseException:
            with pool.ready:
                pool.busy -= 1
                pool.ready.notify()
            raise

    def _release(self, pool: _Pool, environment: ExecutionEnvironment, *, healthy: bool) -> None:
        with pool.ready:
            pool.busy -= 1
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
        init_failed = answer.get("error", {}) and answer["error"]["errorType"].startswith(
            "Runtime.ImportModuleError"
        )
        return answer, not init_failed


def _failure(error_type: str, message: str) -> dict[str, Any]:
    return {"error": {"errorType": error_type, "errorMessage": message, "stackTrace": []}}
