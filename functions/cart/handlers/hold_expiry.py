"""The hold timer's consumer: a reservation whose hold has ended goes back on sale.

Messages arrive when the hold ends (SQS delay, to the second). A message that arrives early
(a hold longer than SQS's 15-minute delay) is sent on with what remains. A line renewed,
changed or sold since its timer started is left alone: its newer timer, or the sale, decides."""

import time
from typing import TYPE_CHECKING, Any

from functions.cart.adapters.hold_timer import HoldDue, HoldTimer
from functions.cart.dal import carts, stock
from functions.cart.dal.models import CartModel, LineState
from functions.common.events import CartItemRemoved, RemovalReason
from functions.common.observability import instrumented, logger, metrics
from functions.common.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def expire(due: HoldDue, timer: HoldTimer, *, now: float | None = None) -> bool:
    """True when the line's units went back on sale."""
    now = time.time() if now is None else now
    if due.held_until > now + 1:
        timer.start(due, now=now)
        return False
    line = carts.line(due.cart_id, due.sku)
    if line is None or line.state != LineState.HELD or int(line.held_until or 0) != due.held_until:
        return False  # removed, renewed or sold meanwhile
    header = CartModel.get(due.cart_id, CartModel.HEADER)
    event = CartItemRemoved(
        show_id=header.show_id,
        viewer_id=header.viewer_id,
        cart_id=due.cart_id,
        product_sku=line.product_sku,
        sku=line.sku,
        quantity=int(line.quantity),
        reason=RemovalReason.EXPIRED,
    )
    try:
        stock.release(line, int(line.quantity), event, only_hold=due.held_until)
    except stock.LineChanged:
        return False  # renewed or sold between the read and the release
    return True


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, Any]:
    timer = HoldTimer(Settings.from_env().require("holds_queue_url"))
    failures = []
    released = 0
    for record in event.get("Records", []):
        try:
            released += expire(HoldDue.parse(record["body"]), timer)
        except Exception:
            logger().exception("could not expire a hold", extra={"body": record.get("body")})
            failures.append({"itemIdentifier": record["messageId"]})
    metrics().add_metric(name="HoldsExpired", unit="Count", value=released)
    return {"batchItemFailures": failures}
