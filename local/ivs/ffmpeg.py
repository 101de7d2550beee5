"""The ffmpeg command line of one broadcast: one encode, three outputs.

    source ─▶ H.264 + AAC ─┬─▶ live HLS      <work_dir>/live/<rendition>/ (sliding window)
                           └─▶ recording HLS <recording_dir>/media/hls/<rendition>/ (every segment)
           └▶ JPEG every N s ─▶ <recording_dir>/media/thumbnails/thumb<n>.jpg

The tee muxer writes the same encoded packets twice, so recording costs no extra CPU. The live
HLS is staged: timed_metadata.py adds the cues to each segment as it closes and publishes it,
with the playlist, in <live_dir>/<rendition>/, which the gateway serves."""

import re
from pathlib import Path

from local.ivs.config import ChannelConfig, PatternSource, Rendition, RtmpSource, Source
from local.ivs.playlists import RENDITION_PLAYLIST
from local.ivs.recording import HLS_PATH, THUMBNAILS_PATH

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/System/Library/Fonts/Supplemental/Arial.ttf"),
)
# Characters with a meaning in the tee muxer's or the hls muxer's syntax.
_UNSAFE_PATH = re.compile(r"[:|\[\]\\'%]")


def ffmpeg_exe(configured: str | None) -> str:
    if configured:
        return configured
    import imageio_ffmpeg

    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


def find_font() -> Path | None:
    """A TrueType font for the burnt-in clock; without one the pattern simply has no text."""
    return next((font for font in FONT_CANDIDATES if font.is_file()), None)


def live_rendition_dir(config: ChannelConfig) -> Path:
    """The live HLS the gateway serves, as published with its timed metadata."""
    return config.live_dir / config.rendition.name


def encoder_live_dir(config: ChannelConfig) -> Path:
    """The live HLS as ffmpeg writes it, before its timed metadata: served by nobody."""
    return config.work_dir / "live" / config.rendition.name


def recording_rendition_dir(config: ChannelConfig, recording_dir: Path) -> Path:
    return recording_dir / HLS_PATH / config.rendition.name


def build_command(
    exe: str, config: ChannelConfig, recording_dir: Path, font: Path | None = None
) -> list[str]:
    rendition = config.rendition
    video_graph = _video_graph(config.source, rendition, config.thumbnail_interval_seconds, font)
    audio = "0:a" if isinstance(config.source, PatternSource) else "0:a:0?"
    thumbnails = recording_dir / THUMBNAILS_PATH / "thumb%d.jpg"
    return [
        exe,
        *("-hide_banner", "-nostdin", "-nostats", "-y", "-loglevel", config.ffmpeg_loglevel),
        *_input(config.source, rendition),
        *("-filter_complex", video_graph, "-map", "[live]", "-map", audio),
        *_encoder(rendition, config.segment_seconds),
        *("-f", "tee", _tee(config, recording_dir)),
        *("-map", "[thumbs]", "-c:v", "mjpeg", "-q:v", "5"),
        *("-f", "image2", "-start_number", "0", str(thumbnails)),
    ]


def _input(source: Source, rendition: Rendition) -> list[str]:
    if isinstance(source, RtmpSource):
        # rw_timeout ends the broadcast when a publisher vanishes without closing its socket;
        # it does not apply while the listener waits for a publisher.
        return ["-rw_timeout", "5000000", "-listen", "1", "-i", source.url]
    # One lavfi input with both streams: two separately paced (-re) inputs drift apart.
    pattern = (
        f"testsrc2=size={rendition.width}x{rendition.height}:rate={rendition.fps}[out0];"
        "sine=frequency=440:beep_factor=4:sample_rate=48000[out1]"
    )
    return ["-re", "-f", "lavfi", "-i", pattern]


def _video_graph(source: Source, rendition: Rendition, interval: int, font: Path | None) -> str:
    width, height = rendition.width, rendition.height
    if isinstance(source, RtmpSource):
        # Whatever the publisher sends is letterboxed into the rendition at a constant rate.
        shape = (
            f"[0:v:0]scale={width}:{height}:force_original_aspect_ratio=decrease,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={rendition.fps},"
        )
    else:
        shape = "[0:v]" + (_clock_overlay(source.brand_name, font) + "," if font else "")
    # Limited range pinned before the split: otherwise the JPEG encoder's preference for full
    # range spreads through it and the H.264 becomes yuvj420p, which browsers handle poorly.
    return (
        f"{shape}format=pix_fmts=yuv420p:color_ranges=tv,split=2[live][th];"
        f"[th]fps=1/{interval}[thumbs]"
    )


def _clock_overlay(brand_name: str, font: Path) -> str:
    brand = re.sub(r"[^A-Za-z0-9 ._-]", "", brand_name)[:40]
    return (
        f"drawtext=fontfile='{font}':text='{brand} %{{localtime\\:%T}}'"
        ":x=24:y=h-th-24:fontsize=32:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8"
    )


def _encoder(rendition: Rendition, segment_seconds: int) -> list[str]:
    video_kbps = rendition.video_kbps
    return [
        *("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency"),
        *("-profile:v", "baseline", "-level:v", f"{rendition.level_idc / 10:.1f}"),
        *("-b:v", f"{video_kbps}k", "-maxrate", f"{video_kbps}k", "-bufsize", f"{2 * video_kbps}k"),
        # A keyframe at every segment boundary: each segment starts playable on its own.
        *("-force_key_frames", f"expr:gte(t,n_forced*{segment_seconds})", "-sc_threshold", "0"),
        *("-c:a", "aac", "-b:a", f"{rendition.audio_kbps}k", "-ar", "48000", "-ac", "2"),
    ]


def _tee(config: ChannelConfig, recording_dir: Path) -> str:
    live = _safe(encoder_live_dir(config))
    recording = _safe(recording_rendition_dir(config, recording_dir))
    common = f"f=hls:hls_time={config.segment_seconds}"
    # temp_file: a segment only appears under its final name once complete, for the gateway
    # and the uploader. Live segment numbers start at the epoch second, so they never repeat
    # from one broadcast to the next (no stale cached segment in a viewer's browser).
    live_options = (
        f"{common}:hls_list_size={config.live_window_segments}"
        ":hls_flags=delete_segments+independent_segments+program_date_time+temp_file"
        f":hls_start_number_source=epoch:hls_segment_filename={live}/%d.ts"
    )
    recording_options = (
        f"{common}:hls_list_size=0:hls_playlist_type=event"
        ":hls_flags=independent_segments+program_date_time+temp_file"
        f":hls_segment_filename={recording}/%d.ts"
    )
    return (
        f"[{live_options}]{live}/{RENDITION_PLAYLIST}"
        f"|[{recording_options}]{recording}/{RENDITION_PLAYLIST}"
    )


def _safe(path: Path) -> str:
    if _UNSAFE_PATH.search(str(path)):
        raise ValueError(f"the local IVS cannot write under {path}: it contains one of :|[]\\'%")
    return str(path)
