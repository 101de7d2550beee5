"""Invoking functions from the gateway's event loop: the call blocks, so it runs in a thread,
from a pool of its own (Starlette's default one keeps serving web/ and the HLS files while a
burst of slow invocations waits for environments)."""

import logging
from typing import Any

from anyio import CapacityLimiter, to_thread

from local.awslambda.invocation import FunctionError, Invocation, Invoker

log = logging.getLogger("vitrine.gateway")

INVOCATION_THREADS = 200  # waiting invocations; environments bound what actually runs
_limiter: CapacityLimiter | None = None


async def invoke_async(invoker: Invoker, function: str, event: Any, *, trigger: str) -> Invocation:
    """The invocation's result; a failure of the local service itself (an unknown function,
    a stopping runtime) is answered like a failed invocation, never raised at the gateway."""
    global _limiter
    if _limiter is None:
        _limiter = CapacityLimiter(INVOCATION_THREADS)
    try:
        return await to_thread.run_sync(
            lambda: invoker.invoke(function, event, trigger=trigger), limiter=_limiter
        )
    except Exception as error:
        log.exception("invoking %s failed", function)
        return Invocation(function, None, FunctionError("ServiceException", str(error)))
