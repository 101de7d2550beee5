"""The EventBridge events of the stand-in, field for field as IVS documents them."""

import uuid
from datetime import UTC, datetime

from local.ivs.identifiers import ChannelArn
from local.ivs.notifications import (
    RecordingEvent,
    StreamEvent,
    recording_state_change,
    stream_state_change,
)
from local.ivs.recording import RecordingSession

ARN = "arn:aws:ivs:us-west-2:123456789012:channel/AbCdef1G2hij"
CHANNEL = ChannelArn.parse(ARN)
AT = datetime(2020, 6, 23, 20, 12, 36, 123456, tzinfo=UTC)
RECORDING = RecordingSession(
    bucket="r2s3-recordings",
    prefix="ivs/v1/123456789012/AbCdef1G2hij/2020/6/23/20/12/j8Z9O91ndcVs",
    recording_id="j8Z9O91ndcVs",
    session_id="a6RfV23ES97iyfoQ",
    started_at=AT,
)
STREAM_ID = "st-1A2b3c4D5e6F78ghij9Klmn"


def envelope(event: dict) -> dict:
    uuid.UUID(event["id"])  # a fresh id per event
    return {key: value for key, value in event.items() if key not in ("id", "detail")}


ENVELOPE = {
    "version": "0",
    "source": "aws.ivs",
    "account": "123456789012",
    "time": "2020-06-23T20:12:36Z",
    "region": "us-west-2",
    "resources": [ARN],
}


def test_stream_start_and_end():
    for name in (StreamEvent.STREAM_START, StreamEvent.STREAM_END):
        event = stream_state_change(CHANNEL, "Your Channel", name, STREAM_ID, AT)
        assert envelope(event) == ENVELOPE | {"detail-type": "IVS Stream State Change"}
        assert event["detail"] == {
            "event_name": name.value,
            "channel_name": "Your Channel",
            "stream_id": STREAM_ID,
        }


def test_recording_start():
    event = recording_state_change(
        CHANNEL, "Your Channel", RecordingEvent.RECORDING_START, STREAM_ID, RECORDING, AT
    )
    assert envelope(event) == ENVELOPE | {"detail-type": "IVS Recording State Change"}
    assert event["detail"] == {
        "channel_name": "Your Channel",
        "stream_id": STREAM_ID,
        "recording_status": "Recording Start",
        "recording_status_reason": "",
        "recording_s3_bucket_name": "r2s3-recordings",
        "recording_s3_key_prefix": RECORDING.prefix,
        "recording_duration_ms": 0,
        "recording_session_id": "a6RfV23ES97iyfoQ",
    }


def test_recording_end_carries_the_duration_and_the_streams_of_the_session():
    event = recording_state_change(
        CHANNEL,
        "Your Channel",
        RecordingEvent.RECORDING_END,
        STREAM_ID,
        RECORDING,
        AT,
        duration_ms=99370264,
    )
    assert event["detail"]["recording_status"] == "Recording End"
    assert event["detail"]["recording_duration_ms"] == 99370264
    assert event["detail"]["recording_s3_key_prefix"] == RECORDING.prefix
    assert event["detail"]["recording_session_stream_ids"] == [STREAM_ID]


def test_failures_carry_their_reason_and_a_failed_start_has_no_prefix():
    start = recording_state_change(
        CHANNEL,
        "Your Channel",
        RecordingEvent.RECORDING_START_FAILURE,
        STREAM_ID,
        RECORDING,
        AT,
        reason="ValidationException",
    )
    assert start["detail"]["recording_status"] == "Recording Start Failure"
    assert start["detail"]["recording_status_reason"] == "ValidationException"
    assert start["detail"]["recording_s3_key_prefix"] == ""
    end = recording_state_change(
        CHANNEL,
        "Your Channel",
        RecordingEvent.RECORDING_END_FAILURE,
        STREAM_ID,
        RECORDING,
        AT,
        reason="InternalServerException",
    )
    assert end["detail"]["recording_status"] == "Recording End Failure"
    assert end["detail"]["recording_s3_key_prefix"] == RECORDING.prefix
    assert "recording_session_stream_ids" not in end["detail"]


def test_every_event_has_its_own_id():
    first = stream_state_change(CHANNEL, "c", StreamEvent.STREAM_START, STREAM_ID, AT)
    second = stream_state_change(CHANNEL, "c", StreamEvent.STREAM_START, STREAM_ID, AT)
    assert first["id"] != second["id"]
