"""$connect / $disconnect against the embedded DynamoDB: connections and the event log."""

import uuid

import pytest

from functions.chat.handlers import connect, disconnect
from functions.common import event_log
from functions.common.models import ConnectionModel
from local.seed import DEMO_SHOW_ID, seed_catalog
from tests.integration.conftest import websocket_event

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def catalog(provisioned):
    seed_catalog()


CONNECT = "functions.chat.handlers.connect.handler"
DISCONNECT = "functions.chat.handlers.disconnect.handler"


@pytest.fixture
def call(as_function, lambda_context):
    """Invoke a handler as its deployed function: its own environment, a Lambda context."""

    def invoke(handler_path, module, event):
        with as_function(handler_path):
            return module.handler(event, lambda_context)

    return invoke


def connect_event(connection_id, query, authorizer=None):
    return websocket_event(
        "$connect",
        connection_id,
        queryStringParameters=query,
        requestContext={"authorizer": authorizer},
    )


def test_a_viewer_connects_and_leaves_with_watch_time(call):
    viewer, connection = f"viewer-{uuid.uuid4().hex[:8]}", f"c-{uuid.uuid4().hex[:8]}"
    query = {"show": DEMO_SHOW_ID, "viewer": viewer, "device": "mobile", "source": "instagram"}
    assert call(CONNECT, connect, connect_event(connection, query))["statusCode"] == 200

    stored = ConnectionModel.get(connection)
    assert (stored.show_id, stored.viewer_id, stored.role, stored.device) == (
        DEMO_SHOW_ID, viewer, "viewer", "mobile",
    )  # fmt: skip
    left = call(DISCONNECT, disconnect, websocket_event("$disconnect", connection))
    assert left["statusCode"] == 200
    with pytest.raises(ConnectionModel.DoesNotExist):
        ConnectionModel.get(connection)

    mine = [e for e in event_log.events_of(DEMO_SHOW_ID) if e.viewer_id == viewer]
    assert [e.type for e in mine] == ["viewer.joined", "viewer.left"]
    assert mine[0].traffic_source == "instagram"
    assert mine[1].watch_seconds >= 0


def test_staff_connections_are_not_counted_as_viewers(lambda_context):
    query = {"show": DEMO_SHOW_ID, "viewer": "staff-1"}
    authorizer = {"role": "moderator", "username": "max", "principalId": "sub-1"}
    assert (
        connect.handler(connect_event("c-2", query, authorizer), lambda_context)["statusCode"]
        == 200
    )
    assert ConnectionModel.get("c-2").role == "moderator"
    assert ConnectionModel.get("c-2").display_name == "max"
    assert not [e for e in event_log.events_of(DEMO_SHOW_ID) if e.viewer_id == "staff-1"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        (None, 400),
        ({"show": DEMO_SHOW_ID}, 400),
        ({"show": "no-such-show", "viewer": "v"}, 404),
        ({"show": "bad show id", "viewer": "v"}, 400),
    ],
)
def test_bad_connection_requests_are_refused_and_store_nothing(query, status, call):
    answer = call(CONNECT, connect, connect_event("c-bad", query))
    assert answer["statusCode"] == status
    with pytest.raises(ConnectionModel.DoesNotExist):
        ConnectionModel.get("c-bad")
