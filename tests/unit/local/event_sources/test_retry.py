"""The stream retry logic: retries, bisection, checkpoints and record age, without AWS."""

from collections.abc import Sequence

from local.event_sources.retry import Attempt, DropCondition, Dropped, RetryPolicy, deliver


class Function:
    """Fails every batch holding a poison record (a function error), or reports the first
    poison record as failed (ReportBatchItemFailures)."""

    def __init__(self, poison: set[int], *, report_items: bool = False, heal_after: int = 0):
        self.poison, self.report_items, self.heal_after = poison, report_items, heal_after
        self.batches: list[list[int]] = []

    def __call__(self, batch: Sequence[int]) -> Attempt:
        self.batches.append(list(batch))
        if self.heal_after and len(self.batches) > self.heal_after:
            return Attempt.success()
        failed = [index for index, record in enumerate(batch) if record in self.poison]
        if not failed:
            return Attempt.success()
        if self.report_items:
            return Attempt(first_failed=failed[0])
        return Attempt(first_failed=0, function_error=True)


def run(batch: list[int], function: Function, policy: RetryPolicy, **kwargs) -> list[Dropped]:
    dropped: list[Dropped] = []
    done = deliver(batch, invoke=function, policy=policy, on_drop=dropped.append, **kwargs)
    assert done == len(batch)
    return dropped


def succeeded(function: Function) -> list[int]:
    return [r for batch in function.batches if not set(batch) & function.poison for r in batch]


def test_a_successful_batch_is_invoked_once():
    function = Function(poison=set())
    assert run([1, 2, 3], function, RetryPolicy()) == []
    assert function.batches == [[1, 2, 3]]


def test_a_failing_batch_is_retried_maximum_retry_attempts_times_then_dropped_whole():
    function = Function(poison={2})
    (dropped,) = run([1, 2, 3], function, RetryPolicy(maximum_retry_attempts=2))
    assert function.batches == [[1, 2, 3]] * 3
    assert dropped.records == [1, 2, 3]
    assert dropped.condition is DropCondition.RETRIES_EXHAUSTED
    assert dropped.invoke_count == 3
    assert dropped.last_attempt is not None
    assert dropped.last_attempt.function_error


def test_zero_retry_attempts_drop_after_the_first_failure():
    function = Function(poison={1})
    (dropped,) = run([1], function, RetryPolicy(maximum_retry_attempts=0))
    assert function.batches == [[1]]
    assert dropped.invoke_count == 1


def test_infinite_retries_go_on_until_the_function_heals():
    function = Function(poison={1}, heal_after=5)
    assert run([1, 2], function, RetryPolicy(maximum_retry_attempts=-1)) == []
    assert len(function.batches) == 6


def test_bisection_isolates_the_poison_record_and_delivers_the_others():
    function = Function(poison={3})
    batch = list(range(8))
    (dropped,) = run(batch, function, RetryPolicy(maximum_retry_attempts=1, bisect_on_error=True))
    assert dropped.records == [3]
    assert sorted(succeeded(function)) == [r for r in batch if r != 3]
    # The splits do not spend retries: the poison alone is invoked 1 + 1 times.
    assert function.batches.count([3]) == 2
    assert function.batches[:3] == [list(range(8)), [0, 1, 2, 3], [0, 1]]
    assert dropped.invoke_count == 5  # 8, 4, 2 records, then twice alone


def test_reported_item_failure_checkpoints_before_it_and_retries_from_there():
    function = Function(poison={2}, report_items=True, heal_after=1)
    assert run([0, 1, 2, 3, 4], function, RetryPolicy(maximum_retry_attempts=3)) == []
    assert function.batches == [[0, 1, 2, 3, 4], [2, 3, 4]]


def test_reported_item_failures_exhausted_drop_from_the_checkpoint_on():
    function = Function(poison={2}, report_items=True)
    (dropped,) = run(
        [0, 1, 2, 3], function, RetryPolicy(maximum_retry_attempts=1, bisect_on_error=True)
    )
    # A batchItemFailures response is a checkpoint, not a function error: no bisection.
    assert function.batches == [[0, 1, 2, 3], [2, 3]]
    assert dropped.records == [2, 3]
    assert dropped.last_attempt == Attempt(first_failed=0)


def test_records_past_maximum_record_age_are_dropped_without_invoking():
    ages = {1: 100.0, 2: 100.0, 3: 5.0}
    function = Function(poison=set())
    (dropped,) = run(
        [1, 2, 3], function, RetryPolicy(maximum_record_age_s=60), age_s=ages.__getitem__
    )
    assert dropped.records == [1, 2]
    assert dropped.condition is DropCondition.RECORD_AGE_EXCEEDED
    assert function.batches == [[3]]


def test_records_that_age_out_while_retried_are_dropped_then():
    ages = {1: 0.0}
    function = Function(poison={1})

    def age(record: int) -> float:
        return ages[record]

    def older(retry: int) -> None:
        ages[1] += 40

    (dropped,) = run(
        [1], function, RetryPolicy(maximum_record_age_s=60), age_s=age, before_retry=older
    )
    assert dropped.condition is DropCondition.RECORD_AGE_EXCEEDED
    assert dropped.invoke_count == 2
    assert len(function.batches) == 2


def test_stopping_returns_how_far_it_got():
    function = Function(poison={2})
    calls = iter([False, False, True])
    done = deliver(
        [0, 1, 2],
        invoke=function,
        policy=RetryPolicy(bisect_on_error=True),
        on_drop=lambda dropped: None,
        stopped=lambda: next(calls),
    )
    # [0,1,2] failed, [0] delivered, then stopped before [1, 2]
    assert done == 1
