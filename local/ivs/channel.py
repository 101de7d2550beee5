"""LocalIvsChannel: one IVS channel on this machine, the façade over three jobs:

- supervisor.py runs ffmpeg (launch, watch, relaunch) and reports when it is live and exits;
- recorder.py leaves each broadcast's recording in S3 in IVS's layout;
- events.py emits IVS's Stream and Recording State Change events.

The channel holds the one state they share, the broadcast in progress, and answers the IVS
control API that api.py serves (PutMetadata, GetStream, StopStream). PutMetadata's cues go
into the video, as in IVS: timed_metadata.py writes them into the live and recorded HLS."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from functions.common.streaming import MAX_METADATA_BYTES, StreamInfo, StreamState
from local.ivs.config import ChannelConfig, RtmpSource
from local.ivs.errors import (
    ChannelNotBroadcasting,
    ResourceNotFoundException,
    ThrottlingException,
    ValidationException,
)
from local.ivs.events import ChannelEvents
from local.ivs.identifiers import ChannelArn, new_stream_id
from local.ivs.notifications import IvsEvent, RecordingEvent, StreamEvent
from local.ivs.playlists import MASTER_PLAYLIST, master_playlist
from local.ivs.recorder import Recorder, RecordingFailed
from local.ivs.recording import RecordingSession
from local.ivs.storage import ObjectStore
from local.ivs.supervisor import FfmpegSupervisor
from local.ivs.throttle import SlidingWindowLimit

log = logging.getLogger("vitrine.local.ivs")


@dataclass
class _Broadcast:
    """The stream in progress: from the first live segment to ffmpeg's exit."""

    stream_id: str
    started_at: datetime
    recording: RecordingSession | None = None  # None when the recording failed to start


