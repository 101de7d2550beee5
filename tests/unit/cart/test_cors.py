from functions.cart.logic.cors import cors_headers, preflight_headers

SHOP = "https://shop.example"


def test_any_origin_when_the_brand_allows_any():
    assert cors_headers("https://elsewhere.example", ("*",)) == {"Access-Control-Allow-Origin": "*"}


def test_an_allowed_origin_is_echoed_and_caches_vary_on_it():
    assert cors_headers(SHOP, (SHOP, "https://www.shop.example")) == {
        "Access-Control-Allow-Origin": SHOP,
        "Vary": "Origin",
    }


def test_other_origins_get_no_cors_headers():
    assert cors_headers("https://evil.example", (SHOP,)) == {}
    assert cors_headers(None, (SHOP,)) == {}
    assert preflight_headers("https://evil.example", (SHOP,), {"GET"}) == {}


def test_preflight_lists_the_route_methods():
    headers = preflight_headers(SHOP, (SHOP,), {"GET", "POST"})
    assert headers["Access-Control-Allow-Methods"] == "GET,OPTIONS,POST"
    assert "authorization" in headers["Access-Control-Allow-Headers"]
