"""How Lambda works through a failing batch of stream records, without any AWS client.

The batch is retried until MaximumRetryAttempts is spent; with BisectBatchOnFunctionError a
failed batch is split in two first (a split does not count as a retry); a ReportBatchItemFailures
response checkpoints before the first failed record, and the retry starts there; records older
than MaximumRecordAgeInSeconds are not invoked again. What is given up is handed to `on_drop`
(the on-failure destination), never silently."""

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one invocation of a batch came to."""

    first_failed: int | None  # index of the first record to retry; None: all succeeded
    function_error: bool = False  # the function failed (not a batchItemFailures response)

    @classmethod
    def success(cls) -> "Attempt":
        return cls(first_failed=None)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    maximum_retry_attempts: int = -1  # -1: retry until the record expires
    bisect_on_error: bool = False
    maximum_record_age_s: int = -1  # -1: no limit of its own


class DropCondition(StrEnum):
    """The `requestContext.condition` of Lambda's on-failure invocation record."""

    RETRIES_EXHAUSTED = "RetryAttemptsExhausted"
    RECORD_AGE_EXCEEDED = "RecordAgeExceeded"


@dataclass(frozen=True, slots=True)
class Dropped[R]:
    records: Sequence[R]
    condition: DropCondition
    invoke_count: int  # invocations that included these records
    last_attempt: Attempt | None  # None when they expired before any invocation


@dataclass(slots=True)
class _Pending[R]:
    records: list[R]
    retries: int = 0  # failed invocations of exactly these records, beyond the first
    invocations: int = 0  # invocations that included them (their parent batch's too)


def deliver[R](
    batch: Sequence[R],
    *,
    invoke: Callable[[Sequence[R]], Attempt],
    policy: RetryPolicy,
    on_drop: Callable[[Dropped[R]], None],
    age_s: Callable[[R], float] = lambda record: 0.0,
    stopped: Callable[[], bool] = lambda: False,
    before_retry: Callable[[int], None] = lambda retry: None,
) -> int:
    """Invoke `batch` until every record is delivered or dropped; returns how many records
    (from the front) are done with, which is len(batch) unless `stopped` cut it short."""
    work = deque([_Pending(list(batch))])
    done = 0
    retrying = False
    while work:
        head = work[0]
        if retrying:  # the pause is where records age, so the age check comes after it
            before_retry(head.retries)
            retrying = False
        if stopped():
            return done
        expired = _expired_prefix(head.records, policy, age_s)
        if expired:
            on_drop(
                Dropped(
                    head.records[:expired],
                    DropCondition.RECORD_AGE_EXCEEDED,
                    head.invocations,
                    None,
                )
            )
            done += expired
            head.records = head.records[expired:]
            if not head.records:
                work.popleft()
            continue
        attempt = invoke(head.records)
        head.invocations += 1
        if attempt.first_failed is None:
            done += len(head.records)
            work.popleft()
            continue
        # Checkpoint: the records before the first failure are delivered.
        done += attempt.first_failed
        head.records = head.records[attempt.first_failed :]
        if attempt.function_error and policy.bisect_on_error and len(head.records) > 1:
            middle = len(head.records) // 2
            work.popleft()
            work.extendleft(
                [
                    _Pending(head.records[middle:], head.retries, head.invocations),
                    _Pending(head.records[:middle], head.retries, head.invocations),
                ]
            )
            retrying = True
            continue
        if 0 <= policy.maximum_retry_attempts <= head.retries:
            on_drop(
                Dropped(head.records, DropCondition.RETRIES_EXHAUSTED, head.invocations, attempt)
            )
            done += len(head.records)
            work.popleft()
            continue
        head.retries += 1
        retrying = True
    return done


def _expired_prefix[R](
    records: Sequence[R], policy: RetryPolicy, age_s: Callable[[R], float]
) -> int:
    """How many leading records are too old to invoke (records are in arrival order)."""
    if policy.maximum_record_age_s < 0:
        return 0
    count = 0
    for record in records:
        if age_s(record) <= policy.maximum_record_age_s:
            break
        count += 1
    return count
