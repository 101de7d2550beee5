"""The IVS events of one channel, handed to the `on_event` subscriber as IVS emits them."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local.ivs.identifiers import ChannelArn
from local.ivs.notifications import (
    IvsEvent,
    RecordingEvent,
    StreamEvent,
    recording_state_change,
    stream_state_change,
)
from local.ivs.recording import RecordingSession

log = logging.getLogger("vitrine.local.ivs")


class ChannelEvents:
    def __init__(
        self,
        channel: ChannelArn,
        channel_name: str,
        on_event: Callable[[IvsEvent], Any] | None,
    ) -> None:
        self._channel = channel
        self._channel_name = channel_name
        self._on_event = on_event

    def stream(self, event: StreamEvent, stream_id: str, at: datetime) -> None:
        self._emit(stream_state_change(self._channel, self._channel_name, event, stream_id, at))

    def recording(
        self,
        event: RecordingEvent,
        stream_id: str,
        recording: RecordingSession,
        *,
        duration_ms: int = 0,
        reason: str = "",
    ) -> None:
        self._emit(
            recording_state_change(
                self._channel,
                self._channel_name,
                event,
                stream_id,
                recording,
                datetime.now(UTC),
                duration_ms=duration_ms,
                reason=reason,
            )
        )

    def _emit(self, event: IvsEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            # A failing subscriber must not stop the broadcast or lose the recording.
            log.exception("on_event failed for %s", event["detail-type"])
