"""Property-based fuzzing of the show room's WebSocket frames, against the running runtime:
whatever a client sends, no handler crashes (API Gateway would answer "Internal server error"),
every frame the protocol refuses is answered with its error frame, and the connection stays.

A viewer and a moderator are fuzzed: staff frames reach the staff function's deeper paths."""

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.chat.logic.frames import (
    STAFF_ACTIONS,
    VIEWER_ACTIONS,
    FrameError,
    parse_client_frame,
)
from tests.e2e.room_client import RoomClient

pytestmark = pytest.mark.e2e

ACTIONS = sorted(VIEWER_ACTIONS | STAFF_ACTIONS - {"arm_show", "end_show"})
FIELDS = ["text", "name", "ref", "poll_id", "option", "contest_id", "message_id", "viewer_id",
          "minutes", "seconds", "words", "sku", "title", "question", "options", "reaction",
          "count", "correct_option", "author_name", "role"]  # fmt: skip
scalars = (
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=60)
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4), max_leaves=6)
frames = st.one_of(
    # Frames that look right: a known action with plausible and implausible fields.
    st.fixed_dictionaries(
        {"action": st.sampled_from(ACTIONS)},
        optional=dict.fromkeys(FIELDS, values),
    ).map(json.dumps),
    # Anything JSON, and text that is not JSON at all.
    st.dictionaries(st.sampled_from(["action", *FIELDS]), values, max_size=5).map(json.dumps),
    st.text(min_size=1, max_size=200),
)


def expected_error(body: str) -> str | None:
    """The error code the protocol answers `body` with, if it refuses it outright."""
    try:
        parse_client_frame(body)
    except FrameError as error:
        return error.frame.error
    return None


def internal_errors(client: RoomClient) -> list[dict]:
    """What API Gateway sends when a handler crashed: {"message": "Internal server error"}."""
    return [frame for frame in client.frames if "type" not in frame]


@pytest.fixture
def fuzzed(join, request):
    client = join("Fuzzy") if request.param == "viewer" else join(role="moderator")
    yield client
    time.sleep(3)  # routes run concurrently: the last frames' handlers may still be answering
    assert not internal_errors(client)
    assert not client.closed.is_set()


def answered(client: RoomClient, match) -> int:
    return sum(1 for frame in client.frames if match(frame))


@pytest.mark.parametrize("fuzzed", ["viewer", "moderator"], indirect=True)
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=frames)
def test_any_frame_is_answered_and_the_connection_kept(fuzzed: RoomClient, body: str):
    refused = expected_error(body)
    if refused is not None:
        match = lambda f: f.get("type") == "error" and f["error"] == refused  # noqa: E731
    else:
        ref = parse_client_frame(body).ref
        match = lambda f: f.get("type") in {"ack", "error"} and f.get("ref") == ref  # noqa: E731
    before = answered(fuzzed, match)
    fuzzed.send_raw(body)
    if refused is not None or ref is not None:  # a frame without a ref may need no answer
        fuzzed.wait_for(lambda f: answered(fuzzed, match) > before)
    assert not internal_errors(fuzzed), internal_errors(fuzzed)
    assert not fuzzed.closed.is_set()
