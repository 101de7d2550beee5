"""The EventBridge events IVS emits for a channel, shaped as in "Using Amazon EventBridge with
IVS Low-Latency Streaming": the whole envelope, so a rule or a Lambda sees what AWS would send."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from local.ivs.identifiers import ChannelArn
from local.ivs.recording import RecordingSession, rfc3339

STREAM_STATE_CHANGE = "IVS Stream State Change"
RECORDING_STATE_CHANGE = "IVS Recording State Change"

# An EventBridge event as IVS sends it: the JSON envelope, kept as JSON.
type IvsEvent = dict[str, Any]


class StreamEvent(StrEnum):
    STREAM_START = "Stream Start"
    STREAM_END = "Stream End"


class RecordingEvent(StrEnum):
    RECORDING_START = "Recording Start"
    RECORDING_END = "Recording End"
    RECORDING_START_FAILURE = "Recording Start Failure"
    RECORDING_END_FAILURE = "Recording End Failure"


def stream_state_change(
    channel: ChannelArn, channel_name: str, event: StreamEvent, stream_id: str, at: datetime
) -> IvsEvent:
    detail = {"event_name": event.value, "channel_name": channel_name, "stream_id": stream_id}
    return _envelope(channel, STREAM_STATE_CHANGE, detail, at)


def recording_state_change(
    channel: ChannelArn,
    channel_name: str,
    event: RecordingEvent,
    stream_id: str,
    recording: RecordingSession,
    at: datetime,
    *,
    duration_ms: int = 0,
    reason: str = "",
) -> IvsEvent:
    detail: dict[str, Any] = {
        "channel_name": channel_name,
        "stream_id": stream_id,
        "recording_status": event.value,
        "recording_status_reason": reason,
        "recording_s3_bucket_name": recording.bucket,
        # A recording that never started has no prefix in IVS's failure event either.
        "recording_s3_key_prefix": (
            "" if event is RecordingEvent.RECORDING_START_FAILURE else recording.prefix
        ),
        "recording_duration_ms": duration_ms,
        "recording_session_id": recording.session_id,
    }
    if event is RecordingEvent.RECORDING_END:
        detail["recording_session_stream_ids"] = [stream_id]
    return _envelope(channel, RECORDING_STATE_CHANGE, detail, at)


def _envelope(
    channel: ChannelArn, detail_type: str, detail: dict[str, Any], at: datetime
) -> IvsEvent:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "aws.ivs",
        "account": channel.account,
        "time": rfc3339(at),
        "region": channel.region,
        "resources": [channel.arn],
        "detail": detail,
    }
