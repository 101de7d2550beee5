"""One Lambda execution environment: `python -m local.awslambda.worker READ_FD WRITE_FD`.

Started by the local Lambda service with exactly the function's environment. It installs the
permission check for the function's role, imports the handler (Lambda's init phase), then
runs one invocation at a time, as an execution environment does, until its pipe closes."""

import importlib
import json
import os
import secrets
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from local.awslambda import wire
from local.awslambda.context import LambdaContext

Handler = Callable[[Any, Any], Any]


def _error(error_type: str, error: BaseException) -> dict[str, Any]:
    """Lambda's error payload; the runtime also writes it to the function's log."""
    stack = traceback.format_exception(error)
    print(f"[ERROR] {error_type}: {error}\n{''.join(stack)}", file=sys.stderr, flush=True)
    return {"errorType": error_type, "errorMessage": str(error), "stackTrace": stack}


def _load(handler_path: str) -> Handler:
    module_name, _, attribute = handler_path.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


def _trace_header() -> str:
    """X-Ray's header as Lambda sets it per invocation; unsampled, so nothing is sent."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=0"


def _init(init: dict[str, Any]) -> tuple[Handler | None, dict[str, Any] | None]:
    """Lambda's init phase: the permission check, then the handler's module."""
    policy = init.get("policy")
    if policy is not None:
        from local.iam.actions import ApiEndpoint
        from local.iam.guard import install_guard
        from local.iam.policies import RolePolicy

        guard = init["guard"]
        install_guard(
            RolePolicy.from_dict(policy),
            region=guard["region"],
            account=guard["account"],
            api_endpoints=[ApiEndpoint(**endpoint) for endpoint in guard["api_endpoints"]],
        )
    try:
        return _load(init["handler"]), None
    except Exception as error:  # Lambda reports a failed init on the invocation
        return None, _error("Runtime.ImportModuleError", error)


def main(read_fd: int, write_fd: int) -> None:
    # Ctrl-C in the terminal reaches every process of `make dev`: the runtime retires its
    # environments itself (their pipe closes), as Lambda does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init = wire.receive(read_fd)
    if init is None:
        return
    started = time.perf_counter()
    handler, init_error = _init(init)
    wire.send(write_fd, {"ready": True, "init_ms": (time.perf_counter() - started) * 1000})
    while (request := wire.receive(read_fd)) is not None:
        if init_error is not None or handler is None:
            wire.send(write_fd, {"error": init_error})
            return  # the environment is discarded; the next invocation gets a new one
        os.environ["_X_AMZN_TRACE_ID"] = _trace_header()
        context = LambdaContext(
            function_name=init["function_name"],
            aws_request_id=request["request_id"],
            invoked_function_arn=init["function_arn"],
            memory_limit_in_mb=init["memory_mb"],
            timeout_ms=init["timeout_ms"],
            log_group_name=f"/aws/lambda/{init['function_name']}",
        )
        answer: dict[str, Any]
        try:
            result = handler(request["event"], context)
        except Exception as error:
            answer = {"error": _error(type(error).__name__, error)}
        else:
            try:  # Lambda returns the result as JSON, or fails the invocation
                answer = {"payload": json.loads(json.dumps(result))}
            except (TypeError, ValueError) as error:
                answer = {"error": _error("Runtime.MarshalError", error)}
        sys.stdout.flush()
        sys.stderr.flush()
        wire.send(write_fd, answer)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
