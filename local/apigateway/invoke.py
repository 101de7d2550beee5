"""Invoking functions from the gateway's event loop: the call blocks, so it runs in a thread,
from a pool of its own (Starlette's default one keeps serving web/ and the HLS files while a
burst of slow invocations waits for environments)."""

import asyncio
import logging
import weakref
from typing import Any

from anyio import CapacityLimiter, to_thread

from local.awslambda.invocation import FunctionError, Invocation, Invoker

log = logging.getLogger("vitrine.gateway")

INVOCATION_THREADS = 200  # waiting invocations; environments bound what actually runs
# A limiter belongs to the event loop that made it: one per loop (a test starts several).
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = CapacityLimiter(INVOCATION_THREADS)
    return limiter


async def invoke_async(invoker: Invoker, function: str, event: Any, *, trigger: str) -> Invocation:
    """The invocation's result; a failure of the local service itself (an unknown function,
    a stopping runtime) is answered like a failed invocation, never raised at the gateway."""
    try:
        return await to_thread.run_sync(
            lambda: invoker.invoke(function, event, trigger=trigger), limiter=_limiter()
        )
    except Exception as error:
        log.exception("invoking %s failed", function)
        return Invocation(function, None, FunctionError("ServiceException", str(error)))
