"""The REST API keeps the contract it publishes: schemathesis generates requests for every
operation of `/openapi.json` (valid ones and invalid ones) and sends them through the local
gateway to the real Chalice app in its Lambda workers. No answer is a 5xx, and every answer's
status, content type, headers and body are the ones the document declares.

Random ids find nothing but 404s, so half the requests of an operation name things that exist
(the seeded demo show and its products, a cart holding a line, a promo code) and the add-to-cart
and promo requests also come with bodies that a viewer's page sends, so the answers of carts
that exist are judged too. Staff operations are called with a host's token, so their bodies are
judged as well; that creates random shows, products and promos: the run has a runtime of its
own, not the session's."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from local.seed import DEMO_SHOW_ID
from tests.e2e.conftest import WEB_DIST, RunningVitrine, sign_in, start_vitrine

pytestmark = pytest.mark.e2e

EXAMPLES = 8  # per operation and mode: about 300 requests, a minute or two here

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def contract_vitrine(template_path, tmp_path_factory) -> Iterator[RunningVitrine]:
    if not (WEB_DIST / "index.html").exists():
        pytest.fail("web/dist is missing: `make test` builds it")
    running = start_vitrine(template_path, tmp_path_factory.mktemp("contract"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def host_token(contract_vitrine) -> str:
    return sign_in(contract_vitrine, "hana")


PRODUCT, VARIANT = "BAG-03", "BAG-03-ONE"  # seeded, 120 units


@dataclass(frozen=True)
class Known:
    """Things that exist in the runtime, for requests that should find something."""

    cart_id: str
    promo_code: str

    def path_parameters(self, path: str) -> dict[str, str]:
        values = {"show_id": DEMO_SHOW_ID, "cart_id": self.cart_id, "code": self.promo_code,
                  "sku": VARIANT if path.startswith("/carts") else PRODUCT,
                  "variant_sku": VARIANT}  # fmt: skip
        return {name: values[name] for name in re.findall(r"\{(\w+)\}", path)}

    def body(self, path: str, method: str) -> dict[str, Any] | None:
        return {
            ("/carts", "POST"): {"show_id": DEMO_SHOW_ID, "viewer_id": "v-contract"},
            ("/carts/{cart_id}/lines", "POST"): {"product_sku": PRODUCT, "sku": VARIANT},
            ("/carts/{cart_id}/promo", "POST"): {"code": self.promo_code},
        }.get((path, method))


@pytest.fixture(scope="module")
def known(contract_vitrine, host_token) -> Known:
    api = f"{contract_vitrine.base_url}/api"
    cart = httpx.post(f"{api}/carts", json={"show_id": DEMO_SHOW_ID, "viewer_id": "v-contract"})
    assert cart.status_code == 201, cart.text
    cart_id = cart.json()["cart_id"]
    line = httpx.post(f"{api}/carts/{cart_id}/lines", json={"product_sku": PRODUCT, "sku": VARIANT})
    assert line.status_code == 200, line.text
    promo = {"code": "CONTRACT10", "kind": "percent", "percent": 10, "scope": "live_and_replay"}
    created = httpx.post(
        f"{api}/promos", json=promo, headers={"Authorization": f"Bearer {host_token}"}
    )
    assert created.status_code == 201, created.text
    return Known(cart_id, promo["code"])


@pytest.fixture(scope="module")
def api_schema(contract_vitrine):
    return schemathesis.openapi.from_url(f"{contract_vitrine.base_url}/api/openapi.json")


def declared() -> list[tuple[str, str, bool]]:
    """(path, method, takes a body) of every operation, from the declarations `/openapi.json`
    is built from: a new operation is fuzzed without a change here."""
    import functions.cart.app  # noqa: F401  (registers every blueprint's operations)
    from functions.cart.handlers.api import OPERATIONS

    return [(op.path, op.method, op.body is not None) for op in OPERATIONS]


def cases() -> list[object]:
    """Valid requests for every operation; invalid ones where there is a body to break (path
    and query parameters are free strings: nothing makes one invalid)."""
    found = []
    for path, method, body in declared():
        found.append(pytest.param(path, method, GenerationMode.POSITIVE))
        if body:
            found.append(pytest.param(path, method, GenerationMode.NEGATIVE))
    return found


def test_the_served_document_lists_every_declared_operation(api_schema):
    served = {(path, method.upper()) for path, methods in api_schema.raw_schema["paths"].items()
              for method in methods}  # fmt: skip
    assert served == {(path, method) for path, method, _ in declared()}


def routable(url: str) -> bool:
    """The local gateway's route (Starlette's `{path:path}`) does not match a line break in the
    path, which API Gateway passes on: such requests are not judged on the 404 that AWS would
    not give. (Checked on the URL sent: schemathesis may change a case as it sends it.)"""
    path = unquote(urlsplit(url).path)
    return "\n" not in path


@pytest.mark.parametrize(("path", "method", "mode"), cases())
def test_every_answer_keeps_the_published_contract(
    api_schema, contract_vitrine, host_token, known, path, method, mode
):
    operation = api_schema[path][method]
    existing = known.path_parameters(path)
    strategies = [
        operation.as_strategy(mode),
        operation.as_strategy(mode, path_parameters=existing),
    ]
    body = known.body(path, method)
    if body is not None and mode is GenerationMode.POSITIVE:
        strategies.append(operation.as_strategy(mode, path_parameters=existing, body=body))

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answer_conforms(case) -> None:
        response = case.call(
            base_url=f"{contract_vitrine.base_url}/api",
            headers={"Authorization": f"Bearer {host_token}"},
            timeout=30,
        )
        if routable(response.request.url):
            case.validate_response(response, checks=CHECKS)

    answer_conforms()
