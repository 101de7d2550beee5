"""Invoking functions from the gateway's event loop: the call blocks, so it runs in a thread."""

from typing import Any

from anyio import to_thread

from local.awslambda.invocation import Invocation, Invoker


async def invoke_async(invoker: Invoker, function: str, event: Any, *, trigger: str) -> Invocation:
    return await to_thread.run_sync(lambda: invoker.invoke(function, event, trigger=trigger))
