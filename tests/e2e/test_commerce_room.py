"""Commerce in the show room, end to end on the running local runtime: a promo pushed through
the REST API becomes every viewer's banner, and cart lines move the stock badges every viewer
sees, through the event log's stream and the chat's fan-out."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import rest

pytestmark = pytest.mark.e2e


@pytest.fixture
def flash_show(vitrine, tokens) -> tuple[str, str]:
    """A show of its own with one product whose one size has 4 units: (show id, product sku)."""
    run = uuid.uuid4().hex[:8].upper()
    sku = f"ROOM-{run}"
    rest(vitrine, "POST", "/products", tokens["host"], sku=sku, name="Room boot",
         price="59.00", variants=[{"sku": f"{sku}-40", "size": "40", "stock": 4}])  # fmt: skip
    show = f"shop-{run.lower()}"
    starts = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    rest(vitrine, "POST", "/shows", tokens["host"], show_id=show, title="Boots",
         starts_at=starts, product_skus=[sku])  # fmt: skip
    return show, sku


def test_a_pushed_promo_is_every_viewers_banner_until_it_ends(vitrine, tokens, join, flash_show):
    show, _ = flash_show
    ana, ben = join("Ana", show=show), join("Ben", show=show)
    code = f"LIVE{uuid.uuid4().hex[:6].upper()}"
    rest(vitrine, "POST", "/promos", tokens["host"], code=code, kind="percent", percent=20,
         show_id=show)  # fmt: skip

    pushed = rest(vitrine, "POST", f"/shows/{show}/promos/{code}/push", tokens["moderator"],
                  duration_seconds=120)  # fmt: skip

    banners = [viewer.update("promo")["promo"] for viewer in (ana, ben)]
    assert {banner["code"] for banner in banners} == {code}
    assert {banner["label"] for banner in banners} == {"-20 %"}
    ends = datetime.fromisoformat(banners[0]["expires_at"])
    assert ends == datetime.fromisoformat(pushed["ends_at"])  # the code stops when the banner does
    assert timedelta(seconds=100) < ends - datetime.fromisoformat(banners[0]["server_time"])
    late = join("Cleo", show=show).snapshot["promo"]
    assert (late["code"], datetime.fromisoformat(late["expires_at"])) == (code, ends)


def test_a_push_to_an_unknown_show_is_404_and_changes_nothing(vitrine, tokens):
    code = f"NOPE{uuid.uuid4().hex[:6].upper()}"
    rest(vitrine, "POST", "/promos", tokens["host"], code=code, kind="percent", percent=10)
    answer = httpx.post(
        f"{vitrine.base_url}/api/shows/no-such-show/promos/{code}/push",
        json={"duration_seconds": 60},
        headers={"authorization": tokens["moderator"]},
    )
    assert answer.status_code == 404, answer.text
    (promo,) = [p for p in rest(vitrine, "GET", "/promos", tokens["host"])["promos"]
                if p["code"] == code]  # fmt: skip
    assert promo["ends_at"] is None


def test_cart_lines_move_every_viewers_stock_badge(vitrine, join, flash_show):
    show, sku = flash_show
    ana = join("Ana", show=show)
    cart = rest(vitrine, "POST", "/carts", show_id=show, viewer_id=f"v-{uuid.uuid4().hex[:8]}")

    rest(vitrine, "POST", f"/carts/{cart['cart_id']}/lines", product_sku=sku, sku=f"{sku}-40",
         quantity=3)  # fmt: skip

    def badge_of(available: int) -> dict[str, Any]:
        update = ana.update(
            "stock",
            lambda u: u["product_sku"] == sku and u["variants"][0]["available"] == available,
        )
        return dict(update["variants"][0], in_stock=update["in_stock"])

    assert badge_of(1) == {"sku": f"{sku}-40", "available": 1, "stock_state": "low",
                           "badge": "Only 1 left", "in_stock": True}  # fmt: skip
    rest(vitrine, "PUT", f"/carts/{cart['cart_id']}/lines/{sku}-40", quantity=4)
    assert badge_of(0)["badge"] == "Sold out"
    assert badge_of(0)["in_stock"] is False
    rest(vitrine, "DELETE", f"/carts/{cart['cart_id']}/lines/{sku}-40")
    assert badge_of(4)["badge"] == "Only 4 left"  # back on sale (at most 5 left: "low")
