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
import threading
import time
import traceback
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from local.awslambda import wire
from local.awslambda.context import LambdaContext

Handler = Callable[[Any, Any], Any]


def _error(error_type: str, error: BaseException) -> dict[str, Any]:
    """Lambda's error payload; the runtime also writes it to the function's log."""
    stack = traceback.format_exception(error)
    print(f"[ERROR] {error_type}: {error}\n{''.join(stack)}", file=sys.stderr, flush=True)
    return {"errorType": error_type, "errorMessage": str(error), "stackTrace": stack}


def _decimal(value: object) -> int | float:
    """Lambda's runtime writes a Decimal (as boto3 reads DynamoDB numbers) as a number."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _trace_header() -> str:
    """X-Ray's header as Lambda sets it per invocation; unsampled, so nothing is sent."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=0"


def _import_error(module: str, error: Exception) -> dict[str, Any]:
    """The error types Lambda's Python runtime reports when the handler's module fails."""
    if isinstance(error, SyntaxError):
        return _error("Runtime.UserCodeSyntaxError", error)
    if isinstance(error, ImportError):
        wrapped = ImportError(f"Unable to import module '{module}': {error}")
        return _error("Runtime.ImportModuleError", wrapped)
    return _error(type(error).__name__, error)


def _exit_with_parent(parent: int) -> None:
    """A worker never outlives the runtime, even one busy in a handler that never returns."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


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
    # Lambda reports a failed init on the invocation, with the error's type.
    module_name, _, attribute = init["handler"].rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        return None, _import_error(module_name, error)
    handler: Handler | None = getattr(module, attribute, None)
    if handler is None:
        missing = RuntimeError(f"Handler '{attribute}' missing on module '{module_name}'")
        return None, _error("Runtime.HandlerNotFound", missing)
    return handler, None


def main(read_fd: int, write_fd: int) -> None:
    # Ctrl-C in the terminal reaches every process of `make dev`: the runtime retires its
    # environments itself (their pipe closes), as Lambda does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    init = wire.receive(read_fd)
    if init is None:
        return
    started = time.perf_counter()
    handler, init_error = _init(init)
    wire.send(write_fd, {"ready": True, "init_ms": (time.perf_counter() - started) * 1000})
    while (request := wire.receive(read_fd)) is not None:
        if init_error is not None or handler is None:
            wire.send(write_fd, {"error": init_error, "init_failed": True})
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
                answer = {"payload": json.loads(json.dumps(result, default=_decimal))}
            except (TypeError, ValueError) as error:
                answer = {"error": _error("Runtime.MarshalError", error)}
        sys.stdout.flush()
        sys.stderr.flush()
        wire.send(write_fd, answer)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
