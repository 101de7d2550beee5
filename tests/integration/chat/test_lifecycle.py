"""The show lifecycle from IVS "Stream State Change" events, against the embedded DynamoDB:
started, ended, repeated, out of order, and a stream nobody armed a show for."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from functions.chat.dal import room
from functions.chat.handlers import stream_state
from functions.common import event_log
from functions.common.models import ShowModel, ShowStatus

pytestmark = pytest.mark.integration

HANDLER = "functions.chat.handlers.stream_state.handler"
T0 = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


@pytest.fixture
def channel() -> str:
    """A channel of this test alone: the armed show is per channel."""
    return f"arn:aws:ivs:us-east-1:123456789012:channel/{uuid.uuid4().hex[:12]}"


@pytest.fixture
def show(as_function) -> str:
    show_id = f"show-{uuid.uuid4().hex[:10]}"
    with as_function(HANDLER):
        ShowModel(
            ShowModel.key(show_id), "SHOW", show_id=show_id, title="Lifecycle",
            starts_at="2026-12-01T20:00:00+00:00",
        ).save()  # fmt: skip
    return show_id


@pytest.fixture
def ivs(as_function, lambda_context, channel):
    """Deliver one IVS event to the handler as EventBridge would."""

    def deliver(name: str, stream_id: str, at: datetime = T0) -> str:
        event = {
            "version": "0", "id": uuid.uuid4().hex, "source": "aws.ivs",
            "detail-type": "IVS Stream State Change", "account": "123456789012",
            "time": at.isoformat().replace("+00:00", "Z"), "region": "us-east-1",
            "resources": [channel],
            "detail": {"event_name": name, "channel_name": "live", "stream_id": stream_id},
        }  # fmt: skip
        with as_function(HANDLER):
            return stream_state.handler(event, lambda_context)["result"]

    return deliver


def status(show_id: str) -> str:
    return ShowModel.get(ShowModel.key(show_id), "SHOW").status


def logged(show_id: str) -> list[tuple[str, str | None]]:
    return [
        (event.type, getattr(event, "stream_id", None))
        for event in event_log.events_of(show_id)
        if event.type.startswith("show.")
    ]


def test_an_armed_show_goes_live_on_stream_start_and_ends_on_stream_end(
    as_function, ivs, channel, show
):
    with as_function(HANDLER):
        room.arm(channel, show, by="host-1")
    assert ivs("Stream Start", "st-1") == "stream started"
    with as_function(HANDLER):
        assert status(show) == ShowStatus.LIVE
        assert room.room(show).live_started_at == T0
    assert ivs("Stream End", "st-1", T0 + timedelta(minutes=40)) == "stream ended"
    with as_function(HANDLER):
        assert status(show) == ShowStatus.ENDED
        assert logged(show) == [("show.started", "st-1"), ("show.ended", "st-1")]
        assert room.armed_show(channel) is None  # the encoder's reconnect is not this show


def test_repeated_events_are_no_ops(as_function, ivs, channel, show):
    with as_function(HANDLER):
        room.arm(channel, show, by="host-1")
    ivs("Stream Start", "st-1")
    assert ivs("Stream Start", "st-1") == "repeated Stream Start"
    ivs("Stream End", "st-1", T0 + timedelta(minutes=5))
    assert ivs("Stream End", "st-1", T0 + timedelta(minutes=5)) == "repeated Stream End"
    with as_function(HANDLER):
        assert logged(show) == [("show.started", "st-1"), ("show.ended", "st-1")]


def test_an_end_that_overtakes_its_start_leaves_the_show_ended(as_function, ivs, channel, show):
    with as_function(HANDLER):
        room.arm(channel, show, by="host-1")
    ivs("Stream Start", "st-1")
    ivs("Stream End", "st-2", T0 + timedelta(minutes=10))  # st-2's End before its Start...
    assert ivs("Stream Start", "st-2", T0 + timedelta(minutes=1)) == "Stream Start after its End"
    with as_function(HANDLER):
        # ...st-1 is still the live stream: the show stays live, and nothing is lost.
        assert status(show) == ShowStatus.LIVE
        assert ("show.started", "st-2") in logged(show)


def test_a_stream_without_an_armed_show_changes_no_show(as_function, ivs, show):
    assert ivs("Stream Start", "st-9") == "no show is armed"
    with as_function(HANDLER):
        assert status(show) == ShowStatus.SCHEDULED
        assert logged(show) == []


def test_other_ivs_events_are_ignored(ivs):
    assert ivs("Session Created", "st-1") == "ignored"
