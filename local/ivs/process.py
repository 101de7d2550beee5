"""One ffmpeg run: its own process group, stderr appended to a log file, and a stop that
lets ffmpeg finish its files (SIGTERM) before forcing it (SIGKILL)."""

import ctypes
import os
import shlex
import signal
import subprocess
import sys
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from local.ivs.errors import FfmpegFailed

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel kills ffmpeg if the thread that started it
    dies, so a crashed or SIGKILLed dev server never leaves ffmpeg holding the RTMP port.
    Keep it to this one libc call: other threads may hold locks at fork time."""
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # type: ignore[union-attr]


class FfmpegProcess:
    def __init__(self, argv: list[str], log_path: Path) -> None:
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            log.write(f"\n--- {datetime.now(UTC).isoformat()} {shlex.join(argv)}\n".encode())
            log.flush()
            try:
                self._popen = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    start_new_session=True,  # its own process group: signals reach all of it
                    preexec_fn=_die_with_parent if _libc is not None else None,
                )
            except OSError as error:
                raise FfmpegFailed(f"cannot run ffmpeg ({argv[0]}): {error}") from error

    @property
    def pid(self) -> int:
        return self._popen.pid

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code, or None if ffmpeg is still running after `timeout` seconds."""
        try:
            return self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace_seconds: float = 5.0) -> int:
        """SIGTERM makes ffmpeg flush the last segment and close its playlists; SIGKILL if it
        has not exited after the grace period. Blocks until the process is reaped."""
        if self._popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            code = self.wait(grace_seconds)
            if code is not None:
                return code
            self._signal_group(signal.SIGKILL)
        return self._popen.wait()

    def log_tail(self, lines: int = 12) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def _signal_group(self, sig: signal.Signals) -> None:
        with suppress(ProcessLookupError):  # already gone
            os.killpg(self._popen.pid, sig)
