"""Stock under random sequences: viewers of several carts add, change and remove units, holds
run out (the hold-expiry consumer's path, given the message the timer sent) and carts check
out, against the embedded DynamoDB through the actions and the dal, nothing mocked.

After every step, for every variant: available + reserved + sold = stock with no counter below
zero, the carts' held lines are the reserved units and their sold lines the sold units, and
every answer and counter is what a model of the sequence says: no unit lost, none created."""

import json
import uuid
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from functions.cart.actions import carts as actions
from functions.cart.actions.checkout import checkout
from functions.cart.adapters.hold_timer import HoldDue, HoldTimer
from functions.cart.dal.carts import load
from functions.cart.dal.models import LineState
from functions.cart.handlers import hold_expiry
from functions.cart.logic import errors
from functions.cart.logic.carts import MAX_QUANTITY, CartDraft, LineRequest
from functions.common.aws import client
from tests.integration.cart.conftest import HOLD_EXPIRY, KeptTimer, assert_balanced

pytestmark = pytest.mark.integration

CARTS = 4
STOCK = {"S": 3, "M": 12}  # S sells out at once; M lets one cart reach MAX_QUANTITY
SIZES = tuple(STOCK)
# About 200 steps of a dozen embedded-AWS calls each: well under a minute here. Derandomized
# (and no example database) so CI runs the same sequences every time.
SEQUENCES = settings(
    max_examples=8,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@dataclass
class Line:
    quantity: int
    held_until: int  # the hold of the line's last reservation
    sold: bool = False


@dataclass
class Cart:
    cart_id: str
    lines: dict[str, Line] = field(default_factory=dict)
    order_id: str | None = None


def refusal(call) -> str | None:
    """The code of the ApiError `call` raised, or None when it succeeded."""
    try:
        call()
    except errors.ApiError as error:
        return error.code
    return None


class StockMachine(RuleBasedStateMachine):
    def __init__(self, new_listing, settings_, as_function) -> None:
        super().__init__()
        self.new_listing, self.settings, self.as_function = new_listing, settings_, as_function
        self.timer = KeptTimer(settings_.require("holds_queue_url"))
        self.shop = actions.Shop(hold_seconds=settings_.hold_seconds, timer=self.timer)

    @initialize()
    def open_carts(self) -> None:
        self.listing = self.new_listing(**STOCK)
        self.carts = []
        for _ in range(CARTS):
            view = actions.create(
                CartDraft(show_id=self.listing.show_id, viewer_id=f"v-{uuid.uuid4().hex[:8]}")
            )
            self.carts.append(Cart(view.cart_id))

    # -- the model ----------------------------------------------------------------------------

    def sku(self, size: str) -> str:
        return f"{self.listing.product_sku}-{size}"

    def units(self, sku: str, *, sold: bool) -> int:
        return sum(
            line.quantity
            for cart in self.carts
            for s, line in cart.lines.items()
            if s == sku and line.sold == sold
        )

    def available(self, sku: str) -> int:
        return self.listing.stock[sku] - self.units(sku, sold=False) - self.units(sku, sold=True)

    def refusal_of_add(self, cart: Cart, sku: str, quantity: int) -> str | None:
        if cart.order_id:
            return "cart_checked_out"
        if self.available(sku) < quantity:
            return "out_of_stock"
        line = cart.lines.get(sku)
        if line and line.quantity + quantity > MAX_QUANTITY:
            return "too_many"
        return None

    def reserved(self, cart: Cart, sku: str, quantity: int) -> None:
        """The model after a reservation: the line grows and takes the new timer's hold."""
        held_until = HoldDue.parse(self.timer.sent[-1]).held_until
        line = cart.lines.setdefault(sku, Line(0, held_until))
        line.quantity += quantity
        line.held_until = held_until

    # -- what viewers do -----------------------------------------------------------------------

    @rule(cart=st.integers(0, CARTS - 1), size=st.sampled_from(SIZES), quantity=st.integers(1, 4))
    def add(self, cart: int, size: str, quantity: int) -> None:
        model, sku = self.carts[cart], self.sku(size)
        request = LineRequest(product_sku=self.listing.product_sku, sku=sku, quantity=quantity)
        expected = self.refusal_of_add(model, sku, quantity)
        event(f"add: {expected or 'reserved'}")
        assert refusal(lambda: actions.add(model.cart_id, request, self.shop)) == expected
        if expected is None:
            self.reserved(model, sku, quantity)

    def lines(self) -> list[tuple[Cart, str]]:
        return [(cart, sku) for cart in self.carts for sku in sorted(cart.lines)]

    @precondition(lambda self: self.lines())
    @rule(pick=st.integers(0, 10_000), by=st.integers(-3, 3))
    def change(self, pick: int, by: int) -> None:
        """PUT /carts/{id}/lines/{sku}: 0 removes the line, more reserves, less releases."""
        lines = self.lines()
        model, sku = lines[pick % len(lines)]
        line = model.lines[sku]
        quantity = min(MAX_QUANTITY, max(0, line.quantity + by))
        if model.order_id:
            expected: str | None = "cart_checked_out"
        elif quantity > line.quantity:
            expected = self.refusal_of_add(model, sku, quantity - line.quantity)
        else:
            expected = None
        event(f"change: {expected or 'changed'}")

        def call() -> None:
            if quantity == 0:
                actions.remove(model.cart_id, sku, self.shop)
            else:
                actions.change(model.cart_id, sku, quantity, self.shop)

        assert refusal(call) == expected
        if expected is None:
            if quantity == 0:
                del model.lines[sku]
            elif quantity > line.quantity:
                self.reserved(model, sku, quantity - line.quantity)
            else:
                line.quantity = quantity

    @precondition(lambda self: self.lines())
    @rule(pick=st.integers(0, 10_000))
    def remove(self, pick: int) -> None:
        lines = self.lines()
        model, sku = lines[pick % len(lines)]
        expected = "cart_checked_out" if model.order_id else None
        event(f"remove: {expected or 'removed'}")
        assert refusal(lambda: actions.remove(model.cart_id, sku, self.shop)) == expected
        if expected is None:
            del model.lines[sku]

    @precondition(lambda self: self.timer.sent)
    @rule(back=st.integers(0, 3))
    def hold_runs_out(self, back: int) -> None:
        """One of the last messages the timer sent arrives when its hold ends (stale ones too,
        and again: SQS may deliver twice). Only a line still held by that very hold goes."""
        body = self.timer.sent[-1 - min(back, len(self.timer.sent) - 1)]
        due = HoldDue.parse(body)
        model = next(cart for cart in self.carts if cart.cart_id == due.cart_id)
        line = model.lines.get(due.sku)
        expected = line is not None and not line.sold and line.held_until == due.held_until
        with self.as_function(HOLD_EXPIRY):
            timer = HoldTimer(self.settings.require("holds_queue_url"))
            released = hold_expiry.expire(HoldDue.parse(body), timer, now=float(due.held_until))
        event(f"hold runs out: {'released' if expected else 'nothing to release'}")
        assert released is expected
        if expected:
            del model.lines[due.sku]

    @precondition(lambda self: any(not cart.order_id and cart.lines for cart in self.carts))
    @rule(cart=st.integers(0, CARTS - 1))
    def check_out(self, cart: int) -> None:
        """Checking out again (a retry) answers the same order and sells nothing more."""
        model = self.carts[cart]
        answers = []
        code = refusal(lambda: answers.append(checkout(model.cart_id, self.settings)))
        event(f"check out: {'again' if model.order_id else 'empty' if not model.lines else 'sold'}")
        if not model.order_id and not model.lines:
            assert code == "cart_empty"
            return
        assert code is None
        assert answers[0].order_id == f"vt-{model.cart_id}"
        model.order_id = answers[0].order_id
        for line in model.lines.values():
            line.sold = True

    # -- after every step ------------------------------------------------------------------------

    @invariant()
    def no_unit_lost_or_created(self) -> None:
        counters, stored = assert_balanced(self.listing, [cart.cart_id for cart in self.carts])
        for sku, found in counters.items():
            expected = (
                self.available(sku),
                self.units(sku, sold=False),
                self.units(sku, sold=True),
            )
            assert (found.available, found.reserved, found.sold) == expected, sku
        for model, cart in zip(self.carts, stored, strict=True):
            lines = {
                line.sku: (int(line.quantity), line.state == LineState.SOLD) for line in cart.lines
            }
            assert lines == {s: (line.quantity, line.sold) for s, line in model.lines.items()}
            assert cart.header.order_id == model.order_id


def test_stock_balances_after_every_step_of_random_shopping(new_listing, rest_api, as_function):
    run_state_machine_as_test(
        lambda: StockMachine(new_listing, rest_api, as_function), settings=SEQUENCES
    )


def test_the_consumer_puts_a_lapsed_hold_back_on_sale_from_the_timers_message(
    new_listing, rest_api, as_function, lambda_context
):
    """The SQS path itself: a zero-second hold's message is due at once; the consumer, given
    the record SQS delivers, releases the line."""
    listing = new_listing(ONE=2)
    (sku,) = listing.skus
    queue = rest_api.require("holds_queue_url")
    shop = actions.Shop(hold_seconds=0, timer=HoldTimer(queue))
    cart = actions.create(CartDraft(show_id=listing.show_id, viewer_id="v-lapsed"))
    request = LineRequest(product_sku=listing.product_sku, sku=sku, quantity=2)
    actions.add(cart.cart_id, request, shop)
    assert listing.counters(sku).reserved == 2

    record = None
    sqs = client("sqs")
    for _ in range(20):  # the queue may hold other tests' due messages: take ours
        for message in sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", []):
            if json.loads(message["Body"])["cart_id"] == cart.cart_id:
                record = message
        if record:
            break
    assert record is not None, "the hold timer sent no message"
    event = {
        "Records": [
            {"messageId": record["MessageId"], "body": record["Body"], "eventSource": "aws:sqs"}
        ]
    }
    with as_function(HOLD_EXPIRY):
        answer = hold_expiry.handler(event, lambda_context)
    assert answer == {"batchItemFailures": []}
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=record["ReceiptHandle"])

    assert load(cart.cart_id).lines == []
    counters, _ = assert_balanced(listing, [cart.cart_id])
    assert (counters[sku].available, counters[sku].reserved) == (2, 0)
    # Delivered again (SQS is at-least-once): nothing more goes back on sale.
    with as_function(HOLD_EXPIRY):
        assert hold_expiry.handler(event, lambda_context) == {"batchItemFailures": []}
    assert listing.counters(sku).available == 2
