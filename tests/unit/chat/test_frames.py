import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from functions.chat.logic.frames import (
    MAX_FRAME_BYTES,
    STAFF_ACTIONS,
    VIEWER_ACTIONS,
    ConnectRequest,
    FrameError,
    Ping,
    parse_client_frame,
)


def test_ping_parses():
    assert isinstance(parse_client_frame('{"action": "ping"}'), Ping)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (None, "empty_frame"),
        ("", "empty_frame"),
        ("{not json", "malformed_json"),
        ("[1, 2]", "missing_action"),
        ('{"text": "hi"}', "missing_action"),
        ('{"action": "dance"}', "unknown_action"),
        ('{"action": 5}', "unknown_action"),
        ('{"action": "chat"}', "invalid_frame"),
        ('{"action": "chat", "text": "hi", "author_name": "Host"}', "invalid_frame"),
        ('{"action": "chat", "text": "hi", "role": "admin"}', "invalid_frame"),
        ('{"action": "open_poll", "question": "?", "options": ["a"]}', "invalid_frame"),
        ('{"action": "mute_viewer", "viewer_id": "v", "minutes": 0}', "invalid_frame"),
        ('{"action": "ping", "extra": 1}', "invalid_frame"),
        ('{"action": "ping", "pad": "' + "x" * MAX_FRAME_BYTES + '"}', "frame_too_large"),
    ],
)
def test_bad_frames_become_error_frames(body, error):
    with pytest.raises(FrameError) as raised:
        parse_client_frame(body)
    assert raised.value.frame.error == error
    assert raised.value.frame.type == "error"


def test_connect_request_needs_a_show_and_a_viewer():
    request = ConnectRequest.model_validate({"show": "demo", "viewer": "v-1", "device": "mobile"})
    assert request.device == "mobile"
    with pytest.raises(ValidationError):
        ConnectRequest.model_validate({"viewer": "v-1"})
    with pytest.raises(ValidationError):
        ConnectRequest.model_validate({"show": "demo", "viewer": "v 1"})


def test_an_error_frame_echoes_the_ref_of_the_refused_frame():
    with pytest.raises(FrameError) as raised:
        parse_client_frame('{"action": "chat", "ref": "r-7"}')
    assert raised.value.frame.ref == "r-7"


def test_every_action_has_one_owner():
    assert not VIEWER_ACTIONS & STAFF_ACTIONS
    assert {"chat", "ask", "react", "answer_poll", "enter_contest", "join"} <= VIEWER_ACTIONS
    assert {"delete_message", "ban_viewer", "feature_product", "draw_contest"} <= STAFF_ACTIONS


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=300),
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        ["action", "text", "ref", "poll_id", "option", "words", "minutes", "x"]
                    ),
                    inner,
                    max_size=5,
                )
            ),
            max_leaves=12,
        ).map(json.dumps),
        st.fixed_dictionaries(
            {"action": st.sampled_from(sorted(VIEWER_ACTIONS | STAFF_ACTIONS))},
            optional={
                "text": st.text(max_size=50),
                "ref": st.text(max_size=80),
                "option": st.integers(),
                "poll_id": st.text(max_size=10),
            },
        ).map(json.dumps),
    )
)
def test_any_body_parses_or_becomes_an_error_frame(body):
    """Property: parsing never raises anything but FrameError, whose frame serializes."""
    try:
        parse_client_frame(body)
    except FrameError as error:
        refused = error.frame
    else:
        return
    assert refused.error
    assert json.loads(refused.model_dump_json())["type"] == "error"
