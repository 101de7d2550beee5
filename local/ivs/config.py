"""What a local channel broadcasts, how it encodes it and where it writes."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from local.cloudformation.template import Template

# H.264 levels (Table A-1): (level_idc, max macroblocks per second, max macroblocks per frame).
_H264_LEVELS = ((30, 40_500, 1_620), (31, 108_000, 3_600), (40, 245_760, 8_192))


@dataclass(frozen=True, slots=True)
class Rendition:
    """The one rendition the stand-in produces. Chromium's MSE, hence the IVS web player, plays
    H.264 Constrained Baseline yuv420p + AAC-LC 48 kHz stereo in MPEG-TS everywhere."""

    width: int = 640
    height: int = 360
    fps: int = 30
    video_kbps: int = 800
    audio_kbps: int = 96

    @property
    def name(self) -> str:
        """IVS's rendition folder name: `360p30`."""
        return f"{self.height}p{self.fps}"

    @property
    def level_idc(self) -> int:
        """The smallest H.264 level that fits the picture size and frame rate."""
        frame_mbs = -(-self.width // 16) * -(-self.height // 16)
        for level, max_mbs_per_second, max_frame_mbs in _H264_LEVELS:
            if frame_mbs <= max_frame_mbs and frame_mbs * self.fps <= max_mbs_per_second:
                return level
        raise ValueError(f"{self.width}x{self.height}@{self.fps} is too large for the stand-in")

    @property
    def codecs(self) -> str:
        """RFC 6381 codecs: Constrained Baseline (42, constraint flags c0) and AAC-LC."""
        return f"avc1.42c0{self.level_idc:02x},mp4a.40.2"

    @property
    def bandwidth(self) -> int:
        """Peak bits per second for the master playlist, with 10% for MPEG-TS overhead."""
        return (self.video_kbps + self.audio_kbps) * 1100


@dataclass(frozen=True, slots=True)
class PatternSource:
    """A generated test pattern with a burnt-in clock and a beeping tone: always live."""

    brand_name: str = "Vitrine"


@dataclass(frozen=True, slots=True)
class RtmpSource:
    """An RTMP ingest that OBS or a phone app publishes to. The broadcast starts when a
    publisher connects and ends when it disconnects; the listener then waits for the next.
    Like IVS, the path is `app/<stream key>`; unlike IVS, ffmpeg does not enforce the key."""

    port: int = 1935
    stream_key: str = "local"
    host: str = "127.0.0.1"  # 0.0.0.0 lets a phone on the same network publish

    @property
    def url(self) -> str:
        return f"rtmp://{self.host}:{self.port}/app/{self.stream_key}"


type Source = PatternSource | RtmpSource


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """One local channel. `live_dir` is served as static files by the gateway at
    `playback_base_url`; `work_dir` holds the ffmpeg log and the recording in progress."""

    channel_arn: str
    channel_name: str
    recordings_bucket: str
    live_dir: Path
    work_dir: Path
    playback_base_url: str
    source: Source = field(default_factory=PatternSource)
    rendition: Rendition = field(default_factory=Rendition)
    segment_seconds: int = 2
    live_window_segments: int = 6
    thumbnail_interval_seconds: int = 10  # what the CDK recording configuration asks of IVS
    ffmpeg_exe: str | None = None  # None: the binary shipped in the imageio-ffmpeg wheel
    ffmpeg_loglevel: str = "warning"
    # After a StopStream the test pattern "encoder" reconnects, as OBS's automatic reconnect
    # does, so `make dev` has a live stream again for the next show; None: it stays offline.
    pattern_reconnect_seconds: float | None = 3.0
    # What GetChannel reports; the runtime copies them from the template's AWS::IVS::Channel.
    latency_mode: str = "LOW"
    channel_type: str = "STANDARD"
    recording_configuration_arn: str = ""


def channel_config(
    template: "Template", *, source: Source, work_dir: Path, playback_base_url: str
) -> ChannelConfig:
    """The template's one IVS channel, recording where its recording configuration says."""
    channel = next(template.of_type("AWS::IVS::Channel"))
    recording = next(template.of_type("AWS::IVS::RecordingConfiguration"), None)
    bucket, recording_arn = "", ""
    if recording is not None:
        destination = recording.properties["DestinationConfiguration"]["S3"]["BucketName"]
        bucket = str(template.resolve(destination))
        recording_arn = str(template.resolve({"Ref": recording.logical_id}))
    return ChannelConfig(
        channel_arn=str(template.resolve({"Ref": channel.logical_id})),
        channel_name=channel.properties.get("Name", channel.logical_id),
        recordings_bucket=bucket,
        live_dir=work_dir / "live",
        work_dir=work_dir / "ivs",
        playback_base_url=playback_base_url,
        source=source,
        latency_mode=channel.properties.get("LatencyMode", "LOW"),
        channel_type=channel.properties.get("Type", "STANDARD"),
        recording_configuration_arn=recording_arn,
    )
