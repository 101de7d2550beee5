"""The show lifecycle under IVS's best-effort events: late, repeated, out of order."""

from datetime import UTC, datetime, timedelta

import pytest

from functions.chat.logic.lifecycle import (
    StreamEventName,
    StreamRecord,
    StreamStateChange,
    on_stream_event,
)
from functions.common.models import ShowStatus

START, END = StreamEventName.START, StreamEventName.END
T0 = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def step(name, record, status, current=None, at=T0):
    return on_stream_event(
        name, at, record, show_status=status, current_stream_id=current, stream_id="st-1"
    )


def test_start_then_end_moves_the_show_live_then_ended():
    started = step(START, StreamRecord("show"), ShowStatus.SCHEDULED)
    assert (started.status, started.logged) == (ShowStatus.LIVE, "show.started")
    ended = step(END, started.record, ShowStatus.LIVE, current="st-1", at=T0 + timedelta(1))
    assert (ended.status, ended.logged) == (ShowStatus.ENDED, "show.ended")
    assert ended.record.started_at == T0


@pytest.mark.parametrize("name", [START, END])
def test_a_repeated_event_changes_nothing(name):
    record = StreamRecord("show", started_at=T0, ended_at=T0 if name is END else None)
    again = step(name, record, ShowStatus.LIVE, current="st-1")
    assert (again.status, again.logged, again.record) == (None, None, record)


def test_an_end_before_its_start_ends_the_stream_and_the_late_start_revives_nothing():
    ended = step(END, StreamRecord("show"), ShowStatus.SCHEDULED)
    assert ended.status is None  # never went live: nothing to end
    assert ended.logged == "show.ended"
    late_start = step(START, ended.record, ShowStatus.SCHEDULED)
    assert late_start.status is None
    assert late_start.logged == "show.started"  # the trail keeps when it started


def test_the_end_of_an_older_stream_does_not_end_a_reconnected_show():
    old = StreamRecord("show", started_at=T0)
    ended = on_stream_event(
        END, T0, old, show_status=ShowStatus.LIVE, current_stream_id="st-2", stream_id="st-1"
    )
    assert (ended.status, ended.logged) == (None, "show.ended")


def test_a_show_past_its_replay_never_goes_live_again():
    started = step(START, StreamRecord("show"), ShowStatus.REPLAY_PUBLISHED)
    assert started.status is None


def test_the_eventbridge_envelope_parses():
    change = StreamStateChange.parse(
        {"detail-type": "IVS Stream State Change", "time": "2026-12-01T20:00:00Z",
         "resources": ["arn:aws:ivs:us-east-1:123456789012:channel/abc"],
         "detail": {"event_name": "Stream Start", "stream_id": "st-1", "channel_name": "c"}}
    )  # fmt: skip
    assert change.channel_arn.endswith("channel/abc")
    assert change.detail.stream_id == "st-1"
