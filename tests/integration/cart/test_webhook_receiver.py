"""The checkout webhook, seen from the brand's side: a receiver written only from the README,
whose signature check is the README's own Python snippet (loaded from its fenced blocks, so
doc and test cannot drift), against checkouts through the real webhook adapter, the real secret
(the embedded Secrets Manager) and the embedded DynamoDB. The payload's fields and the order
confirmation's snippet come from docs/commerce-webhook.md, which the README points to."""

import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from functions.cart.actions import carts as actions
from functions.cart.actions.checkout import checkout
from functions.cart.app import app
from functions.cart.logic import errors
from functions.cart.logic.carts import CartDraft, LineRequest
from functions.cart.logic.checkout import CheckoutResult, sign, signature_valid
from functions.common.aws import client
from functions.common.settings import Env, Settings
from local.awslambda.context import LambdaContext
from tests.integration.cart.conftest import KeptTimer, Listing
from tests.integration.conftest import rest_event

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
README = REPO / "README.md"
DOC = REPO / "docs" / "commerce-webhook.md"


def documented_code(page: Path) -> dict[str, Any]:
    """What a page's Python blocks define, run as a brand's developer would paste them."""
    namespace: dict[str, Any] = {}
    for block in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.DOTALL):
        exec(compile(block, str(page), "exec"), namespace)
    return namespace


verify_signature: Callable[..., bool] = documented_code(README)["verify_signature"]
signed_confirmation: Callable[..., tuple[bytes, dict[str, str]]] = documented_code(DOC)[
    "signed_confirmation"
]


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: bytes
    accepted: bool

    @property
    def order(self) -> dict[str, Any]:
        return json.loads(self.body)


class Receiver:
    """The brand's webhook receiver, as the doc says to write it: check the signature on the
    raw body, refuse with 401, else answer where the viewer pays."""

    def __init__(self, secret: str) -> None:
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._held: threading.Event | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                accepted = verify_signature(secret, body, self.headers.get("Vitrine-Signature"))
                receiver.record(Delivery(dict(self.headers.items()), body, accepted))
                if not accepted:
                    self.answer(401, {"error": "bad signature"})
                    return
                order_id = json.loads(body)["order_id"]
                self.answer(200, {"checkout_url": receiver.checkout_url(order_id)})

            def answer(self, status: int, body: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/vitrine/checkout"

    @staticmethod
    def checkout_url(order_id: str) -> str:
        return f"https://shop.example.com/pay/{order_id}"

    def record(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)
            held, self._held = self._held, None
        if held is not None:  # a slow storefront: this answer waits
            held.wait(timeout=7)

    def hold_next_answer(self) -> threading.Event:
        """The next delivery is answered only when the returned event is set."""
        self._held = threading.Event()
        return self._held

    def of(self, order_id: str) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.accepted and d.order["order_id"] == order_id]


@pytest.fixture
def secret(rest_api) -> str:
    """The brand's copy of the key (docs: `aws secretsmanager get-secret-value`)."""
    arn = rest_api.require("storefront_secret_arn")
    return client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]


@pytest.fixture
def receiver(secret) -> Iterator[Receiver]:
    receiver = Receiver(secret)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def webhook(rest_api, receiver) -> Settings:
    """cdk.json's `vitrine:checkout` set to the webhook adapter and this receiver (the REST
    API's environment is restored after the test)."""
    import os

    os.environ[Env.CHECKOUT_ADAPTER] = "webhook"
    os.environ[Env.CHECKOUT_URL] = receiver.url
    return Settings.from_env()


@pytest.fixture
def cart_with_units(new_listing, rest_api) -> Callable[[], str]:
    """A new cart holding 2 + 1 units of a product of this test's own."""
    listing: Listing = new_listing(M=10, L=10)
    shop = actions.Shop(rest_api.hold_seconds, KeptTimer(rest_api.require("holds_queue_url")))

    def fill() -> str:
        cart_id = actions.create(
            CartDraft(show_id=listing.show_id, viewer_id=f"v-{uuid.uuid4().hex[:8]}")
        ).cart_id
        for sku, quantity in zip(listing.skus, (2, 1), strict=True):
            request = LineRequest(product_sku=listing.product_sku, sku=sku, quantity=quantity)
            actions.add(cart_id, request, shop)
        return cart_id

    return fill


def documented_names() -> set[str]:
    """Every `name` in the first column of the doc's tables."""
    return set(re.findall(r"^\|\s*`([^`]+)`", DOC.read_text(), flags=re.MULTILINE))


