"""Regressions found by the contract test (tests/e2e/test_openapi_contract.py), checked without
a runtime: the document declares what API Gateway itself answers, and the docs routes say
their content type."""

import json
import re
import uuid

import pytest
import requests
import schemathesis

from functions.cart.app import app
from functions.cart.handlers.api import OPERATIONS
from functions.cart.handlers.openapi import document
from local.awslambda.context import LambdaContext
from tests.integration.conftest import rest_event

SCHEMA = schemathesis.openapi.from_dict(document())
STAFF = [op for op in OPERATIONS if op.staff]


def validate(path: str, method: str, status: int, body: dict) -> None:
    """Raises unless the document allows `body` as the `status` answer of the operation."""
    names = re.findall(r"\{(\w+)\}", path)
    case = SCHEMA[path][method].Case(path_parameters=dict.fromkeys(names, "x"))
    request = requests.Request(method, f"https://api.example.com{case.formatted_path}").prepare()
    answer = schemathesis.Response(
        status_code=status,
        headers={"content-type": ["application/json"]},
        content=json.dumps(body).encode(),
        request=request,
        elapsed=0.01,
        verify=True,
    )
    case.validate_response(answer)


@pytest.mark.parametrize("operation", STAFF, ids=lambda op: f"{op.method} {op.path}")
def test_a_staff_route_declares_the_authorizers_401(operation):
    validate(operation.path, operation.method, 401, {"message": "Unauthorized"})
    # ... and the function's own, for a token of a user in no staff group.
    validate(operation.path, operation.method, 401, {"code": "unauthorized", "message": "no"})


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
def test_every_route_declares_the_throttles_429(operation):
    validate(operation.path, operation.method, 429, {"message": "Too Many Requests"})


def test_a_viewer_route_does_not_accept_a_bare_message_as_its_error():
    with pytest.raises(schemathesis.errors.FailureGroup):
        validate("/carts/{cart_id}", "GET", 404, {"message": "Not Found"})


@pytest.mark.parametrize("path", ["/health", "/openapi.json"])
def test_the_docs_routes_answer_json_with_its_content_type(path):
    context = LambdaContext("api", uuid.uuid4().hex, "arn:aws:lambda:::function:api")
    answer = app(rest_event("GET", path, path), context)
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "application/json"
    assert isinstance(json.loads(answer["body"]), dict)
