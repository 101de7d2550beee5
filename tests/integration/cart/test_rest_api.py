"""The Chalice REST API with API Gateway's v1 proxy events, against the embedded AWS."""

import json
import os
import uuid

import pytest

from functions.cart.app import app
from local.seed import DEMO_SHOW_ID, seed_catalog
from tests.integration.conftest import rest_event

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def staff_tokens(new_staff) -> dict[str, str]:
    """Real ID tokens from the embedded Cognito: a host and a moderator of this test run."""
    return {"host": new_staff("host").token, "moderator": new_staff("moderator").token}


@pytest.fixture(autouse=True)
def catalog(provisioned):
    seed_catalog()


def bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def call(as_function, lambda_context):
    """Invoke the REST API's function with its own environment, as API Gateway would."""

    def invoke(event):
        with as_function("functions.cart.app.app"):
            answer = app(event, lambda_context)
        return answer["statusCode"], json.loads(answer["body"]) if answer.get("body") else None

    return invoke


def test_health(call):
    status, body = call(rest_event("GET", "/health", "/health"))
    assert status == 200
    assert body["status"] == "ok"


def test_a_show_comes_with_its_products(call):
    status, show = call(rest_event("GET", "/shows/{show_id}", f"/shows/{DEMO_SHOW_ID}"))
    assert status == 200
    assert show["show_id"] == DEMO_SHOW_ID
    assert [p["sku"] for p in show["products"]] == ["SNEAKER-01", "JACKET-02", "BAG-03"]
    assert show["products"][0]["price"] == "89.90"


def test_unknown_show_is_404(call):
    status, body = call(rest_event("GET", "/shows/{show_id}", "/shows/nope"))
    assert status == 404
    assert body["code"] == "not_found"
    assert "nope" in body["message"]


def test_a_host_creates_a_show_then_it_is_listed(staff_tokens, call):
    show_id = f"winter-sale-{uuid.uuid4().hex[:8]}"
    draft = {
        "show_id": show_id,
        "title": "Winter sale",
        "starts_at": "2026-12-10T18:00:00Z",
        "product_skus": ["BAG-03"],
        "recurrence_rule": "FREQ=WEEKLY;BYDAY=TH",
    }
    headers = bearer(staff_tokens["host"])
    status, created = call(
        rest_event("POST", "/shows", "/shows", body=json.dumps(draft), headers=headers)
    )
    assert status == 201, created
    assert created["products"][0]["sku"] == "BAG-03"
    status, listing = call(rest_event("GET", "/shows", "/shows", query={"status": "scheduled"}))
    assert show_id in [show["show_id"] for show in listing["shows"]]

    again = rest_event("POST", "/shows", "/shows", body=json.dumps(draft), headers=headers)
    assert call(again)[0] == 409


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (json.dumps({"show_id": "x", "title": "t"}), "starts_at: Field required"),
        (
            json.dumps({"show_id": "x", "title": "t", "starts_at": "2026-12-10T18:00:00Z",
                        "recurrence_rule": "every day"}),
            "recurrence_rule",
        ),
    ],
)  # fmt: skip
def test_bad_bodies_get_a_clear_400_and_store_nothing(staff_tokens, call, body, message):
    headers = bearer(staff_tokens["host"])
    status, answer = call(rest_event("POST", "/shows", "/shows", body=body, headers=headers))
    assert status == 400
    assert message in answer["message"]
    assert call(rest_event("GET", "/shows/{show_id}", "/shows/x"))[0] == 404


def test_creating_a_show_needs_a_staff_token_with_the_right_role(staff_tokens, call):
    body = json.dumps({"show_id": "y", "title": "t", "starts_at": "2026-12-10T18:00:00Z"})
    anonymous = rest_event("POST", "/shows", "/shows", body=body)
    assert call(anonymous)[0] == 401
    tampered = staff_tokens["host"][:-4] + "AAAA"  # signature no longer matches
    forged = rest_event("POST", "/shows", "/shows", body=body, headers=bearer(tampered))
    assert call(forged)[0] == 401
    moderator = rest_event(
        "POST", "/shows", "/shows", body=body, headers=bearer(staff_tokens["moderator"])
    )
    assert call(moderator)[0] == 403


@pytest.mark.parametrize(
    ("allowed", "origin", "expected"),
    [
        ("https://shop.example", "https://shop.example", "https://shop.example"),
        ("https://shop.example", "https://evil.example", None),
        ("*", "https://anywhere.example", "*"),
    ],
)
def test_answers_carry_cors_headers_for_the_brands_origins_only(
    as_function, lambda_context, allowed, origin, expected
):
    for event in (
        rest_event("GET", "/health", "/health", headers={"origin": origin}),
        rest_event("GET", "/shows/{show_id}", "/shows/nope", headers={"origin": origin}),
    ):
        with as_function("functions.cart.app.app"):
            os.environ["VITRINE_ALLOWED_ORIGINS"] = allowed
            answer = app(event, lambda_context)
        assert answer["headers"].get("Access-Control-Allow-Origin") == expected