def test_a_checkout_delivers_one_signed_webhook_the_receiver_accepts(
    webhook, receiver, cart_with_units
):
    cart_id = cart_with_units()

    result = checkout(cart_id, webhook)

    order_id = f"vt-{cart_id}"
    assert result.order_id == order_id
    assert result.checkout_url == Receiver.checkout_url(order_id)
    (delivery,) = receiver.deliveries
    assert delivery.accepted
    assert delivery.headers["Content-Type"] == "application/json"
    assert delivery.headers["User-Agent"] == "Vitrine-Checkout/1"
    assert delivery.headers["Idempotency-Key"] == order_id
    order = delivery.order
    assert order["event"] == "vitrine.checkout"
    assert (order["order_id"], order["cart_id"]) == (order_id, cart_id)
    assert [line["quantity"] for line in order["lines"]] == [2, 1]
    assert order["subtotal"] == order["total"] == "59.70"  # 3 x 19.90, no promo
    assert order["discount"] == "0.00"
    assert order["created_at"].endswith("Z")
    # Every field sent is documented, and every documented header is sent.
    sent = {*order, *order["lines"][0], *order["attribution"]}
    assert sent <= documented_names(), sent - documented_names()
    assert {"Content-Type", "User-Agent", "Vitrine-Signature", "Idempotency-Key"} <= set(
        delivery.headers
    )


def test_the_snippet_refuses_a_tampered_body_an_old_timestamp_and_a_wrong_key(
    webhook, receiver, cart_with_units, secret
):
    checkout(cart_with_units(), webhook)
    (delivery,) = receiver.deliveries
    body, header = delivery.body, delivery.headers["Vitrine-Signature"]
    signed_at = int(re.fullmatch(r"t=(\d+),v1=[0-9a-f]{64}", header).group(1))
    tampered = body.replace(b'"total":"59.70"', b'"total":"0.01"')
    assert tampered != body

    cases = {
        "as sent": (secret, body, header, signed_at, True),
        "a minute later": (secret, body, header, signed_at + 60, True),
        "tampered body": (secret, tampered, header, signed_at, False),
        "replayed after the window": (secret, body, header, signed_at + 301, False),
        "signed in the future": (secret, body, header, signed_at - 301, False),
        "another key": (secret + "x", body, header, signed_at, False),
        "forged digest": (secret, body, f"t={signed_at},v1={'0' * 64}", signed_at, False),
        "a non-ASCII digest": (secret, body, f"t={signed_at},v1=\u00e9t\u00e9", signed_at, False),
        "no signature": (secret, body, None, signed_at, False),
        "no timestamp": (secret, body, header.split(",")[1], signed_at, False),
    }
    for name, (key, data, signature, now, valid) in cases.items():
        assert verify_signature(key, data, signature, now=now) is valid, name
        # The doc's snippet and Vitrine's own check agree.
        assert signature_valid(key, data, signature, now) is valid, name

    old = sign(secret, body, int(time.time()) - 400)
    assert not verify_signature(secret, body, old)
    request = urllib.request.Request(
        receiver.url,
        data=tampered,
        method="POST",
        headers={"Content-Type": "application/json", "Vitrine-Signature": header},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    assert [d.accepted for d in receiver.deliveries] == [True, False]


def test_a_retried_checkout_sends_one_webhook_and_answers_the_same_order(
    webhook, receiver, cart_with_units
):
    cart_id = cart_with_units()
    first = checkout(cart_id, webhook)
    again = checkout(cart_id, webhook)
    assert again == first
    assert len(receiver.of(first.order_id)) == 1


def test_concurrent_retries_of_a_checkout_send_one_webhook_and_answer_the_same_order(
    webhook, receiver, cart_with_units
):
    """A double tap, a reload and a flaky network at once: each attempt told the checkout is
    under way retries, as the viewer page does; every one ends with the same order."""
    cart_id = cart_with_units()
    start = threading.Barrier(8)

    def attempt() -> CheckoutResult:
        start.wait()
        for _ in range(100):
            try:
                return checkout(cart_id, webhook)
            except errors.ApiError as refused:
                if refused.code != "checkout_in_progress":
                    raise
                time.sleep(0.1)
        raise AssertionError("the checkout stayed in progress")

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: attempt(), range(8)))

    assert all(answer == answers[0] for answer in answers)
    assert answers[0].order_id == f"vt-{cart_id}"
    assert len(receiver.of(answers[0].order_id)) == 1


