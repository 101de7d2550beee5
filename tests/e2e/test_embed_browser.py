"""The embed on a brand's own page (web/embed-demo.html, docs/embed.md), in Chromium at phone
size against the running local runtime. Three origins, as in production: the brand's page
(http://localhost:<port>), Vitrine's (http://127.0.0.1:<port>, the iframe) and a third party's
(a frame of its own server, as an ad or a widget on the brand's page would be)."""

import json
import re
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from string import Template
from typing import Any

import pytest

from tests.conftest import free_port
from tests.e2e.conftest import rest, screenshot
from tests.e2e.room_client import RoomClient

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SLOW = 30_000  # ms: a shared machine, cold functions
EVIL_NAME = "Free sneakers, click here"


@pytest.fixture
def embedded_show(vitrine, tokens) -> Iterator[tuple[str, str]]:
    """A scheduled show of its own selling one product (sizes 41 and 42), featured by a
    moderator: (show id, product sku)."""
    run = uuid.uuid4().hex[:8].upper()
    sku = f"EMBED-{run}"
    rest(vitrine, "POST", "/products", tokens["host"], sku=sku, name="City sneaker",
         price="79.50", variants=[{"sku": f"{sku}-41", "size": "41", "stock": 6},
                                  {"sku": f"{sku}-42", "size": "42", "stock": 6}])  # fmt: skip
    show = f"embed-{run.lower()}"
    starts = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    rest(vitrine, "POST", "/shows", tokens["host"], show_id=show, title="City walk",
         starts_at=starts, product_skus=[sku])  # fmt: skip
    moderator = RoomClient(vitrine.ws_url, show, f"mod-{run}", token=tokens["moderator"])
    moderator.join()
    assert moderator.request("feature_product", sku=sku, timeout=60)["type"] == "ack"
    yield show, sku
    moderator.close()


# The third party: tries to pass for Vitrine on the brand's page, and for the brand in the show.
THIRD_PARTY_PAGE = Template("""<!doctype html><title>widget</title><script>
const show = parent.frames[0];
parent.postMessage({type: "vitrine:add-to-cart", data: {show_id: "x", sku: "EVIL",
  variant_sku: "EVIL-1", storefront_id: "EVIL-1", name: "Evil", variant: "", quantity: 5,
  price: "0.01", currency: "EUR", mode: "live", offset_seconds: 0}}, "*");
show.postMessage({type: "vitrine:cart-sync", data: {count: 99, lines: []}}, "*");
show.postMessage({type: "vitrine:products", data: {products: [{sku: $sku, name: $name}]}}, "*");
</script>""")


@pytest.fixture
def third_party() -> Iterator[str]:
    """Another origin's server: `/?sku=...` serves the page above for that product."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            sku = self.path.split("sku=", 1)[-1]
            page = THIRD_PARTY_PAGE.substitute(sku=json.dumps(sku), name=json.dumps(EVIL_NAME))
            body = page.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def brand_page(browser, vitrine) -> Iterator[Any]:
    """A phone page on the brand's origin (localhost) that reaches only this machine."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if re.match(r"^(https?|wss?)://(127\.0\.0\.1|localhost)[:/]|^data:", route.request.url)
            else route.abort()
        ),
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def open_demo(page, vitrine, show: str, cart: str = "host"):
    """The demo product page on the brand's origin, embedding the show from Vitrine's."""
    from playwright.sync_api import expect

    port = vitrine.base_url.rsplit(":", 1)[1]
    page.goto(
        f"http://localhost:{port}/embed-demo.html?show={show}&cart={cart}"
        f"&vitrine={vitrine.base_url}"
    )
    expect(page.locator("#event-log li[data-type='vitrine:ready']")).to_have_count(1, timeout=SLOW)
    frame = page.frame_locator(".vitrine-embed iframe")
    expect(frame.locator("body")).to_have_attribute("data-embedded", cart, timeout=SLOW)
    return frame


def add_size(frame, size: str) -> None:
    from playwright.sync_api import expect

    frame.locator("#product-card").get_by_role("button", name="Add to cart: City sneaker").click(
        timeout=SLOW
    )
    frame.locator("#variant-picker .chip-option").filter(has_text=size).click()
    frame.locator("#variant-picker").get_by_role(
        "button", name=re.compile("^Add to cart · ")
    ).click()
    expect(frame.locator("#variant-picker")).to_be_hidden(timeout=SLOW)


