"""The local IVS stand-in for real: ffmpeg from the imageio-ffmpeg wheel, recordings written to
the embedded S3. Waits poll with generous deadlines; nothing asserts on timing."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest

from functions.common import aws
from functions.common.streaming import StreamState
from local.ivs import (
    ChannelConfig,
    ChannelNotBroadcasting,
    FfmpegFailed,
    LocalIvsChannel,
    PortInUse,
    ResourceNotFoundException,
    RtmpSource,
    ThrottlingException,
    ValidationException,
)
from local.ivs.ffmpeg import ffmpeg_exe
from local.ivs.playlists import media_segments
from tests.conftest import free_port
from tests.ivs_id3 import SEGMENT_METADATA, declares_timed_id3, id3_tags

pytestmark = pytest.mark.integration

ARN = "arn:aws:ivs:us-east-1:123456789012:channel/AbCdef1G2hij"
PLAYBACK_BASE = "http://127.0.0.1:8000/live"
# ivs/v1/<account>/<channel id>/<yyyy>/<m>/<d>/<h>/<mm>/<recording id>
PREFIX = re.compile(r"^ivs/v1/123456789012/AbCdef1G2hij/\d{4}(/\d{1,2}){3}/\d{2}/\w{12}$")
STREAM_START = ("IVS Stream State Change", "Stream Start")
STREAM_END = ("IVS Stream State Change", "Stream End")
RECORDING_START = ("IVS Recording State Change", "Recording Start")
RECORDING_END = ("IVS Recording State Change", "Recording End")


@pytest.fixture
def s3(aws_endpoint: str):
    return boto3.client("s3", endpoint_url=aws_endpoint, region_name=aws.region())


@pytest.fixture
def bucket(s3) -> str:
    name = f"ivs-recordings-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def events() -> list[dict]:
    return []


def make_config(tmp_path: Path, bucket: str, **overrides) -> ChannelConfig:
    settings = {
        "channel_arn": ARN,
        "channel_name": "vitrine-live",
        "recordings_bucket": bucket,
        "live_dir": tmp_path / "live",
        "work_dir": tmp_path / "work",
        "playback_base_url": PLAYBACK_BASE,
        "thumbnail_interval_seconds": 2,
    }
    return ChannelConfig(**(settings | overrides))


@pytest.fixture
def make_channel(s3, events) -> Iterator[Callable[..., LocalIvsChannel]]:
    channels: list[LocalIvsChannel] = []

    def make(config: ChannelConfig) -> LocalIvsChannel:
        channel = LocalIvsChannel(config, s3_client=s3, on_event=events.append)
        channels.append(channel)
        return channel

    yield make
    for channel in channels:
        channel.stop()


def eventually(probe: Callable[[], object], timeout: float, what: str):
    """Polls `probe` until it returns something truthy; fails naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := probe():
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def kinds(events: list[dict]) -> list[tuple[str, str]]:
    return [
        (e["detail-type"], e["detail"].get("event_name") or e["detail"]["recording_status"])
        for e in events
    ]


def recording_ended(events: list[dict]) -> dict | None:
    return next((e for e in events if kinds([e])[0] == RECORDING_END), None)


def live_segments(config: ChannelConfig) -> list[str]:
    try:
        return media_segments((config.live_dir / "360p30" / "playlist.m3u8").read_text())
    except FileNotFoundError:
        return []