def test_a_host_removes_a_shows_cover_by_sending_it_empty(staff_tokens, call):
    """The console sends the cleared field as "": it removes the cover, not a 400."""
    show_id = f"cover-{uuid.uuid4().hex[:8]}"
    headers = bearer(staff_tokens["host"])
    draft = {"show_id": show_id, "title": "Covers", "starts_at": "2027-01-10T18:00:00Z",
             "cover_image_url": "https://cdn.example.com/cover.jpg"}  # fmt: skip
    status, created = call(
        rest_event("POST", "/shows", "/shows", body=json.dumps(draft), headers=headers)
    )
    assert (status, created["cover_image_url"]) == (201, "https://cdn.example.com/cover.jpg")

    def patch(body: dict) -> tuple[int, dict]:
        event = rest_event("PATCH", "/shows/{show_id}", f"/shows/{show_id}", body=json.dumps(body),
                           headers=headers)  # fmt: skip
        return call(event)

    status, changed = patch({"cover_image_url": ""})
    assert (status, changed["cover_image_url"]) == (200, ""), changed
    status, refused = patch({"cover_image_url": "not a url"})
    assert status == 400, refused


def test_a_host_adds_a_size_to_a_product_on_sale(staff_tokens, call):
    sku = f"ADD-{uuid.uuid4().hex[:8].upper()}"
    headers = bearer(staff_tokens["host"])

    def post(path: str, resource: str, body: dict) -> tuple[int, dict]:
        return call(rest_event("POST", resource, path, body=json.dumps(body), headers=headers))

    status, created = post("/products", "/products", {
        "sku": sku, "name": "Wool socks", "price": "12.00",
        "variants": [{"sku": f"{sku}-M", "size": "M", "stock": 5}]})  # fmt: skip
    assert status == 201, created
    path, resource = f"/products/{sku}/variants", "/products/{sku}/variants"

    status, product = post(path, resource, {"sku": f"{sku}-L", "size": "L", "stock": 3})
    assert status == 201, product
    assert [(v["sku"], v["size"]) for v in product["variants"]] == [
        (f"{sku}-M", "M"), (f"{sku}-L", "L")]  # fmt: skip
    added = product["variants"][1]
    assert (added["stock"], added["available"], added["reserved"], added["sold"]) == (3, 3, 0, 0)
    status, public = call(rest_event("GET", "/products/{sku}", f"/products/{sku}", headers=headers))
    assert [v["sku"] for v in public["variants"]] == [f"{sku}-M", f"{sku}-L"]

    status, again = post(path, resource, {"sku": f"{sku}-L", "size": "L", "stock": 9})
    assert (status, again["code"]) == (409, "variant_exists")
    status, missing = post(f"/products/NOPE-{sku}/variants", resource, {"sku": "X-1", "stock": 1})
    assert status == 404, missing
    status, bad = post(path, resource, {"sku": f"{sku}-XL", "stock": -1})
    assert status == 400, bad
    status, kept = call(rest_event("GET", "/products/{sku}", f"/products/{sku}", headers=headers))
    assert [v["stock"] for v in kept["variants"]] == [5, 3]  # the refusals changed nothing


def test_a_request_dynamodb_kept_refusing_is_a_429_to_retry_not_a_500(call, monkeypatch):
    from functions.cart.dal import catalog as catalog_dal
    from functions.cart.dal.transaction import Busy

    def busy(show_id: str):
        raise Busy()

    monkeypatch.setattr(catalog_dal, "get_show", busy)
    status, body = call(rest_event("GET", "/shows/{show_id}", f"/shows/{DEMO_SHOW_ID}"))
    assert (status, body["code"]) == (429, "busy")


def test_with_shopify_every_variant_needs_its_shopify_id(staff_tokens, as_function, lambda_context):
    """A Shopify permalink names variants by the shop's ids: a variant without one would
    send a paying viewer to a broken cart after the sale, so it is refused up front."""
    sku = f"SHOP-{uuid.uuid4().hex[:8].upper()}"
    draft = {"sku": sku, "name": "Cap", "price": "9.00",
             "variants": [{"sku": f"{sku}-1", "stock": 1, "storefront_id": "4471"},
                          {"sku": f"{sku}-2", "stock": 1}]}  # fmt: skip
    event = rest_event("POST", "/products", "/products", body=json.dumps(draft),
                       headers=bearer(staff_tokens["host"]))  # fmt: skip
    with as_function("functions.cart.app.app"):
        os.environ["VITRINE_CHECKOUT_ADAPTER"] = "shopify"
        answer = app(event, lambda_context)
    body = json.loads(answer["body"])
    assert (answer["statusCode"], body["code"]) == (400, "invalid_request")
    assert [error["field"] for error in body["errors"]] == ["variants.1.storefront_id"]
