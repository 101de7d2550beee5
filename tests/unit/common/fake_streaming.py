"""An in-memory `StreamingService` for handler unit tests: no boto3, no sockets."""

from typing import Any

from functions.common.streaming import (
    ChannelOffline,
    MetadataThrottled,
    StreamInfo,
    StreamingService,
    StreamState,
    encode_metadata,
)


class FakeStreaming:
    """A channel is offline until `go_live`; accepted cues are kept in `cues`, in order.
    `throttled` calls to put_metadata are refused first, as IVS refuses a 6th cue a second."""

    def __init__(self, playback_url: str = "https://live.example/master.m3u8") -> None:
        self.playback_url = playback_url
        self.cues: list[tuple[str, dict[str, Any]]] = []
        self.throttled = 0
        self.refused = 0
        self._streams: dict[str, str] = {}  # channel ARN -> stream id

    def go_live(self, channel_arn: str, stream_id: str = "st-fake") -> None:
        self._streams[channel_arn] = stream_id

    def put_metadata(self, channel_arn: str, payload: dict[str, Any]) -> None:
        encode_metadata(payload)  # the adapter's 1 KB limit, MetadataTooLarge
        if channel_arn not in self._streams:
            raise ChannelOffline(channel_arn)
        if self.refused < self.throttled:
            self.refused += 1
            raise MetadataThrottled(channel_arn)
        self.cues.append((channel_arn, payload))

    def stream_info(self, channel_arn: str) -> StreamInfo:
        stream_id = self._streams.get(channel_arn)
        if stream_id is None:
            return StreamInfo(StreamState.OFFLINE, playback_url=self.playback_url)
        return StreamInfo(StreamState.LIVE, stream_id, self.playback_url)

    def stop_stream(self, channel_arn: str) -> None:
        if self._streams.pop(channel_arn, None) is None:
            raise ChannelOffline(channel_arn)


_conforms: type[StreamingService] = FakeStreaming  # mypy: the fake keeps up with the port