def test_a_retry_after_a_checkout_whose_lambda_ran_out_of_time_is_served_at_once(
    webhook, receiver, cart_with_units
):
    """The storefront hangs and the first attempt's Lambda times out (here: its time runs out
    while it waits). The viewer's retry must not be told "in progress" for the hour the
    idempotency record lasts: the record of an attempt under way ends with its Lambda's time."""
    cart_id = cart_with_units()
    answer_first = receiver.hold_next_answer()
    doomed = LambdaContext(
        "api", uuid.uuid4().hex, "arn:aws:lambda:::function:api", timeout_ms=1500
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(checkout, cart_id, webhook, doomed)
        while not receiver.deliveries:
            time.sleep(0.05)
        time.sleep(doomed.get_remaining_time_in_millis() / 1000 + 0.3)

        fresh = LambdaContext("api", uuid.uuid4().hex, "arn:aws:lambda:::function:api")
        retried = checkout(cart_id, webhook, fresh)

        answer_first.set()
        first.result(timeout=30)
    assert retried.order_id == f"vt-{cart_id}"
    assert retried.checkout_url == Receiver.checkout_url(retried.order_id)


# --- order confirmations, signed as the doc says -----------------------------------------------


def confirm(body: bytes, headers: dict[str, str], lambda_context) -> tuple[int, dict[str, Any]]:
    event = rest_event(
        "POST",
        "/orders/confirmations",
        "/orders/confirmations",
        body=body.decode(),
        headers=headers,
    )
    answer = app(event, lambda_context)
    return answer["statusCode"], json.loads(answer["body"])


def test_the_storefront_confirms_an_order_signed_as_documented(
    webhook, receiver, cart_with_units, secret, lambda_context
):
    order_id = checkout(cart_with_units(), webhook).order_id
    paid = {"order_id": order_id, "storefront_order_id": "4471-1029", "total": "59.70",
            "currency": "EUR"}  # fmt: skip

    status, answer = confirm(*signed_confirmation(secret, paid), lambda_context)
    assert (status, answer) == (
        200,
        {"order_id": order_id, "storefront_order_id": "4471-1029", "confirmed": True},
    )
    # Sent again (a retry after a timeout): recorded once.
    status, answer = confirm(*signed_confirmation(secret, paid), lambda_context)
    assert (status, answer["confirmed"]) == (200, False)

    other = paid | {"storefront_order_id": "4471-2000"}
    assert confirm(*signed_confirmation(secret, other), lambda_context)[0] == 409
    unknown = paid | {"order_id": "vt-nosuchcart"}
    assert confirm(*signed_confirmation(secret, unknown), lambda_context)[0] == 404
    body, headers = signed_confirmation(secret, paid)
    assert confirm(body.replace(b"59.70", b"0.01"), headers, lambda_context)[0] == 401
    stale = signed_confirmation(secret, paid, now=time.time() - 400)
    assert confirm(*stale, lambda_context)[0] == 401
    wrong_key = signed_confirmation(secret + "x", paid)
    assert confirm(*wrong_key, lambda_context)[0] == 401
    status, answer = confirm(*signed_confirmation(secret, paid | {"note": "x"}), lambda_context)
    assert (status, answer["code"]) == (400, "invalid_request")


def test_a_confirmation_is_refused_clearly_not_with_a_500(
    webhook, receiver, cart_with_units, secret, lambda_context
):
    """A storefront's mistakes and a forger's tries each get their own answer."""
    order_id = checkout(cart_with_units(), webhook).order_id
    paid = {"order_id": order_id, "storefront_order_id": "gid://shopify/Order/4471",
            "total": "59.70", "currency": "EUR"}  # fmt: skip

    status, answer = confirm(*signed_confirmation(secret, paid | {"currency": "USD"}),
                             lambda_context)  # fmt: skip
    assert (status, answer["code"]) == (409, "currency_mismatch")
    empty = paid | {"order_id": "vt-"}
    assert confirm(*signed_confirmation(secret, empty), lambda_context)[0] == 404
    body, headers = signed_confirmation(secret, paid)
    forged = headers | {"Vitrine-Signature": headers["Vitrine-Signature"][:-4] + "\u00e9\u00e9"}
    assert confirm(body, forged, lambda_context)[0] == 401
    # Shopify's order ids are URIs: accepted as they are.
    status, answer = confirm(*signed_confirmation(secret, paid), lambda_context)
    assert (status, answer["storefront_order_id"]) == (200, "gid://shopify/Order/4471"), answer
