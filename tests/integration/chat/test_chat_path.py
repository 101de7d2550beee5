"""A chat frame through viewer_actions against the embedded DynamoDB: who posts it, where it is
stored and logged, the slow mode read with the connection, and an answer that cannot be posted.

The sender's answers go to a small @connections server of our own, which keeps them."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from functions.chat.dal import room
from functions.chat.handlers import viewer_actions
from functions.common import event_log
from functions.common.events import ChatPosted
from functions.common.models import ConnectionModel
from tests.conftest import free_port
from tests.integration.conftest import websocket_event

pytestmark = pytest.mark.integration

VIEWER_ACTIONS = "functions.chat.handlers.viewer_actions.handler"
ENDPOINT = "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"


class Answers(ThreadingHTTPServer):
    """@connections: keeps each posted frame by connection id."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Post)
        self.frames: dict[str, list[dict]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class _Post(BaseHTTPRequestHandler):
    server: Answers

    def do_POST(self) -> None:
        connection_id = self.path.rsplit("/", 1)[-1]
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.frames.setdefault(connection_id, []).append(json.loads(body))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def answers() -> Iterator[Answers]:
    server = Answers()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture
def send(as_function, lambda_context, monkeypatch):
    """`send(connection, frame, show_hint=..., endpoint=...)`: one frame through the handler,
    with the show the $connect authorizer's context names (API Gateway hands it every frame)."""

    def invoke(connection: ConnectionModel, frame: dict, *, show_hint: str | None, endpoint: str):
        authorizer = {"role": "viewer", "username": "", "principalId": "viewer"}
        if show_hint is not None:
            authorizer["show_id"] = show_hint
        event = websocket_event(
            "chat",
            connection.connection_id,
            body=json.dumps(frame),
            requestContext={"authorizer": authorizer},
        )
        with as_function(VIEWER_ACTIONS):
            monkeypatch.setenv(ENDPOINT, endpoint)
            return viewer_actions.handler(event, lambda_context)

    return invoke


def a_viewer(show_id: str) -> ConnectionModel:
    connection = ConnectionModel(
        f"c-{uuid.uuid4().hex[:12]}",
        show_id=show_id,
        viewer_id=f"viewer-{uuid.uuid4().hex[:8]}",
        display_name="Ada",
    )
    connection.save()
    return connection


def a_show() -> str:
    return f"show-{uuid.uuid4().hex[:10]}"


def posted_in(show_id: str) -> list[ChatPosted]:
    return [event for event in event_log.events_of(show_id) if isinstance(event, ChatPosted)]


def test_a_message_is_stored_and_logged_as_its_connection_at_its_time(send, answers, provisioned):
    show = a_show()
    viewer = a_viewer(show)
    before = datetime.now(UTC)
    result = send(viewer, {"action": "chat", "ref": "r1", "text": "hello"}, show_hint=show,
                  endpoint=answers.url)  # fmt: skip
    assert result == {"statusCode": 200, "body": "ok"}
    (ack,) = answers.frames[viewer.connection_id]
    assert (ack["type"], ack["ref"]) == ("ack", "r1")
    (event,) = posted_in(show)
    assert (event.message_id, event.text, event.author_name) == (ack["detail"], "hello", "Ada")
    assert (event.show_id, event.viewer_id) == (show, viewer.viewer_id)
    assert before <= event.at <= datetime.now(UTC)
    assert [m.message_id for m in room.last_messages(show)] == [ack["detail"]]


def chat_twice(send, answers, viewer, *, show_hint):
    """Two chat frames in a row ("try r1", "try r2"); the two answers the viewer got."""
    for ref in ("r1", "r2"):
        send(viewer, {"action": "chat", "ref": ref, "text": f"try {ref}"}, show_hint=show_hint,
             endpoint=answers.url)  # fmt: skip
    return answers.frames[viewer.connection_id]


def test_the_show_in_the_authorizer_context_is_only_a_hint(send, answers, provisioned):
    """The connection record says which show a frame is for, whatever the context claims:
    its own show's slow mode paces it, and the message lands there."""
    show, other = a_show(), a_show()
    room.set_slow_mode(show, 600)
    viewer = a_viewer(show)
    first, second = chat_twice(send, answers, viewer, show_hint=other)
    assert first["type"] == "ack"
    assert (second["type"], second["error"]) == ("error", "slow_mode")  # not the other's pace
    assert [event.text for event in posted_in(show)] == ["try r1"]
    assert posted_in(other) == []


def test_the_slow_mode_read_with_the_connection_paces_the_viewer(send, answers, provisioned):
    show = a_show()
    room.set_slow_mode(show, 30)
    viewer = a_viewer(show)
    first, second = chat_twice(send, answers, viewer, show_hint=show)
    assert first["type"] == "ack"
    assert (second["type"], second["error"]) == ("error", "slow_mode")
    assert 28 <= second["retry_after_seconds"] <= 30
    assert [event.text for event in posted_in(show)] == ["try r1"]


def test_without_a_hint_the_room_is_read_on_its_own(send, answers, provisioned):
    show = a_show()
    room.set_slow_mode(show, 30)
    viewer = a_viewer(show)
    for ref in ("r1", "r2"):
        send(viewer, {"action": "chat", "ref": ref, "text": "hi"}, show_hint=None,
             endpoint=answers.url)  # fmt: skip
    assert [f.get("error") for f in answers.frames[viewer.connection_id]] == [None, "slow_mode"]


def test_a_message_whose_ack_cannot_be_posted_is_still_posted(send, provisioned):
    """The action is done: the invocation succeeds (no "Internal server error" that a page
    would take for a message not sent), and the message reaches the room."""
    show = a_show()
    viewer = a_viewer(show)
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens: the post is refused
    started = time.monotonic()
    result = send(viewer, {"action": "chat", "ref": "r1", "text": "still here"},
                  show_hint=show, endpoint=nobody)  # fmt: skip
    assert result == {"statusCode": 200, "body": "ok"}
    assert time.monotonic() - started < 10
    assert [event.text for event in posted_in(show)] == ["still here"]
