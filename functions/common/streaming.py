"""The streaming port: what Vitrine asks of the video service.

`IvsStreaming` is the one adapter, in AWS and locally alike: the local runtime serves IVS's
control API (local/ivs/api.py) and points boto3 at it with `AWS_ENDPOINT_URL_IVS`. Handlers
take a `StreamingService` as a parameter, so unit tests pass an in-memory fake."""

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from functions.common import aws

# IVS PutMetadata accepts at most 1 KB per call, 5 calls/s per channel.
MAX_METADATA_BYTES = 1024


class MetadataTooLarge(ValueError):
    pass


class MetadataThrottled(RuntimeError):
    """IVS refused the cue: more than 5 PutMetadata calls a second on the channel."""


class ChannelOffline(RuntimeError):
    """The channel is not broadcasting: there is no stream to put metadata into or to stop."""


class StreamState(StrEnum):
    LIVE = "LIVE"
    OFFLINE = "OFFLINE"


@dataclass(frozen=True, slots=True)
class StreamInfo:
    state: StreamState
    stream_id: str | None = None
    playback_url: str | None = None
    started_at: datetime | None = None


class StreamingService(Protocol):
    def put_metadata(self, channel_arn: str, payload: dict[str, Any]) -> None: ...

    def stream_info(self, channel_arn: str) -> StreamInfo: ...

    def stop_stream(self, channel_arn: str) -> None: ...


def encode_metadata(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, separators=(",", ":"))
    if len(text.encode()) > MAX_METADATA_BYTES:
        raise MetadataTooLarge(f"timed metadata is {len(text.encode())} bytes, limit 1024")
    return text


class IvsStreaming:
    """Amazon IVS through boto3. PutMetadata is not retried by boto3 here: a cue that waits
    is a cue for a moment already gone, so the caller decides (actions/show.py)."""

    def __init__(self, ivs_client: Any | None = None) -> None:
        self._ivs_client = ivs_client

    @property
    def _ivs(self) -> Any:
        # Resolved on first use: importing this module must not import boto3.
        return self._ivs_client or aws.client("ivs", max_attempts=1)

    def put_metadata(self, channel_arn: str, payload: dict[str, Any]) -> None:
        ivs = self._ivs
        try:
            ivs.put_metadata(channelArn=channel_arn, metadata=encode_metadata(payload))
        except ivs.exceptions.ChannelNotBroadcasting as error:
            raise ChannelOffline(channel_arn) from error
        except ivs.exceptions.ThrottlingException as error:
            raise MetadataThrottled(channel_arn) from error

    def stream_info(self, channel_arn: str) -> StreamInfo:
        ivs = self._ivs
        playback_url = ivs.get_channel(arn=channel_arn)["channel"].get("playbackUrl")
        try:
            stream = ivs.get_stream(channelArn=channel_arn)["stream"]
        except ivs.exceptions.ChannelNotBroadcasting:
            return StreamInfo(StreamState.OFFLINE, playback_url=playback_url)
        return StreamInfo(
            StreamState(stream["state"]),
            stream.get("streamId"),
            playback_url,
            stream.get("startTime"),
        )

    def stop_stream(self, channel_arn: str) -> None:
        """Disconnects the encoder, as IVS StopStream does; the stream ends a moment later
        (Stream End event). An encoder that reconnects starts a new stream."""
        ivs = self._ivs
        try:
            ivs.stop_stream(channelArn=channel_arn)
        except ivs.exceptions.ChannelNotBroadcasting as error:
            raise ChannelOffline(channel_arn) from error
