"""The recording of a broadcast, left in S3 as IVS auto-record leaves it: recording-started.json
when the stream starts; when it ends, the HLS closed as VOD, the master playlist and the latest
thumbnail added, every file uploaded, and recording-ended.json last (or recording-failed.json).
ffmpeg writes the media into `directory` as it goes (ffmpeg.py)."""

import logging
import shutil
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local.ivs.config import ChannelConfig
from local.ivs.ffmpeg import recording_rendition_dir
from local.ivs.playlists import (
    MASTER_PLAYLIST,
    RENDITION_PLAYLIST,
    as_vod,
    duration_ms,
    master_playlist,
)
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

log = logging.getLogger("vitrine.local.ivs")


class RecordingFailed(Exception):
    """`reason` is what IVS's failure event reports: the S3 error code, or the error's type."""

    def __init__(self, reason: str, duration_ms: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.duration_ms = duration_ms


class Recorder:
    def __init__(self, config: ChannelConfig, s3: ObjectStore, directory: Path) -> None:
        self._config = config
        self._s3 = s3
        self.directory = directory

    def start(self, recording: RecordingSession) -> None:
        started = self._metadata(recording, RecordingFileStatus.STARTED)
        try:
            put_json(self._s3, recording.bucket, recording.key(STARTED_FILE), started)
        except (BotoCoreError, ClientError) as error:
            log.error("local IVS recording did not start: %s", error)
            raise RecordingFailed(_code(error)) from error

    def finish(self, recording: RecordingSession, ended_at: datetime) -> int:
        """Completes and uploads the recording; returns its duration in milliseconds."""
        duration = 0
        try:
            duration = self._finalize_local_files()
            upload_directory(self._s3, recording.bucket, recording.prefix, self.directory)
            ended = self._metadata(recording, RecordingFileStatus.ENDED, ended_at, duration)
            # Written last, as IVS does: its presence means the recording is complete.
            put_json(self._s3, recording.bucket, recording.key(ENDED_FILE), ended)
        except (BotoCoreError, ClientError, OSError) as error:
            log.error("local IVS recording %s failed: %s", recording.prefix, error)
            failed = self._metadata(
                recording, RecordingFileStatus.FAILED, ended_at, duration, _code(error)
            )
            with suppress(BotoCoreError, ClientError):  # S3 itself may be what failed
                put_json(self._s3, recording.bucket, recording.key(FAILED_FILE), failed)
            raise RecordingFailed(_code(error), duration) from error
        log.info("local IVS recording uploaded: s3://%s/%s", recording.bucket, recording.prefix)
        return duration

    def _finalize_local_files(self) -> int:
        """Closes the playlist as VOD, adds the master playlist and the latest thumbnail;
        returns the recording's duration in milliseconds."""
        config, root = self._config, self.directory
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

    def _metadata(
        self,
        recording: RecordingSession,
        status: RecordingFileStatus,
        ended_at: datetime | None = None,
        duration: int | None = None,
        status_message: str | None = None,
    ) -> dict[str, Any]:
        return recording_metadata(
            self._config.channel_arn,
            self._config.rendition,
            status,
            recording.started_at,
            ended_at=ended_at,
            duration_ms=duration,
            status_message=status_message,
        )


def _code(error: Exception) -> str:
    if isinstance(error, ClientError):
        code: str = error.response.get("Error", {}).get("Code", "ClientError")
        return code
    return type(error).__name__
