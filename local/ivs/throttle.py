"""IVS's PutMetadata quota: at most 5 calls per second per channel."""

import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimit:
    """Allows at most `limit` calls in any `window_seconds`. Not thread-safe: the channel
    calls it under its own lock."""

    def __init__(
        self,
        limit: int = 5,
        window_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._window = window_seconds
        self._clock = clock
        self._accepted: deque[float] = deque()

    def try_acquire(self) -> bool:
        """Counts the call and returns True, or returns False (uncounted) when over the limit."""
        now = self._clock()
        while self._accepted and now - self._accepted[0] >= self._window:
            self._accepted.popleft()
        if len(self._accepted) >= self._limit:
            return False
        self._accepted.append(now)
        return True

    def reset(self) -> None:
        self._accepted.clear()
