"""Powertools Logger, Tracer and Metrics, created on first use.

Importing Powertools (and the X-Ray SDK behind Tracer) costs tens of milliseconds; handlers
import this module for free and pay only for what they use when they first run."""

from collections.abc import Callable
from functools import cache, wraps
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: Powertools is imported on first use, not at import
    from aws_lambda_powertools import Logger, Metrics, Tracer
    from aws_lambda_powertools.utilities.typing import LambdaContext

# A Lambda handler: the event as API Gateway or another trigger sends it, and the context.
# (A `type` alias is evaluated lazily, so naming LambdaContext here imports nothing.)
type Handler[R] = Callable[[dict[str, Any], LambdaContext], R]


@cache
def logger() -> "Logger":
    from aws_lambda_powertools import Logger

    return Logger()


@cache
def tracer() -> "Tracer":
    from aws_lambda_powertools import Tracer

    return Tracer()


@cache
def metrics() -> "Metrics":
    from aws_lambda_powertools import Metrics

    return Metrics()


def instrumented[R](handler: Handler[R]) -> Handler[R]:
    """Wrap a Lambda handler with Powertools context logging, tracing and metric flushing.

    The wrapping happens on the first invocation, not at import."""
    wrapped: list[Handler[R]] = []

    @wraps(handler)
    def entry(event: dict[str, Any], context: "LambdaContext") -> R:
        if not wrapped:
            inner = tracer().capture_lambda_handler(handler)
            inner = metrics().log_metrics(inner)
            wrapped.append(logger().inject_lambda_context(inner))
        return wrapped[0](event, context)

    return entry
