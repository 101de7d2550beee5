"""Stock under real concurrency: dozens of threads, each a viewer's Lambda environment, race
through the actions against the embedded DynamoDB. The transactions' conditions, not luck or
timing, decide: exactly `stock` units are reserved or sold, every other request is refused
with its reason, and available + reserved + sold = stock afterwards."""

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from functions.cart.actions import carts as actions
from functions.cart.actions.checkout import checkout
from functions.cart.dal import promos
from functions.cart.dal.carts import load
from functions.cart.dal.models import CartStatus
from functions.cart.logic import errors
from functions.cart.logic.carts import CartDraft, LineRequest
from functions.cart.logic.promos import PromoDraft, PromoScope
from functions.common.events import PromoKind
from tests.integration.cart.conftest import KeptTimer, Listing, assert_balanced

pytestmark = pytest.mark.integration

VIEWERS = 48


@pytest.fixture
def shop(rest_api) -> actions.Shop:
    return actions.Shop(rest_api.hold_seconds, KeptTimer(rest_api.require("holds_queue_url")))


def open_carts(listing: Listing, count: int) -> list[str]:
    return [
        actions.create(
            CartDraft(show_id=listing.show_id, viewer_id=f"v-{uuid.uuid4().hex[:10]}")
        ).cart_id
        for _ in range(count)
    ]


def race(work: list[Callable[[], object]]) -> Counter[str]:
    """Runs each call on its own thread, all released at once; counts "ok" and the refusals'
    codes. Anything else a call raises fails the test."""
    start = threading.Barrier(len(work))

    def run(call: Callable[[], object]) -> str:
        start.wait()
        try:
            call()
        except errors.ApiError as refused:
            return refused.code
        return "ok"

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        return Counter(pool.map(run, work))


def test_the_last_units_go_to_exactly_as_many_viewers_as_there_are(new_listing, shop):
    listing = new_listing(ONE=5)
    (sku,) = listing.skus
    cart_ids = open_carts(listing, VIEWERS)
    request = LineRequest(product_sku=listing.product_sku, sku=sku, quantity=1)

    outcomes = race([lambda c=cart_id: actions.add(c, request, shop) for cart_id in cart_ids])

    assert outcomes == {"ok": 5, "out_of_stock": VIEWERS - 5}
    counters, carts = assert_balanced(listing, cart_ids)
    assert (counters[sku].available, counters[sku].reserved) == (0, 5)
    assert sum(1 for cart in carts if cart.lines) == 5


def test_a_crowd_adding_removing_and_checking_out_neither_loses_nor_makes_a_unit(
    new_listing, shop, rest_api
):
    """Each viewer adds, maybe takes units out, maybe checks out, on two scarce variants; the
    crowd's carts meet on the same variant items all the time."""
    listing = new_listing(M=6, L=4)
    cart_ids = open_carts(listing, VIEWERS)
    expected = {"out_of_stock", "not_found", "cart_checked_out", "cart_empty"}
    unexpected: list[errors.ApiError] = []

    def viewer(cart_id: str, seed: int) -> Callable[[], None]:
        rng = random.Random(seed)  # each viewer's script is fixed; only the interleaving is not

        def shop_a_little() -> None:
            for _ in range(3):
                sku = rng.choice(listing.skus)
                step = rng.choice(("add", "add", "change", "remove", "checkout"))
                try:
                    if step == "add":
                        request = LineRequest(
                            product_sku=listing.product_sku, sku=sku, quantity=rng.randint(1, 2)
                        )
                        actions.add(cart_id, request, shop)
                    elif step == "change":
                        actions.change(cart_id, sku, rng.randint(1, 3), shop)
                    elif step == "remove":
                        actions.remove(cart_id, sku, shop)
                    else:
                        checkout(cart_id, rest_api)
                except errors.ApiError as refused:
                    if refused.code not in expected:
                        unexpected.append(refused)
            # The viewer takes what they hold to the till (some carts are empty, or sold).
            checkout(cart_id, rest_api)

        return shop_a_little

    outcomes = race([viewer(cart_id, seed) for seed, cart_id in enumerate(cart_ids)])

    assert unexpected == []
    assert set(outcomes) <= {"ok", "cart_empty"}, outcomes
    counters, carts = assert_balanced(listing, cart_ids)
    sold = sum(found.sold for found in counters.values())
    assert sold > 0
    assert sum(found.reserved for found in counters.values()) == 0
    orders = [cart for cart in carts if cart.header.status == CartStatus.CHECKED_OUT]
    assert len(orders) == outcomes["ok"]
    assert all(cart.order and cart.lines for cart in orders)
    assert sum(int(line.quantity) for cart in orders for line in cart.lines) == sold


def test_a_promo_limited_to_n_uses_is_used_exactly_n_times(new_listing, shop, rest_api):
    limit, buyers = 3, 16
    listing = new_listing(ONE=buyers)
    (sku,) = listing.skus
    code = f"FLASH{uuid.uuid4().hex[:8].upper()}"
    promos.create(
        PromoDraft(
            code=code,
            kind=PromoKind.PERCENT,
            percent=20,
            scope=PromoScope.LIVE_AND_REPLAY,
            usage_limit=limit,
        )
    )
    cart_ids = open_carts(listing, buyers)
    request = LineRequest(product_sku=listing.product_sku, sku=sku, quantity=1)
    for cart_id in cart_ids:
        actions.add(cart_id, request, shop)
        actions.apply_promo(cart_id, code, shop)

    outcomes = race([lambda c=cart_id: checkout(c, rest_api) for cart_id in cart_ids])

    assert outcomes == {"ok": limit, "promo_exhausted": buyers - limit}
    promo = promos.get(code)
    assert promo is not None
    assert promo.used == limit
    discounted = [cart.order for cart in map(load, cart_ids) if cart and cart.order]
    assert len(discounted) == limit
    assert all(order.promo_code == code and order.discount_cents > 0 for order in discounted)
    counters, _ = assert_balanced(listing, cart_ids)
    # The refused carts keep their units on hold: the viewer may pay full price.
    assert (counters[sku].sold, counters[sku].reserved) == (limit, buyers - limit)
