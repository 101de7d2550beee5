"""A DynamoDB write transaction whose items keep the order they were added in, each with a
label, so a cancelled transaction says which of its conditions failed. (PynamoDB's own
TransactWrite regroups items by kind, which loses that mapping.)"""

import random
import time
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from functions.common.models import connection

MAX_ITEMS = 100  # DynamoDB's limit per transaction
# DynamoDB cancels a transaction that meets another one on the same item (TransactionConflict)
# instead of queueing it, and throttles a hot partition: in a flash sale every add-to-cart
# meets others on the variant. Both are retried a few times, then the caller is told Busy.
ATTEMPTS = 6
FIRST_BACKOFF_SECONDS = 0.02
_RETRYABLE_REASONS = {"TransactionConflict", "ThrottlingError"}
_THROTTLED = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
}


class Refused(Exception):
    """The transaction changed nothing: `failed` names the items whose condition failed."""

    def __init__(self, failed: frozenset[str], reasons: list[str]) -> None:
        super().__init__(f"transaction cancelled: {sorted(failed) or reasons}")
        self.failed = failed
        self.reasons = reasons


class Busy(Exception):
    """Other requests kept meeting this one, or DynamoDB throttled it: nothing changed, and
    the client may retry in a moment (the API answers 429)."""


class Transaction:
    def __init__(self) -> None:
        self._items: list[dict[str, Any]] = []
        self._labels: list[str] = []

    def _add(self, label: str, kind: str, operation: dict[str, Any]) -> None:
        if len(self._items) >= MAX_ITEMS:
            raise ValueError(f"a transaction holds at most {MAX_ITEMS} items")
        self._items.append({kind: operation})
        self._labels.append(label)

    def update(
        self, label: str, item: Model, actions: list[Action], condition: Condition | None = None
    ) -> None:
        self._add(
            label,
            "Update",
            item.get_update_kwargs_from_instance(actions=actions, condition=condition),
        )

    def put(self, label: str, item: Model, condition: Condition | None = None) -> None:
        self._add(label, "Put", item.get_save_kwargs_from_instance(condition=condition))

    def delete(self, label: str, item: Model, condition: Condition | None = None) -> None:
        self._add(label, "Delete", item.get_delete_kwargs_from_instance(condition=condition))

    def check(
        self, label: str, model: type[Model], hash_key: str, range_key: str, condition: Condition
    ) -> None:
        operation = model.get_operation_kwargs_from_class(
            hash_key, range_key=range_key, condition=condition
        )
        self._add(label, "ConditionCheck", operation)

    def commit(self) -> None:
        """Raises Refused when a condition failed (or DynamoDB cancelled it for a conflict with
        another transaction on the same items: `failed` is then empty, and a retry may pass).
        botocore gives the call a ClientRequestToken and keeps it across its own retries, so a
        retry after a lost answer does not apply the transaction twice."""
        try:
            connection().client.transact_write_items(TransactItems=self._items)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [
                reason.get("Code", "None")
                for reason in error.response.get("CancellationReasons", [])
            ]
            failed = frozenset(
                label
                for label, code in zip(self._labels, reasons, strict=False)
                if code == "ConditionalCheckFailed"
            )
            raise Refused(failed, reasons) from error

    def commit_retrying(self) -> None:
        """Commits, retrying with jittered backoff what DynamoDB cancelled for a conflict or
        throttled; raises Busy when that kept happening. A failed condition is an answer:
        Refused at once."""
        for attempt in range(ATTEMPTS):
            try:
                self.commit()
                return
            except Refused as refused:
                if refused.failed or not _RETRYABLE_REASONS & set(refused.reasons):
                    raise
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in _THROTTLED:
                    raise
            if attempt + 1 < ATTEMPTS:  # no wait before giving up
                time.sleep(random.uniform(0, FIRST_BACKOFF_SECONDS * 2**attempt))
        raise Busy()
