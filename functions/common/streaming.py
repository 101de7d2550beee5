"""The streaming port: what Vitrine asks of the video service.

`IvsStreaming` is the one adapter, in AWS and locally alike: the local runtime serves IVS's
control API (local/ivs/api.py) and points boto3 at it with `AWS_ENDPOINT_URL_IVS`. Handlers
take a `StreamingService` as a parameter, so unit tests pass an in-memory fake."""

import json
from collections.abc import Callable
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


class NoIngestEndpoint(RuntimeError):
    """The channel takes no encoder right now: IVS describes it without an ingest endpoint."""


class StreamingUnavailable(RuntimeError):
    """IVS refused a call or could not be reached; the message names the call and the error."""


class StreamState(StrEnum):
    LIVE = "LIVE"
    OFFLINE = "OFFLINE"


@dataclass(frozen=True, slots=True)
class StreamInfo:
    state: StreamState
    stream_id: str | None = None
    playback_url: str | None = None
    started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IngestDetails:
    """Where the host's encoder (OBS, a phone app) publishes: its server and stream key."""

    server: str  # rtmps://<ingest endpoint>:443/app/
    stream_key: str  # a secret: whoever holds it can broadcast on the channel


class StreamingService(Protocol):
    def put_metadata(self, channel_arn: str, payload: dict[str, Any]) -> None: ...

    def stream_info(self, channel_arn: str) -> StreamInfo: ...

    def stop_stream(self, channel_arn: str) -> None: ...


class IngestService(Protocol):
    def ingest(self, channel_arn: str, stream_key_arn: str) -> IngestDetails: ...


def ingest_server(endpoint: str) -> str:
    """The encoder's server for an ingest endpoint. IVS's is a bare host that takes RTMPS on
    443. An endpoint that names its own port is a plain-RTMP listener: the local stand-in's
    (local/ivs/api.py), which has no TLS."""
    if ":" in endpoint:
        return f"rtmp://{endpoint}/app/"
    return f"rtmps://{endpoint}:443/app/"


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

    def ingest(self, channel_arn: str, stream_key_arn: str) -> IngestDetails:
        """The channel's ingest server (GetChannel) and the value of its key (GetStreamKey).
        Raises NoIngestEndpoint when the channel has none, StreamingUnavailable when IVS
        refuses a call (no such resource, access denied) or cannot be reached."""
        ivs = self._ivs
        channel = _read("GetChannel", lambda: ivs.get_channel(arn=channel_arn))["channel"]
        endpoint = channel.get("ingestEndpoint")
        if not endpoint:
            raise NoIngestEndpoint(channel_arn)
        key = _read("GetStreamKey", lambda: ivs.get_stream_key(arn=stream_key_arn))
        return IngestDetails(ingest_server(endpoint), key["streamKey"]["value"])


def _read(operation: str, call: Callable[[], Any]) -> Any:
    """The answer of a read-only IVS call; any failure of it as StreamingUnavailable."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code") or "an error"
        raise StreamingUnavailable(f"IVS {operation} answered {code}") from error
    except BotoCoreError as error:
        raise StreamingUnavailable(f"IVS {operation} could not be reached: {error}") from error
