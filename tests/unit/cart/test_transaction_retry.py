"""A DynamoDB transaction cancelled for a conflict or throttled is retried, then reported as
Busy (a 429); a failed condition is an answer at once, never retried."""

import pytest
from botocore.exceptions import ClientError

from functions.cart.dal import transaction as module
from functions.cart.dal.transaction import ATTEMPTS, Busy, Refused, Transaction


def throttled() -> ClientError:
    return ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "Transact")


@pytest.fixture
def attempts(monkeypatch) -> list[str]:
    monkeypatch.setattr(module.time, "sleep", lambda _: None)
    return []


def committing(monkeypatch, attempts: list[str], outcomes: list[Exception | None]) -> None:
    def commit(self) -> None:
        outcome = outcomes[len(attempts)] if len(attempts) < len(outcomes) else outcomes[-1]
        attempts.append(type(outcome).__name__)
        if outcome is not None:
            raise outcome

    monkeypatch.setattr(Transaction, "commit", commit)


@pytest.mark.parametrize(
    "busy",
    [
        Refused(frozenset(), ["None", "TransactionConflict"]),
        Refused(frozenset(), ["ThrottlingError", "None"]),
        throttled(),
    ],
    ids=["conflict", "throttled item", "throttled request"],
)
def test_a_conflict_or_a_throttle_is_retried_until_it_passes(monkeypatch, attempts, busy):
    committing(monkeypatch, attempts, [busy, busy, None])
    Transaction().commit_retrying()
    assert len(attempts) == 3


def test_one_that_keeps_being_refused_is_busy_after_a_few_tries(monkeypatch, attempts):
    committing(monkeypatch, attempts, [throttled()])
    with pytest.raises(Busy):
        Transaction().commit_retrying()
    assert len(attempts) == ATTEMPTS


def test_a_failed_condition_is_an_answer_not_retried(monkeypatch, attempts):
    committing(monkeypatch, attempts, [Refused(frozenset({"stock"}), ["ConditionalCheckFailed"])])
    with pytest.raises(Refused):
        Transaction().commit_retrying()
    assert len(attempts) == 1


def test_another_error_is_not_retried(monkeypatch, attempts):
    committing(
        monkeypatch, attempts, [ClientError({"Error": {"Code": "ValidationException"}}, "T")]
    )
    with pytest.raises(ClientError):
        Transaction().commit_retrying()
    assert len(attempts) == 1
