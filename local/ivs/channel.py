"""LocalIvsChannel: one IVS channel on this machine.

A supervisor thread owns ffmpeg: it launches it, notices the first live segment (Stream Start,
Recording Start), notices ffmpeg's exit however it happens (Stream End, then the recording is
finalized and uploaded: Recording End) and, for an RTMP ingest, listens again for the next
broadcast. Every ffmpeg is started and reaped by that one thread, which outlives it (see
process.py: ffmpeg dies with the thread that started it)."""

import logging
import shutil
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from functions.common.streaming import StreamInfo, StreamState, encode_metadata
from local.ivs.config import ChannelConfig, RtmpSource
from local.ivs.errors import (
    ChannelNotBroadcasting,
    FfmpegFailed,
    LocalIvsError,
    PortInUse,
    ResourceNotFoundException,
    ThrottlingException,
)
from local.ivs.ffmpeg import (
    build_command,
    ffmpeg_exe,
    find_font,
    live_rendition_dir,
    recording_rendition_dir,
)
from local.ivs.identifiers import ChannelArn, new_stream_id
from local.ivs.notifications import (
    RecordingEvent,
    StreamEvent,
    recording_state_change,
    stream_state_change,
)
from local.ivs.playlists import (
    MASTER_PLAYLIST,
    RENDITION_PLAYLIST,
    as_vod,
    duration_ms,
    master_playlist,
    media_segments,
)
from local.ivs.process import FfmpegProcess
from local.ivs.recording import (
    ENDED_FILE,
    FAILED_FILE,
    HLS_PATH,
    LATEST_THUMBNAIL_PATH,
    STARTED_FILE,
    THUMBNAILS_PATH,
    RecordingFileStatus,
    RecordingSession,
    recording_metadata,
)
from local.ivs.storage import ObjectStore, put_json, upload_directory
from local.ivs.throttle import SlidingWindowLimit

log = logging.getLogger("vitrine.local.ivs")

STARTUP_GRACE_SECONDS = 0.5  # an ffmpeg that dies this fast has a bad command, port or input
POLL_SECONDS = 0.2
STOP_GRACE_SECONDS = 5.0
RELAUNCH_PAUSE_SECONDS = 1.0
MAX_RELAUNCH_FAILURES = 3


@dataclass
class _Broadcast:
    """The stream in progress: from the first live segment to ffmpeg's exit."""

    stream_id: str
    started_at: datetime
    recording: RecordingSession | None = None  # None when the recording failed to start


