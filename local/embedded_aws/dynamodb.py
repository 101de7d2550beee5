"""DynamoDB in the embedded AWS, as atomic as DynamoDB itself. Installed in the moto server's
process (local/embedded_aws/server.py).

moto 5's TransactWriteItems backs up every table it touches with a deep copy and, when a
condition fails, puts the copy back. Under concurrent requests (moto's server answers each on
a thread of its own) that restore erases what other requests wrote meanwhile: the flash-sale
bench reserved 1,000 units of a variant of 100 (available: -900). And each transaction paid
for a copy of whole tables (seconds once the event log held thousands of items).

Here, as in DynamoDB: every DynamoDB request runs alone (moto's item writes are
read-modify-write in Python; DynamoDB serializes the writes to an item), and a transaction
checks all of its conditions before it writes anything, so a refusal changes nothing and
copies nothing. Only if a write then fails (a malformed update expression) are the touched
items, and their stream records, put back."""

import copy
import threading
from typing import Any

_REQUESTS = threading.RLock()


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    call_action = DynamoHandler.call_action

    def one_at_a_time(self: Any) -> Any:
        with _REQUESTS:
            return call_action(self)

    DynamoHandler.call_action = one_at_a_time  # type: ignore[method-assign]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign,assignment]


def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import (
        TooManyTransactionsException,
        TransactionCanceledException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    operations = [_operation(backend, item) for item in transact_items]
    _refuse_duplicates(operations)
    errors = [_refusal(backend, *operation) for operation in operations]
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    _write_all(backend, operations)


def _operation(backend: Any, item: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(kind, its parameters, the item's key)."""
    from moto.dynamodb.exceptions import TransactWriteSingleOpException

    if len(item) > 1:
        raise TransactWriteSingleOpException
    kind, op = next(iter(item.items()))
    if kind not in {"ConditionCheck", "Put", "Delete", "Update"}:
        raise ValueError("Unsupported transaction operation")
    if kind != "Put":
        return kind, op, op["Key"]
    table = backend.get_table(op["TableName"])
    attributes = op["Item"]
    key = {table.hash_key_attr: attributes[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attributes[table.range_key_attr]
    return kind, op, key


def _refuse_duplicates(operations: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
    from moto.dynamodb.exceptions import MultipleTransactionsException

    seen = set()
    for _, op, key in operations:
        target = (op["TableName"], str(dict(sorted(key.items()))))
        if target in seen:
            raise MultipleTransactionsException()
        seen.add(target)


def _refusal(
    backend: Any, kind: str, op: dict[str, Any], key: dict[str, Any]
) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """(None, None, None) when the item's condition holds, else DynamoDB's cancellation reason."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import MockValidationException

    try:
        current = backend.get_item(op["TableName"], key)
        expression = op.get("ConditionExpression")
        if expression is None:
            return None, None, None
        condition = get_filter_expression(
            expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if condition.expr(current):
            return None, None, None
        old = None
        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
            old = current.to_json()["Attributes"]
        return "ConditionalCheckFailed", "The conditional request failed", old
    except MockValidationException:
        raise  # a malformed request is refused as a whole, as DynamoDB does
    except Exception as error:  # e.g. a table that does not exist: the transaction's reason
        return type(error).__name__, str(error), None


def _write_all(backend: Any, operations: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
    undo = [_snapshot(backend, op["TableName"], key) for _, op, key in operations]
    try:
        for kind, op, key in operations:
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if kind == "Put":
                backend.put_item(op["TableName"], op["Item"], expression_attribute_names=names,
                                 expression_attribute_values=values)  # fmt: skip
            elif kind == "Delete":
                backend.delete_item(op["TableName"], key)
            elif kind == "Update":
                backend.update_item(op["TableName"], key, update_expression=op["UpdateExpression"],
                                    expression_attribute_names=names,
                                    expression_attribute_values=values)  # fmt: skip
    except Exception:
        for restore in reversed(undo):
            restore()
        raise


def _snapshot(backend: Any, table_name: str, key: dict[str, Any]) -> Any:
    """A function that puts the item (or its absence) and the table's stream back as they are."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = backend.get_table(table_name)
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    before = copy.deepcopy(table.get_item(hash_key, range_key))
    records = len(table.stream_shard.items) if table.stream_shard is not None else 0

    def restore() -> None:
        partition = table.items[hash_key] if range_key is not None else table.items
        slot = range_key if range_key is not None else hash_key
        if before is None:
            partition.pop(slot, None)
        else:
            partition[slot] = before
        if table.stream_shard is not None:
            del table.stream_shard.items[records:]

    return restore
