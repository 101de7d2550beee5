import pytest
from pydantic import ValidationError

from functions.chat.logic.frames import (
    MAX_FRAME_BYTES,
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
        ('{"action": "dance"}', "invalid_frame"),
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
