"""The local stand-in for Amazon IVS behind `make dev` (docs/architecture.md §3).

ffmpeg (from the imageio-ffmpeg wheel) turns a test pattern or an RTMP ingest into a live HLS
stream, records it into S3 in IVS's auto-record layout, and the channel emits IVS's EventBridge
events and answers IVS's control API (timed metadata, stream state, StopStream). PutMetadata's
cues go into the video as IVS puts them: ID3 in the HLS segments, live and recorded, raised by
the IVS web player as TEXT_METADATA_CUE.

- config.py: what to broadcast (PatternSource, RtmpSource), the rendition, where to write;
- channel.py: LocalIvsChannel, the façade: lifecycle, the broadcast, the IVS API methods;
- api.py: the IVS control API (PutMetadata, GetStream, GetChannel, StopStream) as routes;
- supervisor.py: one thread that launches, watches and relaunches ffmpeg, and publishes its
  segments;
- timed_metadata.py: each segment published with the cues due in it (the live HLS, the
  recording); id3.py / mpegts.py: the ID3 tag and the transport stream rewrite, pure bytes;
- recorder.py / events.py: the recording left in S3, the IVS events handed to `on_event`;
- ffmpeg.py / process.py: the ffmpeg command line, and running it without leaving orphans;
- playlists.py, recording.py, notifications.py, identifiers.py, throttle.py: pure logic
  (HLS text, the S3 layout and metadata files, event shapes, ids, the PutMetadata quota);
- storage.py / eventbridge.py: the S3 upload and the PutEvents helper."""

from local.ivs.api import ivs_api_routes
from local.ivs.channel import LocalIvsChannel
from local.ivs.config import ChannelConfig, PatternSource, Rendition, RtmpSource
from local.ivs.errors import (
    ChannelNotBroadcasting,
    FfmpegFailed,
    IvsApiError,
    LocalIvsError,
    PortInUse,
    ResourceNotFoundException,
    ThrottlingException,
    ValidationException,
)
from local.ivs.eventbridge import eventbridge_publisher, publish_event

__all__ = [
    "ChannelConfig",
    "ChannelNotBroadcasting",
    "FfmpegFailed",
    "IvsApiError",
    "LocalIvsChannel",
    "LocalIvsError",
    "PatternSource",
    "PortInUse",
    "Rendition",
    "ResourceNotFoundException",
    "RtmpSource",
    "ThrottlingException",
    "ValidationException",
    "eventbridge_publisher",
    "ivs_api_routes",
    "publish_event",
]
