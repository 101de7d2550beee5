"""The ffmpeg command line: what makes the stream playable in Chromium, live and recorded."""

from pathlib import Path

import pytest

from local.ivs.config import ChannelConfig, PatternSource, RtmpSource
from local.ivs.ffmpeg import build_command

RECORDING = Path("/work/recording")


def config(**overrides) -> ChannelConfig:
    settings = {
        "channel_arn": "arn:aws:ivs:us-east-1:123456789012:channel/AbCdef1G2hij",
        "channel_name": "live",
        "recordings_bucket": "recordings",
        "live_dir": Path("/srv/live"),
        "work_dir": Path("/work"),
        "playback_base_url": "http://127.0.0.1:8000/live",
    }
    return ChannelConfig(**(settings | overrides))


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def tee_outputs(argv: list[str]) -> tuple[str, str]:
    live, recording = option(argv, "tee").split("|")
    return live, recording


def test_the_encode_is_what_chromium_plays_with_a_keyframe_per_segment():
    argv = build_command("ffmpeg", config(segment_seconds=2), RECORDING)
    assert option(argv, "-c:v") == "libx264"
    assert option(argv, "-profile:v") == "baseline"
    assert option(argv, "-level:v") == "3.0"
    assert option(argv, "-preset") == "ultrafast"
    assert option(argv, "-tune") == "zerolatency"
    assert option(argv, "-force_key_frames") == "expr:gte(t,n_forced*2)"
    assert option(argv, "-c:a") == "aac"
    assert (option(argv, "-ar"), option(argv, "-ac")) == ("48000", "2")
    assert "format=pix_fmts=yuv420p:color_ranges=tv" in option(argv, "-filter_complex")


def test_the_live_output_is_a_sliding_window_and_the_recording_keeps_everything():
    live, recording = tee_outputs(build_command("ffmpeg", config(), RECORDING))
    assert "hls_time=2" in live
    assert "hls_list_size=6" in live
    assert "delete_segments" in live
    # Staged where nobody serves it: the segments are published once their cues are in.
    assert live.endswith("]/work/live/360p30/playlist.m3u8")
    assert "hls_list_size=0" in recording
    assert "hls_playlist_type=event" in recording
    assert "delete_segments" not in recording
    assert recording.endswith("]/work/recording/media/hls/360p30/playlist.m3u8")
    assert "hls_segment_filename=/work/recording/media/hls/360p30/%d.ts" in recording


def test_thumbnails_are_a_jpeg_every_interval_in_the_recording():
    argv = build_command("ffmpeg", config(thumbnail_interval_seconds=10), RECORDING)
    assert "[th]fps=1/10[thumbs]" in option(argv, "-filter_complex")
    assert argv[-1] == "/work/recording/media/thumbnails/thumb%d.jpg"
    assert option(argv, "-start_number") == "0"


def test_the_test_pattern_runs_in_real_time_with_a_clock_when_a_font_exists():
    font = Path("/fonts/Sans.ttf")
    argv = build_command("ffmpeg", config(source=PatternSource("Maison Lune!")), RECORDING, font)
    assert argv[argv.index("-f") - 1] == "-re"
    assert option(argv, "-f") == "lavfi"
    assert "testsrc2=size=640x360:rate=30" in option(argv, "-i")
    graph = option(argv, "-filter_complex")
    assert "drawtext=fontfile='/fonts/Sans.ttf'" in graph
    assert "text='Maison Lune %{localtime" in graph  # quotes and the like are dropped
    no_font = build_command("ffmpeg", config(), RECORDING, None)
    assert "drawtext" not in option(no_font, "-filter_complex")


def test_the_rtmp_ingest_listens_and_fits_any_picture_into_the_rendition():
    source = RtmpSource(port=1936, stream_key="sk_abc", host="0.0.0.0")
    argv = build_command("ffmpeg", config(source=source), RECORDING)
    assert option(argv, "-listen") == "1"
    assert option(argv, "-i") == "rtmp://0.0.0.0:1936/app/sk_abc"
    assert "-re" not in argv  # the publisher sets the pace
    graph = option(argv, "-filter_complex")
    assert "scale=640:360:force_original_aspect_ratio=decrease" in graph
    assert "fps=30" in graph
    assert "0:a:0?" in argv  # a publisher without audio still broadcasts


def test_paths_that_would_break_the_tee_syntax_are_refused():
    with pytest.raises(ValueError, match="cannot write under"):
        build_command("ffmpeg", config(work_dir=Path("/srv/work|x")), RECORDING)