class LocalIvsChannel:
    """The local stand-in for an Amazon IVS channel; implements `StreamingService`.

    Blocking: `start()` returns once ffmpeg has survived its first half second (it raises
    PortInUse or FfmpegFailed otherwise); `stop()` waits for ffmpeg to finish its files and for
    the recording upload (a few seconds). From asyncio, call both with `asyncio.to_thread`.
    `put_metadata` and `stream_info` never block. All methods are thread-safe.

    Callbacks: `on_event(event)` receives each IVS EventBridge event (dict) on the supervisor
    thread; `on_metadata(cue)` receives each accepted timed-metadata string on the caller's
    thread. Use `loop.call_soon_threadsafe` to hand them to an event loop."""

    def __init__(
        self,
        config: ChannelConfig,
        *,
        s3_client: ObjectStore,
        on_event: Callable[[dict], Any] | None = None,
        on_metadata: Callable[[str], Any] | None = None,
    ) -> None:
        self.config = config
        self._channel = ChannelArn.parse(config.channel_arn)
        self._s3 = s3_client
        self._on_event = on_event
        self._on_metadata = on_metadata
        self._lock = threading.Lock()
        self._broadcast: _Broadcast | None = None
        self._process: FfmpegProcess | None = None
        self._metadata_limit = SlidingWindowLimit(limit=5, window_seconds=1.0)
        self._live = threading.Event()
        self._stop_requested = threading.Event()
        self._supervisor: threading.Thread | None = None

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
        return self.config.work_dir / "ffmpeg.log"

    @property
    def ffmpeg_pid(self) -> int | None:
        with self._lock:
            return self._process.pid if self._process else None

    @property
    def _recording_dir(self) -> Path:
        return self.config.work_dir / "recording"

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        launched: Future[None] = Future()
        with self._lock:
            if self._supervisor is not None and self._supervisor.is_alive():
                raise LocalIvsError("the local IVS channel is already started")
            if isinstance(self.config.source, RtmpSource):
                _ensure_port_free(self.config.source)
            self._stop_requested.clear()
            self._supervisor = threading.Thread(
                target=self._supervise,
                args=(launched,),
                name=f"local-ivs-{self._channel.channel_id}",
                daemon=True,
            )
            self._supervisor.start()
        launched.result()  # re-raises the launch error in the caller

    def stop(self, timeout: float = 60.0) -> None:
        """Ends the broadcast (Stream End), uploads its recording (Recording End), stops ffmpeg."""
        self._stop_requested.set()
        supervisor = self._supervisor
        if supervisor is None or supervisor is threading.current_thread():
            return  # called from an on_event callback: the supervisor stops on its own
        supervisor.join(timeout)
        if supervisor.is_alive():
            log.warning("local IVS still finishing after %ss; see %s", timeout, self.log_path)

    def wait_until_live(self, timeout: float) -> bool:
        return self._live.wait(timeout)

    def __enter__(self) -> "LocalIvsChannel":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- StreamingService ---------------------------------------------------------------

    def put_metadata(self, channel_arn: str, payload: dict) -> None:
        """Like IVS PutMetadata: ≤1 KB (MetadataTooLarge), only while live
        (ChannelNotBroadcasting), ≤5 calls/s per channel (ThrottlingException)."""
        self._require_channel(channel_arn, "PutMetadata")
        cue = encode_metadata(payload)
        with self._lock:
            if self._broadcast is None:
                raise ChannelNotBroadcasting("The channel is not live", "PutMetadata")
            if not self._metadata_limit.try_acquire():
                raise ThrottlingException(
                    "PutMetadata is limited to 5 calls per second per channel", "PutMetadata"
                )
        if self._on_metadata is not None:
            try:
                self._on_metadata(cue)
            except Exception:
                log.exception("on_metadata failed for %s", cue)

    def stream_info(self, channel_arn: str) -> StreamInfo:
        self._require_channel(channel_arn, "GetStream")
        with self._lock:
            broadcast = self._broadcast
        if broadcast is None:
            return StreamInfo(StreamState.OFFLINE, playback_url=self.playback_url)
        return StreamInfo(StreamState.LIVE, broadcast.stream_id, self.playback_url)

    def _require_channel(self, channel_arn: str, operation: str) -> None:
        if channel_arn != self.config.channel_arn:
            raise ResourceNotFoundException(
                f"No channel {channel_arn}; the local channel is {self.config.channel_arn}",
                operation,
            )

    # --- the supervisor thread ----------------------------------------------------------

    def _supervise(self, launched: Future[None]) -> None:
        try:
            self._broadcast_until_stopped(launched)
        except Exception as error:
            if not launched.done():
                launched.set_exception(error)
            else:
                log.exception("local IVS supervisor failed; the channel is offline")
        finally:
            with self._lock:
                process, self._process, self._broadcast = self._process, None, None
            self._live.clear()
            if process is not None:
                process.stop(STOP_GRACE_SECONDS)  # never leave an ffmpeg behind

    def _broadcast_until_stopped(self, launched: Future[None]) -> None:
        failures = 0
        while not self._stop_requested.is_set():
            try:
                process = self._launch()
            except LocalIvsError as error:
                if not launched.done():
                    raise
                failures += 1
                log.error("local IVS could not relaunch ffmpeg (%s): %s", failures, error)
                if failures >= MAX_RELAUNCH_FAILURES:
                    return
                self._stop_requested.wait(RELAUNCH_PAUSE_SECONDS)
                continue
            failures = 0
            if not launched.done():
                launched.set_result(None)
            self._run(process)
            self._end_broadcast()
            if not isinstance(self.config.source, RtmpSource):
                return  # the test pattern ends only when stopped (or when ffmpeg crashed)

    def _launch(self) -> FfmpegProcess:
        config = self.config
        self._clear_live_output()
        shutil.rmtree(self._recording_dir, ignore_errors=True)
        for directory in (
            live_rendition_dir(config),
            recording_rendition_dir(config, self._recording_dir),
            self._recording_dir / THUMBNAILS_PATH,
        ):
            directory.mkdir(parents=True, exist_ok=True)
        exe = ffmpeg_exe(config.ffmpeg_exe)
        argv = build_command(exe, config, self._recording_dir, find_font())
        process = FfmpegProcess(argv, self.log_path)
        code = process.wait(STARTUP_GRACE_SECONDS)
        if code is not None:
            raise FfmpegFailed(
                f"ffmpeg exited with code {code} as it started; {self.log_path} ends with:\n"
                f"{process.log_tail()}"
            )
        with self._lock:
            self._process = process
        return process

    def _run(self, process: FfmpegProcess) -> None:
        """Watches one ffmpeg until it exits, on its own or because stop() was called."""
        while (code := process.wait(POLL_SECONDS)) is None:
            if self._stop_requested.is_set():
                code = process.stop(STOP_GRACE_SECONDS)
                break
            if self._broadcast is None and self._live_output_has_segments():
                self._begin_broadcast()
        # A broadcast shorter than one poll still gets its Stream Start, and its recording.
        if self._broadcast is None and self._live_output_has_segments():
            self._begin_broadcast()
        if code != 0 and not self._stop_requested.is_set():
            log.warning("ffmpeg exited with code %s; see %s", code, self.log_path)
        with self._lock:
            self._process = None

    def _live_output_has_segments(self) -> bool:
        playlist = live_rendition_dir(self.config) / RENDITION_PLAYLIST
        try:
            return bool(media_segments(playlist.read_text()))
        except FileNotFoundError:
            return False

    def _begin_broadcast(self) -> None:
        config, now = self.config, datetime.now(UTC)
        broadcast = _Broadcast(stream_id=new_stream_id(), started_at=now)
        _write_atomically(config.live_dir / MASTER_PLAYLIST, master_playlist(config.rendition))
        with self._lock:
            self._broadcast = broadcast
            self._metadata_limit.reset()
        self._live.set()
        log.info("local IVS live: %s (%s)", self.playback_url, broadcast.stream_id)
        self._emit_stream(StreamEvent.STREAM_START, broadcast, now)
        recording = RecordingSession.begin(self._channel, config.recordings_bucket, now)
        started = recording_metadata(
            config.channel_arn, config.rendition, RecordingFileStatus.STARTED, now
        )
        try:
            put_json(self._s3, recording.bucket, recording.key(STARTED_FILE), started)
        except (BotoCoreError, ClientError) as error:
            log.error("local IVS recording did not start: %s", error)
            self._emit_recording(
                RecordingEvent.RECORDING_START_FAILURE, broadcast, recording, reason=_code(error)
            )
            return
        broadcast.recording = recording
        self._emit_recording(RecordingEvent.RECORDING_START, broadcast, recording)

    def _end_broadcast(self) -> None:
        with self._lock:
            broadcast, self._broadcast = self._broadcast, None
        self._live.clear()
        if broadcast is None:
            return
        (self.config.live_dir / MASTER_PLAYLIST).unlink(missing_ok=True)
        self._emit_stream(StreamEvent.STREAM_END, broadcast, datetime.now(UTC))
        if broadcast.recording is not None:
            self._finish_recording(broadcast, broadcast.recording)

    def _finish_recording(self, broadcast: _Broadcast, recording: RecordingSession) -> None:
        config, ended_at, duration = self.config, datetime.now(UTC), 0

        def metadata(status: RecordingFileStatus, **extra: str) -> dict:
            return recording_metadata(
                config.channel_arn,
                config.rendition,
                status,
                recording.started_at,
                ended_at=ended_at,
                duration_ms=duration,
                **extra,
            )

        try:
            duration = self._finalize_local_recording()
            upload_directory(self._s3, recording.bucket, recording.prefix, self._recording_dir)
            ended = metadata(RecordingFileStatus.ENDED)
            # Written last, as IVS does: its presence means the recording is complete.
            put_json(self._s3, recording.bucket, recording.key(ENDED_FILE), ended)
        except (BotoCoreError, ClientError, OSError) as error:
            log.error("local IVS recording %s failed: %s", recording.prefix, error)
            failed = metadata(RecordingFileStatus.FAILED, status_message=_code(error))
            with suppress(BotoCoreError, ClientError):  # S3 itself may be what failed
                put_json(self._s3, recording.bucket, recording.key(FAILED_FILE), failed)
            self._emit_recording(
                RecordingEvent.RECORDING_END_FAILURE,
                broadcast,
                recording,
                duration_ms=duration,
                reason=_code(error),
            )
            return
        log.info("local IVS recording uploaded: s3://%s/%s", recording.bucket, recording.prefix)
        self._emit_recording(
            RecordingEvent.RECORDING_END, broadcast, recording, duration_ms=duration
        )

    def _finalize_local_recording(self) -> int:
        """Closes the recording's playlist as VOD, adds the master playlist and the latest
        thumbnail; returns the recording's duration in milliseconds."""
        config, root = self.config, self._recording_dir
        playlist_file = recording_rendition_dir(config, root) / RENDITION_PLAYLIST
        vod = as_vod(playlist_file.read_text())
        playlist_file.write_text(vod)
        (root / HLS_PATH / MASTER_PLAYLIST).write_text(master_playlist(config.rendition))
        thumbnails = sorted(
            (root / THUMBNAILS_PATH).glob("thumb*.jpg"), key=lambda path: int(path.stem[5:])
        )
        if thumbnails:
            latest = root / LATEST_THUMBNAIL_PATH
            latest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(thumbnails[-1], latest)
        return duration_ms(vod)

    def _clear_live_output(self) -> None:
        (self.config.live_dir / MASTER_PLAYLIST).unlink(missing_ok=True)
        shutil.rmtree(live_rendition_dir(self.config), ignore_errors=True)

    def _emit_stream(self, event: StreamEvent, broadcast: _Broadcast, at: datetime) -> None:
        self._emit(
            stream_state_change(
                self._channel, self.config.channel_name, event, broadcast.stream_id, at
            )
        )

    def _emit_recording(
        self,
        event: RecordingEvent,
        broadcast: _Broadcast,
        recording: RecordingSession,
        *,
        duration_ms: int = 0,
        reason: str = "",
    ) -> None:
        self._emit(
            recording_state_change(
                self._channel,
                self.config.channel_name,
                event,
                broadcast.stream_id,
                recording,
                datetime.now(UTC),
                duration_ms=duration_ms,
                reason=reason,
            )
        )

    def _emit(self, event: dict) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            # A failing subscriber must not stop the broadcast or lose the recording.
            log.exception("on_event failed for %s", event["detail-type"])


def _ensure_port_free(source: RtmpSource) -> None:
    with socket.socket() as probe:
        # Same option as ffmpeg's listener, so a port in TIME_WAIT does not count as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((source.host, source.port))
        except OSError as error:
            raise PortInUse(
                f"the RTMP ingest port {source.host}:{source.port} is taken ({error.strerror}): "
                "stop what uses it or choose another port"
            ) from error


def _write_atomically(path: Path, text: str) -> None:
    """The gateway may serve `path` at any moment: never let it read half a file."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    temporary.replace(path)


def _code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "ClientError")
    return type(error).__name__
