"""A viewer's own requests racing each other (two tabs, a double tap, a retried PUT), and the
catalog's sku rule, through the cart's actions against the embedded DynamoDB."""

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from functions.cart.actions import carts as actions
from functions.cart.actions.checkout import hand_off_of
from functions.cart.dal import catalog, promos
from functions.cart.dal.carts import load
from functions.cart.dal.models import LineState
from functions.cart.logic import errors
from functions.cart.logic.carts import CartDraft, LineRequest
from functions.cart.logic.products import ProductDraft, VariantDraft
from functions.cart.logic.promos import PromoDraft, PromoScope
from functions.common.events import PromoKind
from tests.integration.cart.conftest import KeptTimer, assert_balanced

pytestmark = pytest.mark.integration


@pytest.fixture
def shop(rest_api) -> actions.Shop:
    return actions.Shop(rest_api.hold_seconds, KeptTimer(rest_api.require("holds_queue_url")))


@pytest.fixture
def listing(new_listing):
    return new_listing(M=6, L=6)


def new_cart(listing) -> str:
    draft = CartDraft(show_id=listing.show_id, viewer_id=f"v-{uuid.uuid4().hex[:10]}")
    return actions.create(draft).cart_id


def line(listing, size: str, quantity: int = 1) -> LineRequest:
    return LineRequest(
        product_sku=listing.product_sku, sku=f"{listing.product_sku}-{size}", quantity=quantity
    )


def test_a_quantity_change_computed_from_a_stale_line_reserves_nothing(listing, shop, monkeypatch):
    """PUT 3 on a line of 1 reserves 2 more; the same PUT retried, or one from a tab that
    still shows 1, must not reserve 2 more again."""
    cart_id = new_cart(listing)
    actions.add(cart_id, line(listing, "M"), shop)
    sku = f"{listing.product_sku}-M"
    read_when_it_held_one = load(cart_id)
    assert actions.change(cart_id, sku, 3, shop).item_count == 3

    with monkeypatch.context() as late:  # the doubled PUT read the line before the first won
        late.setattr(actions, "_cart", lambda _: read_when_it_held_one)
        with pytest.raises(errors.ApiError) as refused:
            actions.change(cart_id, sku, 3, shop)
    assert (refused.value.status, refused.value.code) == (409, "line_changed")
    assert actions.change(cart_id, sku, 3, shop).item_count == 3  # the retry: nothing to do
    counters, _ = assert_balanced(listing, [cart_id])
    assert (counters[sku].reserved, counters[sku].available) == (3, 3)


def test_the_storefront_gets_only_what_the_sale_sold(listing, shop):
    """A second tab adds a size while the first checks out: the sale sells what it read, and
    the hand-off carries those lines, not the one still held (it goes back with its hold)."""
    cart_id = new_cart(listing)
    actions.add(cart_id, line(listing, "M", 2), shop)
    read_by_checkout = load(cart_id)
    actions.add(cart_id, line(listing, "L"), shop)  # the other tab, before the sale commits

    order = actions.sell(read_by_checkout)
    hand_off = hand_off_of(cart_id, order)

    assert [(ln.sku, ln.quantity) for ln in hand_off.lines] == [(f"{listing.product_sku}-M", 2)]
    assert hand_off.subtotal == "39.80"  # 2 x 19.90: the lines add up to the order
    states = {ln.sku: ln.state for ln in load(cart_id).lines}
    assert states == {f"{listing.product_sku}-M": LineState.SOLD,
                      f"{listing.product_sku}-L": LineState.HELD}  # fmt: skip
    assert_balanced(listing, [cart_id])


def test_a_variant_sku_names_one_variant_of_one_product(listing):
    taken = f"{listing.product_sku}-M"
    other = f"OTHER-{uuid.uuid4().hex[:8].upper()}"
    draft = ProductDraft(sku=other, name="Another", price="5.00",
                         variants=[VariantDraft(sku=f"{other}-1", stock=1),
                                   VariantDraft(sku=taken, stock=4)])  # fmt: skip
    with pytest.raises(catalog.SkuTaken) as refused:
        catalog.create_product(draft)
    assert refused.value.skus == [taken]
    assert catalog.stored_product(other, consistent=True) is None  # all or nothing

    catalog.create_product(draft.model_copy(update={"variants": draft.variants[:1]}))
    with pytest.raises(catalog.SkuTaken):
        catalog.add_variant(other, VariantDraft(sku=taken, stock=2))
    assert [v.sku for v in catalog.stored_product(other, consistent=True).variants] == [
        f"{other}-1"]  # fmt: skip


def test_a_code_that_ended_takes_nothing_off_and_the_cart_says_why(listing, shop):
    now = datetime.now(UTC).replace(microsecond=0)
    code = f"SOON{uuid.uuid4().hex[:6].upper()}"
    promos.create(PromoDraft(code=code, kind=PromoKind.PERCENT, percent=50,
                             scope=PromoScope.WINDOW, starts_at=now - timedelta(hours=1),
                             ends_at=now + timedelta(seconds=3)))  # fmt: skip
    cart_id = new_cart(listing)
    actions.add(cart_id, line(listing, "M", 2), shop)
    applied = actions.apply_promo(cart_id, code, shop)
    assert (applied.discount, applied.promo_problem) == ("19.90", None)

    time.sleep(max(0.0, (now + timedelta(seconds=3.5) - datetime.now(UTC)).total_seconds()))
    lapsed = actions.get(cart_id, shop)
    assert (lapsed.promo_code, lapsed.discount, lapsed.total) == (code, "0.00", "39.80")
    assert lapsed.promo_problem == f"{code} has expired"
    with pytest.raises(errors.ApiError) as refused:
        actions.sell(load(cart_id))
    assert (refused.value.status, refused.value.code) == (409, "promo_expired")
