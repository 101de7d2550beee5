"""The hold timer: a reservation's expiry as an SQS message delayed until the hold ends.

SQS delays to the second, up to 15 minutes; a longer hold is re-sent with what remains when
the message arrives (handlers/hold_expiry.py). DynamoDB's TTL would return stock whenever it
gets round to it (within days), EventBridge Scheduler within the minute: neither is on time."""

import json
import time
from dataclasses import dataclass

from functions.common.aws import client

MAX_DELAY_SECONDS = 900  # SQS's limit


@dataclass(frozen=True, slots=True)
class HoldDue:
    """The message: the line whose hold `held_until` (epoch seconds) ends."""

    cart_id: str
    sku: str
    held_until: int

    def body(self) -> str:
        return json.dumps({"cart_id": self.cart_id, "sku": self.sku, "held_until": self.held_until})

    @classmethod
    def parse(cls, body: str) -> "HoldDue":
        data = json.loads(body)
        return cls(str(data["cart_id"]), str(data["sku"]), int(data["held_until"]))


class HoldTimer:
    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url

    def start(self, due: HoldDue, *, now: float | None = None) -> None:
        """Sends the message to arrive when the hold ends (or MAX_DELAY_SECONDS from now)."""
        remaining = due.held_until - (time.time() if now is None else now)
        delay = max(0, min(MAX_DELAY_SECONDS, int(remaining + 0.999)))
        client("sqs").send_message(
            QueueUrl=self.queue_url, MessageBody=due.body(), DelaySeconds=delay
        )
