"""Supervision of ffmpeg: one thread launches it, watches it and relaunches it.

Every ffmpeg is started and reaped by that one thread, which outlives it (process.py: ffmpeg
dies with the thread that started it). Each poll it also publishes the segments ffmpeg closed,
with their timed metadata (timed_metadata.py). The thread reports two moments to the channel:
`on_live` at the first published segment and `on_exit` once ffmpeg has exited, however it did,
and its last segments are published.
Then an RTMP ingest listens again for the next publisher; the test pattern reconnects only
after `disconnect()` (StopStream), like OBS, and stays offline after a crash."""

import logging
import shutil
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from local.ivs.config import ChannelConfig, RtmpSource
from local.ivs.errors import FfmpegFailed, LocalIvsError, PortInUse
from local.ivs.ffmpeg import (
    build_command,
    encoder_live_dir,
    ffmpeg_exe,
    find_font,
    live_rendition_dir,
    recording_rendition_dir,
)
from local.ivs.playlists import MASTER_PLAYLIST, RENDITION_PLAYLIST, media_segments
from local.ivs.process import FfmpegProcess
from local.ivs.recording import THUMBNAILS_PATH
from local.ivs.timed_metadata import HlsPublisher

log = logging.getLogger("vitrine.local.ivs")

STARTUP_GRACE_SECONDS = 0.5  # an ffmpeg that dies this fast has a bad command, port or input
POLL_SECONDS = 0.1  # also how late a closed segment may be published
STOP_GRACE_SECONDS = 5.0
RELAUNCH_PAUSE_SECONDS = 1.0
MAX_RELAUNCH_FAILURES = 3


class FfmpegSupervisor:
    def __init__(
        self,
        config: ChannelConfig,
        recording_dir: Path,
        *,
        on_live: Callable[[], None],
        on_exit: Callable[[], None],
        name: str,
    ) -> None:
        self._config = config
        self._recording_dir = recording_dir
        self._on_live = on_live
        self._on_exit = on_exit
        self._name = name
        self._lock = threading.Lock()
        self._process: FfmpegProcess | None = None
        self._publisher: HlsPublisher | None = None  # the running ffmpeg's HLS
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        self._disconnect_requested = threading.Event()

    @property
    def log_path(self) -> Path:
        return self._config.work_dir / "ffmpeg.log"

    @property
    def pid(self) -> int | None:
        with self._lock:
            return self._process.pid if self._process else None

    def start(self) -> None:
        """Returns once ffmpeg has survived its first half second; raises PortInUse or
        FfmpegFailed otherwise."""
        launched: Future[None] = Future()
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise LocalIvsError("the local IVS channel is already started")
            if isinstance(self._config.source, RtmpSource):
                _ensure_port_free(self._config.source)
            self._stop_requested.clear()
            self._thread = threading.Thread(
                target=self._supervise, args=(launched,), name=self._name, daemon=True
            )
            self._thread.start()
        launched.result()  # re-raises the launch error in the caller

    def stop(self, timeout: float) -> None:
        """Stops ffmpeg for good and waits for `on_exit` to have run."""
        self._stop_requested.set()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return  # called from a callback: the thread stops on its own
        thread.join(timeout)
        if thread.is_alive():
            log.warning("local IVS still finishing after %ss; see %s", timeout, self.log_path)

    def put_metadata(self, metadata: str) -> bool:
        """Puts the cue into the stream at the time live now; False when nothing is live."""
        with self._lock:
            publisher = self._publisher
        return publisher is not None and publisher.put(metadata)

    def disconnect(self) -> None:
        """Ends the running ffmpeg, as IVS StopStream disconnects the encoder; returns at once."""
        self._disconnect_requested.set()

    def _supervise(self, launched: Future[None]) -> None:
        try:
            self._run_until_stopped(launched)
        except Exception as error:
            if not launched.done():
                launched.set_exception(error)
            else:
                log.exception("local IVS supervisor failed; the channel is offline")

    def _run_until_stopped(self, launched: Future[None]) -> None:
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
            disconnected = self._run(process)
            if isinstance(self._config.source, RtmpSource):
                continue  # listen for the next publisher
            reconnect_seconds = self._config.pattern_reconnect_seconds
            if not disconnected or reconnect_seconds is None:
                return  # the test pattern ends when stopped, or when ffmpeg crashed
            self._stop_requested.wait(reconnect_seconds)

    def _launch(self) -> FfmpegProcess:
        config = self._config
        self._prepare_outputs()
        argv = build_command(
            ffmpeg_exe(config.ffmpeg_exe), config, self._recording_dir, find_font()
        )
        process = FfmpegProcess(argv, self.log_path)
        code = process.wait(STARTUP_GRACE_SECONDS)
        if code is not None:
            raise FfmpegFailed(
                f"ffmpeg exited with code {code} as it started; {self.log_path} ends with:\n"
                f"{process.log_tail()}"
            )
        publisher = HlsPublisher(
            encoder_live_dir(config),
            live_rendition_dir(config),
            recording_rendition_dir(config, self._recording_dir),
        )
        with self._lock:
            self._process, self._publisher = process, publisher
        return process

    def _run(self, process: FfmpegProcess) -> bool:
        """Watches one ffmpeg until it exits on its own or is stopped or disconnected, then
        reports its exit. Returns whether it was disconnected."""
        self._disconnect_requested.clear()
        live = False
        try:
            while (code := process.wait(POLL_SECONDS)) is None:
                if self._stop_requested.is_set() or self._disconnect_requested.is_set():
                    code = process.stop(STOP_GRACE_SECONDS)
                    break
                self._publish()
                if not live and self._live_output_has_segments():
                    live = True
                    self._on_live()
            self._publish()  # the segments ffmpeg closed as it exited
            # A broadcast shorter than one poll still gets its Stream Start, and its recording.
            if not live and self._live_output_has_segments():
                self._on_live()
            if code != 0 and not self._stop_requested.is_set():
                log.warning("ffmpeg exited with code %s; see %s", code, self.log_path)
        finally:
            process.stop(STOP_GRACE_SECONDS)  # when on_live raised: never leave an ffmpeg behind
            with self._lock:
                self._process, self._publisher = None, None
            self._on_exit()
        return self._disconnect_requested.is_set() and not self._stop_requested.is_set()

    def _publish(self) -> None:
        with self._lock:
            publisher = self._publisher
        if publisher is None:
            return
        try:
            publisher.update()
        except OSError as error:  # a full disk, say: the next poll tries again
            log.error("local IVS could not publish the live segments: %s", error)

    def _prepare_outputs(self) -> None:
        """A fresh ffmpeg writes into empty directories: no segment of a previous broadcast."""
        config, recording = self._config, self._recording_dir
        (config.live_dir / MASTER_PLAYLIST).unlink(missing_ok=True)
        shutil.rmtree(live_rendition_dir(config), ignore_errors=True)
        shutil.rmtree(encoder_live_dir(config), ignore_errors=True)
        shutil.rmtree(recording, ignore_errors=True)
        for directory in (
            live_rendition_dir(config),
            encoder_live_dir(config),
            recording_rendition_dir(config, recording),
            recording / THUMBNAILS_PATH,
        ):
            directory.mkdir(parents=True, exist_ok=True)

    def _live_output_has_segments(self) -> bool:
        playlist = live_rendition_dir(self._config) / RENDITION_PLAYLIST
        try:
            return bool(media_segments(playlist.read_text()))
        except FileNotFoundError:
            return False


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
