"""Powertools Logger, Tracer and Metrics, created on first use.

Importing Powertools (and the X-Ray SDK behind Tracer) costs tens of milliseconds; handlers
import this module for free and pay only for what they use when they first run."""

from collections.abc import Callable
from functools import cache, wraps
from typing import Any


@cache
def logger() -> Any:
    from aws_lambda_powertools import Logger

    return Logger()


@cache
def tracer() -> Any:
    from aws_lambda_powertools import Tracer

    return Tracer()


@cache
def metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics()


def instrumented(handler: Callable[[dict, Any], Any]) -> Callable[[dict, Any], Any]:
    """Wrap a Lambda handler with Powertools context logging, tracing and metric flushing.

    The wrapping happens on the first invocation, not at import."""
    wrapped: list[Callable[[dict, Any], Any]] = []

    @wraps(handler)
    def entry(event: dict, context: Any) -> Any:
        if not wrapped:
            inner = tracer().capture_lambda_handler(handler)
            inner = metrics().log_metrics(inner)
            wrapped.append(logger().inject_lambda_context(inner))
        return wrapped[0](event, context)

    return entry
