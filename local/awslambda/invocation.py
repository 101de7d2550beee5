"""What one invocation of a local function returns, and the interface every trigger uses.

Event sources, EventBridge targets, Step Functions tasks and the gateway all invoke functions
through an `Invoker`, so each of them sees the same result Lambda's Invoke API would give."""

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class FunctionError:
    """The error Lambda reports for a failed invocation (`X-Amz-Function-Error: Unhandled`)."""

    error_type: str  # e.g. "ValueError", "Runtime.ImportModuleError", "Sandbox.Timedout"
    message: str
    stack_trace: list[str] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        """The JSON body Lambda's Invoke API returns for this error."""
        return {
            "errorType": self.error_type,
            "errorMessage": self.message,
            "stackTrace": self.stack_trace,
        }


@dataclass(frozen=True, slots=True)
class Invocation:
    function_name: str
    payload: Any  # the handler's return value, JSON-decoded (None when it failed)
    error: FunctionError | None = None
    duration_ms: float = 0.0
    cold_start: bool = False
    init_ms: float = 0.0  # the init phase (interpreter start and handler import), when cold
    request_id: str = ""

    @property
    def failed(self) -> bool:
        return self.error is not None


class Invoker(Protocol):
    """Runs a function the way Lambda does. Blocking and thread-safe.

    `function` is a function name or ARN (a `:qualifier` is ignored); `trigger` names what
    invoked it, for the local log (e.g. "sqs", "dynamodb", "schedule", "states", "rest")."""

    def invoke(self, function: str, event: Any, *, trigger: str) -> Invocation: ...


class UnknownFunction(LookupError):
    """No function of the template has that name or ARN (Lambda's ResourceNotFoundException)."""
