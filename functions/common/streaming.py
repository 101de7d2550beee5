"""The streaming port: what Vitrine asks of the video service.

In AWS the adapter is IVS; locally the same interface is served by the local IVS stand-in
(local/ivs/), so handlers never know which one they talk to."""

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from functions.common import aws

# IVS PutMetadata accepts at most 1 KB per call, 5 calls/s per channel.
MAX_METADATA_BYTES = 1024


class MetadataTooLarge(ValueError):
    pass


class StreamState(StrEnum):
    LIVE = "LIVE"
    OFFLINE = "OFFLINE"


@dataclass(frozen=True, slots=True)
class StreamInfo:
    state: StreamState
    stream_id: str | None = None
    playback_url: str | None = None


class StreamingService(Protocol):
    def put_metadata(self, channel_arn: str, payload: dict) -> None: ...

    def stream_info(self, channel_arn: str) -> StreamInfo: ...


def encode_metadata(payload: dict) -> str:
    text = json.dumps(payload, separators=(",", ":"))
    if len(text.encode()) > MAX_METADATA_BYTES:
        raise MetadataTooLarge(f"timed metadata is {len(text.encode())} bytes, limit 1024")
    return text


class IvsStreaming:
    """Amazon IVS through boto3."""

    def put_metadata(self, channel_arn: str, payload: dict) -> None:
        aws.client("ivs").put_metadata(channelArn=channel_arn, metadata=encode_metadata(payload))

    def stream_info(self, channel_arn: str) -> StreamInfo:
        ivs = aws.client("ivs")
        playback_url = ivs.get_channel(arn=channel_arn)["channel"].get("playbackUrl")
        try:
            stream = ivs.get_stream(channelArn=channel_arn)["stream"]
        except ivs.exceptions.ChannelNotBroadcasting:
            return StreamInfo(StreamState.OFFLINE, playback_url=playback_url)
        return StreamInfo(StreamState(stream["state"]), stream.get("streamId"), playback_url)


_service: StreamingService | None = None


def streaming_service() -> StreamingService:
    """The process's streaming adapter: IVS unless the local runtime installed its stand-in."""
    global _service
    if _service is None:
        _service = IvsStreaming()
    return _service


def use_streaming_service(service: StreamingService) -> None:
    global _service
    _service = service
