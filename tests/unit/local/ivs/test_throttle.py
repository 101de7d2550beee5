"""PutMetadata's quota: 5 calls in any one second, per channel."""

from local.ivs.throttle import SlidingWindowLimit


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_five_calls_pass_and_the_sixth_within_the_second_is_refused():
    clock = FakeClock()
    limit = SlidingWindowLimit(limit=5, window_seconds=1.0, clock=clock)
    assert [limit.try_acquire() for _ in range(5)] == [True] * 5
    clock.now += 0.999
    assert limit.try_acquire() is False


def test_the_window_slides_and_refused_calls_do_not_count():
    clock = FakeClock()
    limit = SlidingWindowLimit(limit=5, window_seconds=1.0, clock=clock)
    for offset in (0.0, 0.25, 0.5, 0.75, 0.875):
        clock.now = 100.0 + offset
        assert limit.try_acquire()
    clock.now = 101.0  # the call made at 100.0 has left the window
    assert limit.try_acquire() is True
    assert limit.try_acquire() is False  # refused: does not enter the window
    clock.now = 101.25  # the call made at 100.25 has left it too
    assert limit.try_acquire() is True
    assert limit.try_acquire() is False


def test_reset_empties_the_window():
    limit = SlidingWindowLimit(limit=1, window_seconds=1.0, clock=FakeClock())
    assert limit.try_acquire()
    assert not limit.try_acquire()
    limit.reset()
    assert limit.try_acquire()
