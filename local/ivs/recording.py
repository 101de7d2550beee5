"""IVS auto-record to S3: the key layout and the metadata files, as documented in
"IVS Auto-Record to Amazon S3" (low-latency streaming user guide).

    ivs/v1/<account>/<channel_id>/<yyyy>/<m>/<d>/<h>/<mm>/<recording_id>/
        events/recording-started.json, recording-ended.json (or recording-failed.json)
        media/hls/master.m3u8, media/hls/<rendition>/playlist.m3u8 + <n>.ts
        media/thumbnails/thumb<n>.jpg, media/latest_thumbnail/thumb.jpg
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from local.ivs.config import Rendition
from local.ivs.identifiers import ChannelArn, new_recording_id, new_recording_session_id
from local.ivs.playlists import MASTER_PLAYLIST, RENDITION_PLAYLIST

HLS_PATH = "media/hls"
THUMBNAILS_PATH = "media/thumbnails"
LATEST_THUMBNAIL_PATH = "media/latest_thumbnail/thumb.jpg"
STARTED_FILE = "events/recording-started.json"
ENDED_FILE = "events/recording-ended.json"
FAILED_FILE = "events/recording-failed.json"


class RecordingFileStatus(StrEnum):
    STARTED = "RECORDING_STARTED"
    ENDED = "RECORDING_ENDED"
    FAILED = "RECORDING_ENDED_WITH_FAILURE"


@dataclass(frozen=True, slots=True)
class RecordingSession:
    """Where one broadcast's recording goes; fixed when the stream starts, like IVS's."""

    bucket: str
    prefix: str
    recording_id: str
    session_id: str
    started_at: datetime

    @classmethod
    def begin(cls, channel: ChannelArn, bucket: str, started_at: datetime) -> "RecordingSession":
        recording_id = new_recording_id()
        return cls(
            bucket=bucket,
            prefix=recording_prefix(channel, started_at, recording_id),
            recording_id=recording_id,
            session_id=new_recording_session_id(),
            started_at=started_at,
        )

    def key(self, relative_path: str) -> str:
        return f"{self.prefix}/{relative_path}"


def recording_prefix(channel: ChannelArn, started_at: datetime, recording_id: str) -> str:
    """`ivs/v1/123456789012/AsXego4U6tnj/2020/6/23/20/12/j8Z9O91ndcVs`: the UTC start time
    with month, day and hour unpadded and minutes padded, as IVS writes them."""
    at = started_at.astimezone(UTC)
    return (
        f"ivs/v1/{channel.account}/{channel.channel_id}/"
        f"{at.year}/{at.month}/{at.day}/{at.hour}/{at.minute:02d}/{recording_id}"
    )


def rfc3339(at: datetime) -> str:
    """IVS's timestamp format: UTC, whole seconds, `Z` (2020-06-23T20:12:36Z)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def recording_metadata(
    channel_arn: str,
    rendition: Rendition,
    status: RecordingFileStatus,
    started_at: datetime,
    *,
    ended_at: datetime | None = None,
    duration_ms: int | None = None,
    status_message: str | None = None,
) -> dict[str, Any]:
    """The body of events/recording-{started,ended,failed}.json.

    IVS also lists byte-range playlists; the stand-in writes none, so it does not name any."""
    size = {"resolution_height": rendition.height, "resolution_width": rendition.width}
    hls: dict[str, Any] = {"path": HLS_PATH, "playlist": MASTER_PLAYLIST}
    if duration_ms is not None:
        hls["duration_ms"] = duration_ms
    hls["renditions"] = [{"path": rendition.name, "playlist": RENDITION_PLAYLIST} | size]
    document: dict[str, Any] = {"version": "v1", "channel_arn": channel_arn}
    if ended_at is not None:
        document["recording_ended_at"] = rfc3339(ended_at)
    document |= {"recording_started_at": rfc3339(started_at), "recording_status": status.value}
    if status_message is not None:
        document["recording_status_message"] = status_message
    document["media"] = {
        "hls": hls,
        "thumbnails": {"path": THUMBNAILS_PATH} | size,
        "latest_thumbnail": {"path": LATEST_THUMBNAIL_PATH} | size,
    }
    return document