def describe_segment(path: Path) -> str:
    """Decodes one segment on its own (so it must start with a keyframe); returns ffmpeg's
    description of its streams."""
    result = subprocess.run(
        [ffmpeg_exe(None), "-hide_banner", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "rror" not in result.stderr, result.stderr
    return result.stderr


def timed_metadata(segments: list[bytes], tmp_path: Path) -> list[tuple[int, str]]:
    """(PTS, text) of each PutMetadata cue in the segments, as ffmpeg's own demuxer reads
    their ID3 stream (`Data: timed_id3`); every segment also starts with IVS's own tag."""
    path = tmp_path / f"segments-{uuid.uuid4().hex}.ts"
    path.write_bytes(b"".join(segments))
    assert declares_timed_id3(path)
    tags = id3_tags(path)
    assert sum(tag.description == SEGMENT_METADATA for tag in tags) == len(segments), tags
    return [(tag.pts, tag.value) for tag in tags if tag.is_put_metadata]


def live_cues(config: ChannelConfig, tmp_path: Path) -> list[tuple[int, str]]:
    """The cues in the live segments the playlist lists now."""
    rendition = config.live_dir / "360p30"
    segments = [(rendition / name).read_bytes() for name in live_segments(config)]
    return timed_metadata(segments, tmp_path)


def texts(cues: list[tuple[int, str]]) -> list[str]:
    return [text for _, text in cues]


def assert_chromium_playable(segment: bytes, tmp_path: Path) -> None:
    # MPEG-TS: 188-byte packets, each starting with the sync byte 0x47.
    assert segment
    assert len(segment) % 188 == 0
    assert all(segment[i] == 0x47 for i in range(0, len(segment), 188))
    path = tmp_path / f"segment-{uuid.uuid4().hex}.ts"
    path.write_bytes(segment)
    streams = describe_segment(path)
    assert "Video: h264 (Constrained Baseline)" in streams
    assert "yuv420p(" in streams  # limited range: not yuvj420p
    assert "640x360" in streams
    assert "Audio: aac (LC)" in streams
    assert "48000 Hz, stereo" in streams


def assert_recording_in_s3(s3, bucket: str, ended_event: dict) -> list[str]:
    """The layout IVS auto-record writes; returns the recording's keys."""
    detail = ended_event["detail"]
    prefix = detail["recording_s3_key_prefix"]
    assert detail["recording_s3_bucket_name"] == bucket
    assert PREFIX.match(prefix), prefix
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/")
    keys = [item["Key"] for item in listing.get("Contents", [])]

    def read(relative: str) -> bytes:
        return s3.get_object(Bucket=bucket, Key=f"{prefix}/{relative}")["Body"].read()

    started = json.loads(read("events/recording-started.json"))
    assert started["recording_status"] == "RECORDING_STARTED"
    ended = json.loads(read("events/recording-ended.json"))
    assert ended["version"] == "v1"
    assert ended["channel_arn"] == ARN
    assert ended["recording_status"] == "RECORDING_ENDED"
    assert ended["recording_started_at"] <= ended["recording_ended_at"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", ended["recording_ended_at"])
    hls = ended["media"]["hls"]
    assert hls["duration_ms"] == detail["recording_duration_ms"] > 0
    assert (hls["path"], hls["playlist"]) == ("media/hls", "master.m3u8")
    assert hls["renditions"] == [
        {
            "path": "360p30",
            "playlist": "playlist.m3u8",
            "resolution_height": 360,
            "resolution_width": 640,
        }
    ]
    assert ended["media"]["thumbnails"]["path"] == "media/thumbnails"

    assert "360p30/playlist.m3u8" in read("media/hls/master.m3u8").decode()
    playlist = read("media/hls/360p30/playlist.m3u8").decode()
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in playlist
    assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
    segments = media_segments(playlist)
    assert segments
    assert {f"{prefix}/media/hls/360p30/{name}" for name in segments} <= set(keys)

    thumbnails = [key for key in keys if re.search(r"/media/thumbnails/thumb\d+\.jpg$", key)]
    assert thumbnails
    assert read(thumbnails[0].removeprefix(f"{prefix}/")).startswith(b"\xff\xd8")
    return keys


def test_test_pattern_is_live_takes_metadata_and_is_recorded_on_stop(
    tmp_path, s3, bucket, events, make_channel
):
    config = make_config(tmp_path, bucket)
    channel = make_channel(config)
    assert channel.stream_info(ARN).state is StreamState.OFFLINE

    channel.start()
    assert channel.wait_until_live(timeout=20)
    info = channel.stream_info(ARN)
    assert info.state is StreamState.LIVE
    assert info.stream_id.startswith("st-")
    assert info.playback_url == f"{PLAYBACK_BASE}/master.m3u8"
    master = (config.live_dir / channel.playlist_path).read_text()
    assert 'CODECS="avc1.42c01e,mp4a.40.2"' in master
    assert "360p30/playlist.m3u8" in master

    # The live playlist is a sliding window that keeps advancing.
    first = live_segments(config)
    assert first
    segment = (config.live_dir / "360p30" / first[-1]).read_bytes()
    eventually(
        lambda: live_segments(config)[-1] != first[-1], timeout=15, what="a new live segment"
    )
    assert_chromium_playable(segment, tmp_path)

    # Timed metadata, with PutMetadata's limits, in the video as IVS puts it.
    featured = '{"type":"product.featured","product_id":"p-1","name":"Bol à thé"}'
    channel.put_metadata(ARN, featured)
    with pytest.raises(ValidationException):
        channel.put_metadata(ARN, "x" * 1100)
    with pytest.raises(ResourceNotFoundException):
        channel.put_metadata(ARN.replace("AbCdef1G2hij", "Unknown12345"), '{"a":1}')
    time.sleep(1.1)  # a fresh one-second quota window
    for index in range(5):
        channel.put_metadata(ARN, f'{{"n":{index}}}')
    with pytest.raises(ThrottlingException) as throttled:
        channel.put_metadata(ARN, '{"n":5}')
    assert throttled.value.code == "ThrottlingException"
    sent = [featured, *(f'{{"n":{index}}}' for index in range(5))]
    live = eventually(
        lambda: texts(cues := live_cues(config, tmp_path)) == sent and cues,
        timeout=15,
        what="the cues in the live segments",
    )

    pid = channel.ffmpeg_pid
    channel.stop()

    assert channel.stream_info(ARN).state is StreamState.OFFLINE
    assert not (config.live_dir / "master.m3u8").exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # ffmpeg is gone, not orphaned
    with pytest.raises(ChannelNotBroadcasting):
        channel.put_metadata(ARN, '{"late":true}')

    assert kinds(events) == [STREAM_START, RECORDING_START, STREAM_END, RECORDING_END]
    for event in events:
        assert event["source"] == "aws.ivs"
        assert event["resources"] == [ARN]
        assert (event["account"], event["region"]) == ("123456789012", "us-east-1")
        assert event["detail"]["stream_id"] == info.stream_id
        assert event["detail"]["channel_name"] == "vitrine-live"
    assert len({event["id"] for event in events}) == 4
    recording_start, recording_end = events[1]["detail"], events[3]["detail"]
    assert recording_start["recording_s3_key_prefix"] == recording_end["recording_s3_key_prefix"]
    assert recording_start["recording_session_id"] == recording_end["recording_session_id"]
    assert recording_end["recording_session_stream_ids"] == [info.stream_id]
    keys = assert_recording_in_s3(s3, bucket, events[3])
    assert any(key.endswith("/media/latest_thumbnail/thumb.jpg") for key in keys)
    # The replay carries the cues too, at the same stream times as the live stream did.
    prefix = events[3]["detail"]["recording_s3_key_prefix"]
    rendition = f"{prefix}/media/hls/360p30"
    playlist = s3.get_object(Bucket=bucket, Key=f"{rendition}/playlist.m3u8")["Body"].read()
    recorded = [
        s3.get_object(Bucket=bucket, Key=f"{rendition}/{name}")["Body"].read()
        for name in media_segments(playlist.decode())
    ]
    assert timed_metadata(recorded, tmp_path) == live


def test_an_ffmpeg_crash_ends_the_stream_and_still_delivers_the_recording(
    tmp_path, s3, bucket, events, make_channel
):
    channel = make_channel(make_config(tmp_path, bucket))
    channel.start()
    assert channel.wait_until_live(timeout=20)
    eventually(lambda: len(live_segments(channel.config)) >= 2, timeout=15, what="2 segments")

    os.kill(channel.ffmpeg_pid, signal.SIGKILL)  # no chance to close its playlists

    ended = eventually(lambda: recording_ended(events), timeout=20, what="Recording End")
    assert kinds(events) == [STREAM_START, RECORDING_START, STREAM_END, RECORDING_END]
    assert channel.stream_info(ARN).state is StreamState.OFFLINE
    assert channel.ffmpeg_pid is None
    assert_recording_in_s3(s3, bucket, ended)  # closed as VOD by the stand-in


def test_rtmp_ingest_broadcasts_what_a_publisher_sends_then_listens_again(
    tmp_path, s3, bucket, events, make_channel
):
    source = RtmpSource(port=free_port(), stream_key="sk_local_test")
    config = make_config(tmp_path, bucket, source=source)
    channel = make_channel(config)
    channel.start()
    assert channel.ingest_url == f"rtmp://127.0.0.1:{source.port}/app/sk_local_test"
    assert channel.stream_info(ARN).state is StreamState.OFFLINE  # listening, nobody publishing

    first_stream = publish(channel.ingest_url, seconds=5, size="1280x720")
    assert channel.wait_until_live(timeout=20)
    live_segment = config.live_dir / "360p30" / live_segments(config)[0]
    assert_chromium_playable(live_segment.read_bytes(), tmp_path)  # scaled to the rendition
    assert first_stream.wait(timeout=30) == 0

    # The publisher left: the stream ends and the recording lands, without any stop().
    ended = eventually(lambda: recording_ended(events), timeout=30, what="Recording End")
    assert kinds(events) == [STREAM_START, RECORDING_START, STREAM_END, RECORDING_END]
    assert_recording_in_s3(s3, bucket, ended)

    # The listener is back for the next broadcast, which is a new stream.
    eventually(lambda: channel.ffmpeg_pid, timeout=10, what="the relaunched listener")
    second_stream = publish(channel.ingest_url, seconds=3, size="640x360")
    eventually(lambda: len(events) >= 5, timeout=30, what="a second Stream Start")
    assert kinds(events)[4] == STREAM_START
    assert events[4]["detail"]["stream_id"] != events[0]["detail"]["stream_id"]
    assert second_stream.wait(timeout=30) == 0
    channel.stop()
    assert kinds(events)[4:] == [STREAM_START, RECORDING_START, STREAM_END, RECORDING_END]


def publish(url: str, *, seconds: int, size: str) -> subprocess.Popen:
    """What OBS does: a real-time H.264/AAC stream over RTMP (here a test pattern)."""
    pattern = f"testsrc2=size={size}:rate=25[out0];sine=sample_rate=44100[out1]"
    return subprocess.Popen(
        [
            *(ffmpeg_exe(None), "-hide_banner", "-loglevel", "error"),
            *("-re", "-f", "lavfi", "-i", pattern, "-t", str(seconds)),
            *("-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac"),
            *("-f", "flv", url),
        ],
        stdin=subprocess.DEVNULL,
    )


def test_a_missing_bucket_is_a_recording_start_failure_not_a_broken_stream(
    tmp_path, events, make_channel
):
    channel = make_channel(make_config(tmp_path, "no-such-recordings-bucket"))
    channel.start()
    assert channel.wait_until_live(timeout=20)
    eventually(lambda: len(events) >= 2, timeout=10, what="the recording's start event")
    channel.stop()

    assert kinds(events) == [
        STREAM_START,
        ("IVS Recording State Change", "Recording Start Failure"),
        STREAM_END,
    ]
    failure = events[1]["detail"]
    assert failure["recording_status_reason"] == "NoSuchBucket"
    assert failure["recording_s3_key_prefix"] == ""


def test_a_taken_rtmp_port_is_a_clear_error(tmp_path, bucket, make_channel):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        channel = make_channel(make_config(tmp_path, bucket, source=RtmpSource(port=port)))
        with pytest.raises(PortInUse, match=str(port)):
            channel.start()
    assert channel.ffmpeg_pid is None


def test_an_ffmpeg_that_cannot_start_is_a_clear_error(tmp_path, bucket, make_channel):
    missing = make_channel(make_config(tmp_path, bucket, ffmpeg_exe="/nonexistent/ffmpeg"))
    with pytest.raises(FfmpegFailed, match="cannot run ffmpeg"):
        missing.start()

    failing = make_channel(make_config(tmp_path, bucket, ffmpeg_exe="false"))
    with pytest.raises(FfmpegFailed, match="exited with code 1"):
        failing.start()
    assert "ffmpeg.log" in str(failing.log_path)
    assert failing.stream_info(ARN).state is StreamState.OFFLINE