class LocalIvsChannel:
    """The local stand-in for an Amazon IVS channel.

    Blocking: `start()` returns once ffmpeg has survived its first half second (it raises
    PortInUse or FfmpegFailed otherwise); `stop()` waits for ffmpeg to finish its files and for
    the recording upload (a few seconds). From asyncio, call both with `asyncio.to_thread`.
    The IVS API methods (`put_metadata`, `stream_info`, `stop_stream`) never block; they raise
    the `IvsApiError`s IVS answers. All methods are thread-safe.

    `on_event(event)` receives each IVS EventBridge event on the supervisor thread; use
    `loop.call_soon_threadsafe` to hand it to an event loop."""

    def __init__(
        self,
        config: ChannelConfig,
        *,
        s3_client: ObjectStore,
        on_event: Callable[[IvsEvent], Any] | None = None,
    ) -> None:
        self.config = config
        self._channel = ChannelArn.parse(config.channel_arn)
        self._lock = threading.Lock()
        self._broadcast: _Broadcast | None = None
        self._metadata_limit = SlidingWindowLimit(limit=5, window_seconds=1.0)
        self._live = threading.Event()
        recording_dir = config.work_dir / "recording"
        self._events = ChannelEvents(self._channel, config.channel_name, on_event)
        self._recorder = Recorder(config, s3_client, recording_dir)
        self._supervisor = FfmpegSupervisor(
            config,
            recording_dir,
            on_live=self._begin_broadcast,
            on_exit=self._end_broadcast,
            name=f"local-ivs-{self._channel.channel_id}",
        )

    # --- where things are ---------------------------------------------------------------

    @property
    def live_dir(self) -> Path:
        """The directory to serve as static files (at `playback_base_url`)."""
        return self.config.live_dir

    @property
    def playlist_path(self) -> str:
        """The live playlist, relative to `live_dir` and to `playback_base_url`."""
        return MASTER_PLAYLIST

    @property
    def playback_url(self) -> str:
        return f"{self.config.playback_base_url.rstrip('/')}/{MASTER_PLAYLIST}"

    @property
    def ingest_url(self) -> str | None:
        source = self.config.source
        return source.url if isinstance(source, RtmpSource) else None

    @property
    def log_path(self) -> Path:
        return self._supervisor.log_path

    @property
    def ffmpeg_pid(self) -> int | None:
        return self._supervisor.pid

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        self._supervisor.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Ends the broadcast (Stream End), uploads its recording (Recording End), stops ffmpeg."""
        self._supervisor.stop(timeout)

    def wait_until_live(self, timeout: float) -> bool:
        return self._live.wait(timeout)

    def __enter__(self) -> "LocalIvsChannel":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- the IVS control API ------------------------------------------------------------

    def require_channel(self, channel_arn: str, operation: str) -> None:
        if channel_arn != self.config.channel_arn:
            raise ResourceNotFoundException(
                f"No channel {channel_arn}; the local channel is {self.config.channel_arn}",
                operation,
            )

    def put_metadata(self, channel_arn: str, metadata: str) -> None:
        """Like IVS PutMetadata: 1 to 1024 bytes (ValidationException), only while live
        (ChannelNotBroadcasting), ≤5 calls/s per channel (ThrottlingException). The cue goes
        into the stream at the frame live now: an ID3 TXXX frame that the IVS player raises
        as TEXT_METADATA_CUE when its playhead gets there, live and in the recording."""
        self.require_channel(channel_arn, "PutMetadata")
        size = len(metadata.encode())
        if not 0 < size <= MAX_METADATA_BYTES:
            raise ValidationException(
                f"metadata is {size} bytes; it must be 1 to {MAX_METADATA_BYTES}", "PutMetadata"
            )
        with self._lock:
            if self._broadcast is None:
                raise ChannelNotBroadcasting("The channel is not live", "PutMetadata")
            if not self._metadata_limit.try_acquire():
                raise ThrottlingException(
                    "PutMetadata is limited to 5 calls per second per channel", "PutMetadata"
                )
        if not self._supervisor.put_metadata(metadata):  # ffmpeg ended a moment ago
            raise ChannelNotBroadcasting("The channel is not live", "PutMetadata")

    def stream_info(self, channel_arn: str) -> StreamInfo:
        self.require_channel(channel_arn, "GetStream")
        with self._lock:
            broadcast = self._broadcast
        if broadcast is None:
            return StreamInfo(StreamState.OFFLINE, playback_url=self.playback_url)
        return StreamInfo(
            StreamState.LIVE, broadcast.stream_id, self.playback_url, broadcast.started_at
        )

    def stop_stream(self, channel_arn: str) -> None:
        """Like IVS StopStream: disconnects the encoder and returns. The broadcast ends (Stream
        End) and its recording is finalized a moment later on the supervisor thread. The RTMP
        ingest then listens for the next publisher; the test pattern reconnects after
        `config.pattern_reconnect_seconds`, as a new stream."""
        self.require_channel(channel_arn, "StopStream")
        with self._lock:
            if self._broadcast is None:
                raise ChannelNotBroadcasting("The channel is not live", "StopStream")
        self._supervisor.disconnect()

    # --- what the supervisor reports ----------------------------------------------------

    def _begin_broadcast(self) -> None:
        config, now = self.config, datetime.now(UTC)
        broadcast = _Broadcast(stream_id=new_stream_id(), started_at=now)
        _write_atomically(config.live_dir / MASTER_PLAYLIST, master_playlist(config.rendition))
        with self._lock:
            self._broadcast = broadcast
            self._metadata_limit.reset()
        self._live.set()
        log.info("local IVS live: %s (%s)", self.playback_url, broadcast.stream_id)
        self._events.stream(StreamEvent.STREAM_START, broadcast.stream_id, now)
        recording = RecordingSession.begin(self._channel, config.recordings_bucket, now)
        try:
            self._recorder.start(recording)
        except RecordingFailed as failure:
            self._events.recording(
                RecordingEvent.RECORDING_START_FAILURE,
                broadcast.stream_id,
                recording,
                reason=failure.reason,
            )
            return
        broadcast.recording = recording
        self._events.recording(RecordingEvent.RECORDING_START, broadcast.stream_id, recording)

    def _end_broadcast(self) -> None:
        with self._lock:
            broadcast, self._broadcast = self._broadcast, None
        self._live.clear()
        if broadcast is None:
            return
        (self.config.live_dir / MASTER_PLAYLIST).unlink(missing_ok=True)
        self._events.stream(StreamEvent.STREAM_END, broadcast.stream_id, datetime.now(UTC))
        recording = broadcast.recording
        if recording is None:
            return
        try:
            duration = self._recorder.finish(recording, datetime.now(UTC))
        except RecordingFailed as failure:
            self._events.recording(
                RecordingEvent.RECORDING_END_FAILURE,
                broadcast.stream_id,
                recording,
                duration_ms=failure.duration_ms,
                reason=failure.reason,
            )
            return
        self._events.recording(
            RecordingEvent.RECORDING_END, broadcast.stream_id, recording, duration_ms=duration
        )


def _write_atomically(path: Path, text: str) -> None:
    """The gateway may serve `path` at any moment: never let it read half a file."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    temporary.replace(path)
