"""How fast a viewer may post: Vitrine's own rate limit, and the room's slow mode.

Pure Python; the dal enforces the result with one conditional write (race-free across Lambdas)."""

from dataclasses import dataclass

MIN_SECONDS_BETWEEN_MESSAGES = 1.0  # everyone, always: a flood guard
MIN_SECONDS_BETWEEN_STAFF_MESSAGES = 0.2
MIN_SECONDS_BETWEEN_REACTIONS = 0.8  # pages send one react frame a second, carrying the taps


@dataclass(frozen=True, slots=True)
class Pace:
    min_interval: float
    slow_mode: bool  # True when the room's slow mode sets the interval

    def retry_after(self, last_at: float, now: float) -> float:
        return max(0.0, round(last_at + self.min_interval - now, 1))


def message_pace(*, is_staff: bool, slow_mode_seconds: int) -> Pace:
    """Staff are exempt from slow mode: they answer questions while viewers wait."""
    if is_staff:
        return Pace(MIN_SECONDS_BETWEEN_STAFF_MESSAGES, slow_mode=False)
    if slow_mode_seconds > MIN_SECONDS_BETWEEN_MESSAGES:
        return Pace(float(slow_mode_seconds), slow_mode=True)
    return Pace(MIN_SECONDS_BETWEEN_MESSAGES, slow_mode=False)


def reaction_pace() -> Pace:
    return Pace(MIN_SECONDS_BETWEEN_REACTIONS, slow_mode=False)
