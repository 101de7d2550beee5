"""Several items in one DynamoDB round trip, across tables: BatchGetItem and BatchWriteItem.

The hot path (a chat message) reads two items and writes two: as single calls that is four round
trips, here two. Neither call is a transaction: a batch read is as consistent as two GetItems
(eventually), a batch write is two unconditional puts. Every conditional rule (pace, mute, ban)
stays one conditional write of its own (room.py). DynamoDB may leave part of a batch
unprocessed under load: that part is asked again, with backoff, and a batch that stays
unprocessed fails loudly rather than losing an item."""

import random
import time
from collections.abc import Sequence
from typing import Any

from pynamodb.models import Model

from functions.common.models import connection

ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 0.05

type RawItem = dict[str, dict[str, Any]]


class BatchUnprocessed(RuntimeError):
    """DynamoDB kept refusing part of a batch (throttling): the caller's action fails."""


def _table(item: Model) -> str:
    return str(item.Meta.table_name)


def _key_names(item: Model) -> set[str]:
    return {name for name in (item._hash_keyname, item._range_keyname) if name is not None}


def _key(item: Model) -> RawItem:
    names = _key_names(item)
    serialized = item.serialize(null_check=False)
    return {name: value for name, value in serialized.items() if name in names}


def _identity(table: str, key: RawItem) -> tuple[str, str]:
    return table, repr(sorted((name, repr(value)) for name, value in key.items()))


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, FIRST_BACKOFF_SECONDS * 2**attempt))  # full jitter


def get_items(keys: Sequence[Model]) -> list[RawItem | None]:
    """For each key item (a model with only its keys set), the stored item's raw attributes, or
    None when there is none; in the order asked."""
    request: dict[str, dict[str, list[RawItem]]] = {}
    for item in keys:
        request.setdefault(_table(item), {"Keys": []})["Keys"].append(_key(item))
    found: dict[tuple[str, str], RawItem] = {}
    for attempt in range(ATTEMPTS):
        answer = connection().dispatch("BatchGetItem", {"RequestItems": request})
        for table, items in answer.get("Responses", {}).items():
            names = _key_names(next(item for item in keys if _table(item) == table))
            for raw in items:
                key = {name: raw[name] for name in names}
                found[_identity(table, key)] = raw
        request = answer.get("UnprocessedKeys") or {}
        if not request:
            return [found.get(_identity(_table(item), _key(item))) for item in keys]
        _backoff(attempt)
    raise BatchUnprocessed(f"BatchGetItem left keys unprocessed: {sorted(request)}")


def put_items(items: Sequence[Model]) -> None:
    """Puts every item (unconditionally, across tables) in one BatchWriteItem (at most 25)."""
    request: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        request.setdefault(_table(item), []).append({"PutRequest": {"Item": item.serialize()}})
    for attempt in range(ATTEMPTS):
        answer = connection().dispatch("BatchWriteItem", {"RequestItems": request})
        request = answer.get("UnprocessedItems") or {}
        if not request:
            return
        _backoff(attempt)
    raise BatchUnprocessed(f"BatchWriteItem left items unprocessed: {sorted(request)}")
