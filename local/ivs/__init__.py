"""The local stand-in for Amazon IVS behind `make dev` (DESIGN.md §8).

ffmpeg (from the imageio-ffmpeg wheel) turns a test pattern or an RTMP ingest into a live HLS
stream, records it into S3 in IVS's auto-record layout, and the channel emits IVS's EventBridge
events and serves `StreamingService` (timed metadata, stream state).

- config.py: what to broadcast (PatternSource, RtmpSource), the rendition, where to write;
- channel.py: LocalIvsChannel, the lifecycle and the StreamingService methods;
- ffmpeg.py / process.py: the ffmpeg command line, and running it without leaving orphans;
- playlists.py, recording.py, notifications.py, identifiers.py, throttle.py: pure logic
  (HLS text, the S3 layout and metadata files, event shapes, ids, the PutMetadata quota);
- storage.py / eventbridge.py: the S3 upload and the PutEvents helper."""

from local.ivs.channel import LocalIvsChannel
from local.ivs.config import ChannelConfig, PatternSource, Rendition, RtmpSource
from local.ivs.errors import (
    ChannelNotBroadcasting,
    FfmpegFailed,
    LocalIvsError,
    PortInUse,
    ResourceNotFoundException,
    ThrottlingException,
)
from local.ivs.eventbridge import eventbridge_publisher, publish_event

__all__ = [
    "ChannelConfig",
    "ChannelNotBroadcasting",
    "FfmpegFailed",
    "LocalIvsChannel",
    "LocalIvsError",
    "PatternSource",
    "PortInUse",
    "Rendition",
    "ResourceNotFoundException",
    "RtmpSource",
    "ThrottlingException",
    "eventbridge_publisher",
    "publish_event",
]
