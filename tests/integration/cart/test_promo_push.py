"""Pushing a code to a show's room, through the REST API's function against the embedded AWS:
the banner and the code end together, and a push only ever shortens a code's validity."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.cart.app import app
from tests.integration.conftest import rest_event

pytestmark = pytest.mark.integration

PUSH = "/shows/{show_id}/promos/{code}/push"


@pytest.fixture(scope="module")
def tokens(new_staff) -> dict[str, str]:
    return {"host": new_staff("host").token, "moderator": new_staff("moderator").token}


@pytest.fixture
def call(provisioned, as_function, lambda_context, tokens):
    """`call("POST", "/promos", "host", body)`: (status, JSON body) from the REST function."""

    def invoke(method: str, resource: str, role: str, body: Any = None, **params: str):
        path = resource.format(**params)
        event = rest_event(method, resource, path, body=json.dumps(body) if body else None,
                           headers={"authorization": f"Bearer {tokens[role]}"})  # fmt: skip
        with as_function("functions.cart.app.app"):
            answer = app(event, lambda_context)
        return answer["statusCode"], json.loads(answer["body"])

    return invoke


@pytest.fixture
def show_id(call) -> str:
    show = f"push-{uuid.uuid4().hex[:10]}"
    starts = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    status, body = call(
        "POST", "/shows", "host", {"show_id": show, "title": "Push", "starts_at": starts}
    )
    assert status == 201, body
    return show


def new_code(call, **fields: Any) -> str:
    code = f"P{uuid.uuid4().hex[:8].upper()}"
    status, body = call(
        "POST", "/promos", "host", {"code": code, "kind": "percent", "percent": 10} | fields
    )
    assert status == 201, body
    return code


def promo(call, code: str) -> dict[str, Any]:
    status, body = call("GET", "/promos", "moderator")
    assert status == 200
    return next(p for p in body["promos"] if p["code"] == code)


def push(call, show_id: str, code: str, seconds: int = 300) -> tuple[int, dict[str, Any]]:
    return call(
        "POST", PUSH, "moderator", {"duration_seconds": seconds}, show_id=show_id, code=code
    )


def iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def test_a_pushed_code_ends_with_its_banner(call, show_id):
    code = new_code(call, scope="live_and_replay")
    before = datetime.now(UTC)
    status, pushed = push(call, show_id, code, seconds=120)
    assert status == 200, pushed
    ends = datetime.fromisoformat(pushed["ends_at"])
    assert before + timedelta(seconds=118) < ends <= datetime.now(UTC) + timedelta(seconds=120)
    assert datetime.fromisoformat(promo(call, code)["ends_at"]) == ends


def test_a_push_never_outlives_the_codes_own_window(call, show_id):
    now = datetime.now(UTC).replace(microsecond=0)
    closes = now + timedelta(seconds=90)
    code = new_code(
        call, scope="window", starts_at=iso(now - timedelta(hours=1)), ends_at=iso(closes)
    )
    status, pushed = push(call, show_id, code, seconds=600)
    assert status == 200, pushed
    assert datetime.fromisoformat(pushed["ends_at"]) == closes
    assert datetime.fromisoformat(promo(call, code)["ends_at"]) == closes
    status, show = call("GET", "/shows/{show_id}", "moderator", show_id=show_id)
    assert datetime.fromisoformat(show["promo"]["expires_at"]) == closes  # the banner too


def test_a_code_not_valid_yet_is_not_pushed_and_keeps_its_window(call, show_id):
    opens = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    code = new_code(
        call, scope="window", starts_at=iso(opens), ends_at=iso(opens + timedelta(days=1))
    )
    status, refused = push(call, show_id, code)
    assert (status, refused["code"]) == (409, "promo_not_started"), refused
    kept = promo(call, code)
    assert datetime.fromisoformat(kept["ends_at"]) == opens + timedelta(days=1)
    status, show = call("GET", "/shows/{show_id}", "moderator", show_id=show_id)
    assert show["promo"] is None


def test_a_code_that_ended_is_not_pushed_again(call, show_id):
    now = datetime.now(UTC).replace(microsecond=0)
    code = new_code(
        call,
        scope="window",
        starts_at=iso(now - timedelta(days=2)),
        ends_at=iso(now - timedelta(days=1)),
    )
    status, refused = push(call, show_id, code)
    assert (status, refused["code"]) == (409, "promo_expired"), refused