def test_the_host_page_keeps_the_cart_from_the_embeds_events(
    vitrine, embedded_show, brand_page, third_party
):
    from playwright.sync_api import expect

    show, sku = embedded_show
    page = brand_page
    carts_called: list[str] = []
    page.on("request", lambda r: "/api/carts" in r.url and carts_called.append(r.url))
    frame = open_demo(page, vitrine, show)
    ready = json.loads(
        page.locator("#event-log li[data-type='vitrine:ready'] .event-detail").inner_text()
    )
    assert ready == {"version": 1, "show_id": show, "cart": "host"}

    # Added in the show: the brand's page gets it and puts it in its own bag, whose count the
    # show's cart button then shows (cart-sync back into the iframe).
    add_size(frame, "42")
    line = page.locator(f"#mini-cart-lines li[data-variant-sku='{sku}-42']")
    expect(line).to_have_attribute("data-quantity", "1", timeout=SLOW)
    expect(page.locator("body")).to_have_attribute("data-cart-count", "1")
    event = json.loads(
        page.locator("#event-log li[data-type='vitrine:add-to-cart'] .event-detail").inner_text()
    )
    assert event == {
        "show_id": show, "sku": sku, "variant_sku": f"{sku}-42", "storefront_id": f"{sku}-42",
        "name": "City sneaker", "variant": "42", "quantity": 1, "price": "79.50",
        "currency": "EUR", "mode": "replay", "offset_seconds": 0,
    }  # fmt: skip
    expect(frame.locator("body")).to_have_attribute("data-cart-count", "1", timeout=SLOW)
    assert carts_called == []  # the brand keeps the cart: Vitrine's REST cart is never opened

    # A third party on the brand's page posts as if it were Vitrine (to the page) and as if it
    # were the brand (to the show): both ignore it.
    page.evaluate(
        """src => new Promise(resolve => {
            const widget = document.createElement("iframe");
            widget.src = src;
            widget.addEventListener("load", () => resolve());
            document.body.append(widget);
        })""",
        f"{third_party}/?sku={sku}",
    )
    # Then the brand says something true: once the show shows it, the third party's earlier
    # messages have had their chance.
    page.evaluate(
        """sku => window.Vitrine.send("vitrine:products",
            {products: [{sku, name: "City sneaker, by Northwind"}]})""",
        sku,
    )
    card = frame.locator("#product-card")
    expect(card).to_contain_text("City sneaker, by Northwind", timeout=SLOW)
    expect(card).not_to_contain_text(EVIL_NAME)
    expect(frame.locator("body")).to_have_attribute("data-cart-count", "1")
    expect(page.locator("#mini-cart-lines li")).to_have_count(1)
    expect(page.locator("#event-log li[data-type='vitrine:add-to-cart']")).to_have_count(1)

    # Checkout in the show is the brand's: the page hears it and opens its own.
    frame.locator("#cart-button").click()
    drawer = frame.locator("#cart-drawer")
    expect(drawer).to_have_attribute("data-state", "host")
    expect(drawer.locator(f"li[data-sku='{sku}-42']")).to_contain_text("City sneaker")
    drawer.get_by_role("button", name=re.compile("^Checkout")).click()
    expect(page.locator("#event-log li[data-type='vitrine:checkout']")).to_have_count(
        1, timeout=SLOW
    )
    expect(page.locator("#checkout-note")).to_contain_text("the brand's own checkout")
    drawer.get_by_role("button", name="Close").click()
    expect(frame.locator("#shop-toast")).to_be_hidden(timeout=SLOW)
    page.evaluate("scrollTo(0, document.querySelector('.live').offsetTop - 64)")
    screenshot(page, "embed-demo")


def test_with_vitrines_cart_the_host_page_mirrors_it(vitrine, embedded_show, brand_page):
    """Without `data-vitrine-cart="host"`, the show fills Vitrine's cart and tells the page."""
    from playwright.sync_api import expect

    show, sku = embedded_show
    page = brand_page
    frame = open_demo(page, vitrine, show, cart="vitrine")
    with page.expect_response(
        lambda r: r.url.endswith("/api/carts") and r.request.method == "POST", timeout=SLOW
    ) as opened:
        add_size(frame, "41")
    cart_id = opened.value.json()["cart_id"]
    line = page.locator(f"#mini-cart-lines li[data-variant-sku='{sku}-41']")
    expect(line).to_have_attribute("data-quantity", "1", timeout=SLOW)
    expect(page.locator("#mini-cart-total")).to_contain_text("79.50")
    expect(frame.locator("body")).to_have_attribute("data-cart-count", "1")
    # The page's bag mirrors a real cart: the REST API holds the same line.
    lines = rest(vitrine, "GET", f"/carts/{cart_id}")["lines"]
    assert [(line["sku"], line["quantity"]) for line in lines] == [(f"{sku}-41", 1)]
