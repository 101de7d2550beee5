"""Commerce fixtures: a show and a product of the test's own (unique skus, so a kept endpoint
never mixes runs), the REST API function's environment, the real hold timer keeping what it
sent, and and the stock invariant read back from the tables."""

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from functions.cart.adapters.hold_timer import HoldDue, HoldTimer
from functions.cart.dal import catalog, stock
from functions.cart.dal.carts import StoredCart, load
from functions.cart.dal.models import LineState
from functions.cart.logic.products import ProductDraft, VariantDraft
from functions.cart.logic.shows import ShowDraft
from functions.cart.logic.stock import StockCounters
from functions.common.settings import Settings

REST_API = "functions.cart.app.app"
HOLD_EXPIRY = "functions.cart.handlers.hold_expiry.handler"
UNIT_PRICE = Decimal("19.90")


@dataclass(frozen=True)
class Listing:
    """A show selling one product whose variants start with `stock` units each."""

    show_id: str
    product_sku: str
    stock: dict[str, int]  # variant sku -> units put on sale

    @property
    def skus(self) -> list[str]:
        return list(self.stock)

    def counters(self, sku: str) -> StockCounters:
        found = stock.counters(self.product_sku, sku)
        assert found is not None, f"variant {sku} vanished"
        return found

    def every_counter(self) -> dict[str, StockCounters]:
        """Each variant's counters, from one consistent Query of the product's partition."""
        product = catalog.stored_product(self.product_sku, consistent=True)
        assert product is not None, f"product {self.product_sku} vanished"
        return {
            variant.sku: StockCounters(
                stock=int(variant.stock),
                available=int(variant.available),
                reserved=int(variant.reserved),
                sold=int(variant.sold),
            )
            for variant in product.variants
        }


@pytest.fixture
def rest_api(as_function) -> Iterator[Settings]:
    """The test body runs with the REST API function's own environment."""
    with as_function(REST_API):
        yield Settings.from_env()


@pytest.fixture
def new_listing(rest_api) -> Callable[..., Listing]:
    """`new_listing(M=3, L=5)`: a product of a unique sku with those variants and units, and a
    scheduled show selling it (a scheduled show takes carts: viewers shop the teaser)."""

    def create(**units: int) -> Listing:
        run = uuid.uuid4().hex[:10].upper()
        product_sku = f"TEST-{run}"
        stock_of = {f"{product_sku}-{size}": count for size, count in units.items()}
        catalog.create_product(
            ProductDraft(
                sku=product_sku,
                name="Test runner",
                price=UNIT_PRICE,
                variants=[
                    VariantDraft(sku=sku, size=size, stock=count)
                    for (size, count), sku in zip(units.items(), stock_of, strict=True)
                ],
            )
        )
        show_id = f"show-{run.lower()}"
        catalog.create_show(
            ShowDraft(
                show_id=show_id,
                title="Stock under test",
                starts_at=datetime.now(UTC) + timedelta(days=1),
                product_skus=[product_sku],
            )
        )
        return Listing(show_id, product_sku, stock_of)

    return create


class KeptTimer(HoldTimer):
    """The real hold timer (its messages go to the holds queue, delayed until the hold ends),
    keeping each message it sent: a test delivers one when its hold has ended."""

    def __init__(self, queue_url: str) -> None:
        super().__init__(queue_url)
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def start(self, due: HoldDue, *, now: float | None = None) -> None:
        super().start(due, now=now)
        with self._lock:
            self.sent.append(due.body())


def line_totals(carts: list[StoredCart], sku: str) -> tuple[int, int]:
    """(held, sold) units of `sku` over the carts' lines."""
    held = sold = 0
    for cart in carts:
        line = cart.line(sku)
        if line is None:
            continue
        if line.state == LineState.HELD:
            held += int(line.quantity)
        else:
            assert line.state == LineState.SOLD, line.state
            sold += int(line.quantity)
    return held, sold


def assert_balanced(
    listing: Listing, cart_ids: list[str]
) -> tuple[dict[str, StockCounters], list[StoredCart]]:
    """The invariant, read back from the tables: per variant available + reserved + sold =
    stock, no counter below zero, the carts' held lines are the reserved units and their sold
    lines the sold ones. Returns the counters by variant, and the carts."""
    carts = [cart for cart in (load(cart_id) for cart_id in cart_ids) if cart is not None]
    assert len(carts) == len(cart_ids), "a cart vanished"
    found = listing.every_counter()
    assert set(found) == set(listing.stock)
    for sku, units in listing.stock.items():
        counters = found[sku]
        assert counters.stock == units, f"{sku}: units created or destroyed: {counters}"
        assert counters.balanced, f"{sku}: {counters}"
        held, sold = line_totals(carts, sku)
        assert (held, sold) == (counters.reserved, counters.sold), (sku, counters, held, sold)
    return found, carts
