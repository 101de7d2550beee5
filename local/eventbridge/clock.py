"""The time schedules fire by, and that retries wait on.

The runtime uses `RealClock`. Tests use `ScaledClock`, which starts at the real time and runs
`speed` times faster (at 60x `rate(1 minute)` fires every real second), so schedules and retry
back-offs run end to end through the real threads without waiting for them; `ManualClock` is
for unit tests that step time themselves."""

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""
        ...


class RealClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


class ScaledClock:
    """Real time sped up: each real second is `speed` seconds of this clock."""

    def __init__(self, speed: float, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._start = start or datetime.now(UTC)
        self._started = time.monotonic()

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._started) * self.speed
        return self._start + timedelta(seconds=elapsed)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds) / self.speed)


class ManualClock:
    """Time moves only when told to; `sleep` moves it at once (a retry back-off costs nothing)."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta

    def sleep(self, seconds: float) -> None:
        self.advance(timedelta(seconds=max(0.0, seconds)))
