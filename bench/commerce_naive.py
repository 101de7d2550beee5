"""The baseline of the flash sale: stock decremented the naive way, read then write.

Each buyer reads the variant's counters (GetItem, consistent read: the best a naive reader can
do), and if it saw a unit available, writes back what it computed, `available = seen - 1` and
`reserved = seen + 1`, with no condition (UpdateItem), and tells its viewer "yes". Between one
buyer's read and its write, others read the same value: they all "get" the same unit, and the
later writes overwrite the earlier ones (lost updates). Against the same embedded DynamoDB as
the real path, on a variant item of its own.

`concurrency` threads (all released at once) share the buyers: with as many threads as buyers,
every buyer reads at the same moment, as 1,000 Lambda environments would in AWS."""

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

BARRIER_TIMEOUT_S = 120


@dataclass
class NaiveSale:
    buyers: int
    concurrency: int
    succeeded: int = 0  # buyers told "yes": they saw a unit and wrote their decrement
    refused: int = 0  # buyers who saw nothing available
    errors: list[str] = field(default_factory=list)  # calls that failed: reported, not dropped
    final: dict[str, int] = field(default_factory=dict)  # the item's counters afterwards
    wall_s: float = 0.0

    def oversold(self, stock: int) -> int:
        """Units promised beyond the stock: buyers told "yes" who can never be served."""
        return max(0, self.succeeded - stock)


def _counters(item: dict[str, Any]) -> dict[str, int]:
    return {name: int(item[name]["N"]) for name in ("stock", "available", "reserved", "sold")}


def naive_sale(
    endpoint: str, table: str, key: dict[str, str], buyers: int, concurrency: int
) -> NaiveSale:
    """`buyers` read-then-write reservations of one unit each of the item at `key`, made by
    `concurrency` threads at once."""
    concurrency = min(concurrency, buyers)
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        # One connection per thread, and the SDK's retries for a refused connection: a buyer
        # is never lost to the client's own pool or to the server's accept queue.
        config=Config(
            max_pool_connections=concurrency, retries={"mode": "standard", "max_attempts": 5}
        ),
    )
    item_key = {name: {"S": value} for name, value in key.items()}
    sale = NaiveSale(buyers, concurrency)
    lock = threading.Lock()
    tickets = iter(range(buyers))
    barrier = threading.Barrier(concurrency + 1, timeout=BARRIER_TIMEOUT_S)  # + this thread

    def buy() -> None:
        try:
            seen = dynamodb.get_item(TableName=table, Key=item_key, ConsistentRead=True)["Item"]
            available, reserved = int(seen["available"]["N"]), int(seen["reserved"]["N"])
            if available <= 0:
                with lock:
                    sale.refused += 1
                return
            dynamodb.update_item(
                TableName=table,
                Key=item_key,
                UpdateExpression="SET available = :available, reserved = :reserved",
                ExpressionAttributeValues={
                    ":available": {"N": str(available - 1)},
                    ":reserved": {"N": str(reserved + 1)},
                },
            )
            with lock:
                sale.succeeded += 1
        except Exception as error:
            with lock:
                sale.errors.append(f"{type(error).__name__}: {error}"[:300])

    def buyer_thread() -> None:
        barrier.wait()
        while True:
            with lock:
                ticket = next(tickets, None)
            if ticket is None:
                return
            buy()

    threads = [
        threading.Thread(target=buyer_thread, name=f"naive-buyer-{n}", daemon=True)
        for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    sale.wall_s = time.perf_counter() - started
    item = dynamodb.get_item(TableName=table, Key=item_key, ConsistentRead=True)["Item"]
    sale.final = _counters(item)
    return sale
