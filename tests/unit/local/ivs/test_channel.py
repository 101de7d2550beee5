"""The channel's IVS API behaviour that needs no ffmpeg: an offline channel."""

from pathlib import Path

import pytest

from functions.common.streaming import StreamInfo, StreamState
from local.ivs import (
    ChannelConfig,
    ChannelNotBroadcasting,
    LocalIvsChannel,
    ResourceNotFoundException,
    RtmpSource,
    ValidationException,
)
from local.ivs.storage import upload_directory

ARN = "arn:aws:ivs:us-east-1:123456789012:channel/AbCdef1G2hij"


class FakeS3:
    def __init__(self) -> None:
        self.objects: dict[str, dict] = {}

    def put_object(self, **kwargs) -> dict:
        self.objects[kwargs["Key"]] = kwargs
        return {}


def channel(tmp_path: Path, **overrides) -> LocalIvsChannel:
    settings = {
        "channel_arn": ARN,
        "channel_name": "live",
        "recordings_bucket": "recordings",
        "live_dir": tmp_path / "live",
        "work_dir": tmp_path / "work",
        "playback_base_url": "http://127.0.0.1:8000/live/",
    }
    return LocalIvsChannel(ChannelConfig(**(settings | overrides)), s3_client=FakeS3())


def test_an_offline_channel_reports_offline_with_its_playback_url(tmp_path):
    offline = channel(tmp_path)
    assert offline.stream_info(ARN) == StreamInfo(
        StreamState.OFFLINE, playback_url="http://127.0.0.1:8000/live/master.m3u8"
    )
    assert offline.live_dir == tmp_path / "live"
    assert offline.playlist_path == "master.m3u8"
    assert offline.ingest_url is None


def test_metadata_needs_a_live_channel_like_ivs(tmp_path):
    with pytest.raises(ChannelNotBroadcasting) as error:
        channel(tmp_path).put_metadata(ARN, '{"product_id":"p-1"}')
    assert (error.value.code, error.value.status) == ("ChannelNotBroadcasting", 404)
    assert error.value.operation == "PutMetadata"


@pytest.mark.parametrize("metadata", ["x" * 1025, "é" * 513, ""])
def test_metadata_of_1_to_1024_bytes_only_is_checked_before_anything_else(tmp_path, metadata):
    with pytest.raises(ValidationException) as error:
        channel(tmp_path).put_metadata(ARN, metadata)
    assert (error.value.code, error.value.status) == ("ValidationException", 400)


def test_stopping_an_offline_channel_is_refused_like_ivs(tmp_path):
    with pytest.raises(ChannelNotBroadcasting) as error:
        channel(tmp_path).stop_stream(ARN)
    assert error.value.operation == "StopStream"


def test_another_channel_arn_is_not_found(tmp_path):
    other = ARN.replace("AbCdef1G2hij", "ZZZZZZZZZZZZ")
    with pytest.raises(ResourceNotFoundException):
        channel(tmp_path).stream_info(other)
    with pytest.raises(ResourceNotFoundException):
        channel(tmp_path).put_metadata(other, "{}")
    with pytest.raises(ResourceNotFoundException):
        channel(tmp_path).stop_stream(other)


def test_an_rtmp_channel_tells_publishers_where_to_stream(tmp_path):
    rtmp = channel(tmp_path, source=RtmpSource(port=1935, stream_key="sk_1"))
    assert rtmp.ingest_url == "rtmp://127.0.0.1:1935/app/sk_1"


def test_a_malformed_channel_arn_is_refused_at_construction(tmp_path):
    with pytest.raises(ValueError, match="not an IVS channel ARN"):
        channel(tmp_path, channel_arn="my-channel")


def test_the_upload_skips_unfinished_segments_and_sets_content_types(tmp_path):
    (tmp_path / "media/hls/360p30").mkdir(parents=True)
    (tmp_path / "media/hls/360p30/playlist.m3u8").write_text("#EXTM3U\n")
    (tmp_path / "media/hls/360p30/0.ts").write_bytes(b"\x47" * 188)
    (tmp_path / "media/hls/360p30/1.ts.tmp").write_bytes(b"\x47")
    s3 = FakeS3()
    keys = upload_directory(s3, "recordings", "ivs/v1/p", tmp_path)
    assert keys == ["ivs/v1/p/media/hls/360p30/0.ts", "ivs/v1/p/media/hls/360p30/playlist.m3u8"]
    assert s3.objects["ivs/v1/p/media/hls/360p30/0.ts"]["ContentType"] == "video/MP2T"
    assert s3.objects["ivs/v1/p/media/hls/360p30/playlist.m3u8"]["Bucket"] == "recordings"
