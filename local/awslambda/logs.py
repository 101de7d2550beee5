"""The local log a person can read: one compact line per invocation.

Full output (Powertools' JSON logs, EMF metrics, tracebacks) goes to each function's file
under `.vitrine/logs/`; `--verbose` echoes those lines to the console as well."""

import logging

from local.awslambda.functions import LocalFunction
from local.awslambda.invocation import Invocation

log = logging.getLogger("vitrine.lambda")


def invocation_line(function: LocalFunction, trigger: str, invocation: Invocation) -> str:
    start = f"cold {invocation.init_ms:.0f} ms init" if invocation.cold_start else "warm"
    outcome = "ok"
    if invocation.error is not None:
        message = invocation.error.message.splitlines()[0] if invocation.error.message else ""
        outcome = f"ERROR {invocation.error.error_type}: {message[:160]}"
    return (
        f"{function.display_name:<28} {trigger:<14} {invocation.duration_ms:7.1f} ms  "
        f"{start:<18} {outcome}"
    )


def log_invocation(function: LocalFunction, trigger: str, invocation: Invocation) -> None:
    level = logging.WARNING if invocation.failed else logging.INFO
    log.log(level, "%s", invocation_line(function, trigger, invocation))
