"""IVS auto-record layout: ids, the S3 key prefix and the recording metadata files."""

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from local.ivs.config import Rendition
from local.ivs.identifiers import (
    ChannelArn,
    new_recording_id,
    new_recording_session_id,
    new_stream_id,
)
from local.ivs.recording import (
    RecordingFileStatus,
    RecordingSession,
    recording_metadata,
    recording_prefix,
)

ARN = "arn:aws:ivs:us-west-2:123456789012:channel/AbCdef1G2hij"
CHANNEL = ChannelArn.parse(ARN)
STARTED = datetime(2020, 6, 3, 4, 5, 26, tzinfo=UTC)
ENDED = datetime(2020, 6, 3, 5, 0, 1, tzinfo=UTC)


def test_a_channel_arn_splits_into_region_account_and_channel_id():
    assert ChannelArn(ARN, "us-west-2", "123456789012", "AbCdef1G2hij") == CHANNEL


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:ivs:us-west-2:123456789012:stage/AbCdef1G2hij",
        "arn:aws:ivs:us-west-2:1234:channel/AbCdef1G2hij",
        "arn:aws:s3:::bucket",
        "AbCdef1G2hij",
    ],
)
def test_anything_but_a_channel_arn_is_rejected(arn):
    with pytest.raises(ValueError, match="not an IVS channel ARN"):
        ChannelArn.parse(arn)


def test_ids_look_like_ivs_ids_and_are_unique():
    assert re.fullmatch(r"st-[A-Za-z0-9]{23}", new_stream_id())
    assert re.fullmatch(r"[A-Za-z0-9]{12}", new_recording_id())
    assert re.fullmatch(r"[A-Za-z0-9]{16}", new_recording_session_id())
    assert len({new_stream_id() for _ in range(100)}) == 100


def test_the_prefix_is_the_utc_start_with_only_the_minutes_padded():
    assert (
        recording_prefix(CHANNEL, STARTED, "j8Z9O91ndcVs")
        == "ivs/v1/123456789012/AbCdef1G2hij/2020/6/3/4/05/j8Z9O91ndcVs"
    )
    paris = timezone(timedelta(hours=2))
    same_instant = datetime(2020, 6, 3, 6, 5, 26, tzinfo=paris)
    assert recording_prefix(CHANNEL, same_instant, "x").endswith("/2020/6/3/4/05/x")


def test_a_session_names_its_keys_under_its_prefix():
    session = RecordingSession.begin(CHANNEL, "recordings", STARTED)
    assert session.prefix == recording_prefix(CHANNEL, STARTED, session.recording_id)
    assert (
        session.key("events/recording-ended.json")
        == f"{session.prefix}/events/recording-ended.json"
    )
    assert session.bucket == "recordings"
    assert session.started_at == STARTED


MEDIA = {
    "hls": {
        "path": "media/hls",
        "playlist": "master.m3u8",
        "renditions": [
            {
                "path": "360p30",
                "playlist": "playlist.m3u8",
                "resolution_height": 360,
                "resolution_width": 640,
            }
        ],
    },
    "thumbnails": {
        "path": "media/thumbnails",
        "resolution_height": 360,
        "resolution_width": 640,
    },
    "latest_thumbnail": {
        "path": "media/latest_thumbnail/thumb.jpg",
        "resolution_height": 360,
        "resolution_width": 640,
    },
}


def test_recording_started_json():
    assert recording_metadata(ARN, Rendition(), RecordingFileStatus.STARTED, STARTED) == {
        "version": "v1",
        "channel_arn": ARN,
        "recording_started_at": "2020-06-03T04:05:26Z",
        "recording_status": "RECORDING_STARTED",
        "media": MEDIA,
    }


def test_recording_ended_json_adds_the_end_and_the_duration():
    document = recording_metadata(
        ARN, Rendition(), RecordingFileStatus.ENDED, STARTED, ended_at=ENDED, duration_ms=3275000
    )
    hls = MEDIA["hls"] | {"duration_ms": 3275000}
    assert document == {
        "version": "v1",
        "channel_arn": ARN,
        "recording_ended_at": "2020-06-03T05:00:01Z",
        "recording_started_at": "2020-06-03T04:05:26Z",
        "recording_status": "RECORDING_ENDED",
        "media": MEDIA | {"hls": hls},
    }


def test_recording_failed_json_says_why():
    document = recording_metadata(
        ARN,
        Rendition(),
        RecordingFileStatus.FAILED,
        STARTED,
        ended_at=ENDED,
        duration_ms=0,
        status_message="NoSuchBucket",
    )
    assert document["recording_status"] == "RECORDING_ENDED_WITH_FAILURE"
    assert document["recording_status_message"] == "NoSuchBucket"
    assert document["media"]["hls"]["duration_ms"] == 0
