"""What each mapping has done so far, for the local log and for tests that wait on it."""

import threading
from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class MappingStats:
    state: str = "Creating"  # Enabled, Disabled (Lambda's State), as the pollers see it
    state_reason: str = ""  # why it is disabled, in Lambda's words
    invocations: int = 0
    records_invoked: int = 0  # records handed to the function, re-deliveries included
    failed_invocations: int = 0  # function errors and batchItemFailures responses
    delivered: int = 0  # records done with successfully (deleted or checkpointed)
    dropped: int = 0  # stream records given up and sent to the on-failure destination
    filtered: int = 0  # records no FilterCriteria pattern matched
    shards: int = 0  # stream shards positioned (holding an iterator)


@dataclass
class Counters:
    """Thread-safe counters behind one mapping's MappingStats."""

    _stats: MappingStats = field(default_factory=MappingStats)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **increments: int) -> None:
        with self._lock:
            values = {name: getattr(self._stats, name) + n for name, n in increments.items()}
            self._stats = replace(self._stats, **values)

    def set_state(self, state: str, reason: str = "") -> None:
        with self._lock:
            self._stats = replace(self._stats, state=state, state_reason=reason)

    def snapshot(self) -> MappingStats:
        with self._lock:
            return self._stats
