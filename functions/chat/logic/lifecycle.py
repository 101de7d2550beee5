"""The show lifecycle driven by IVS "Stream State Change" events: scheduled → live → ended.

IVS events are best effort: late, repeated or out of order. Each stream of the channel moves
only forward (unseen → started → ended), so a repeated event changes nothing and a Start that
arrives after its End is recorded without bringing the show back to life. Pure Python."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from functions.common.models import ShowStatus


class StreamEventName(StrEnum):
    START = "Stream Start"
    END = "Stream End"


class StreamStateDetail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    event_name: str
    channel_name: str = ""
    stream_id: str = Field(min_length=1, max_length=128)


class StreamStateChange(BaseModel):
    """The EventBridge envelope of an IVS Stream State Change event."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    detail_type: Literal["IVS Stream State Change"] = Field(alias="detail-type")
    time: datetime
    resources: list[str] = Field(min_length=1)
    detail: StreamStateDetail

    @classmethod
    def parse(cls, event: dict[str, Any]) -> "StreamStateChange":
        return cls.model_validate(event)

    @property
    def channel_arn(self) -> str:
        return self.resources[0]


@dataclass(frozen=True, slots=True)
class StreamRecord:
    """What the chat table knows of one stream (None fields: not seen yet)."""

    show_id: str
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """What one IVS event does: the stream's new record, the show's new status (if it changes),
    and the show event to log (`show.started` / `show.ended`), or nothing (a no-op)."""

    record: StreamRecord
    status: ShowStatus | None
    logged: Literal["show.started", "show.ended"] | None
    reason: str


def on_stream_event(
    name: StreamEventName,
    at: datetime,
    record: StreamRecord | None,
    *,
    show_status: ShowStatus | None,
    current_stream_id: str | None,
    stream_id: str,
) -> Transition:
    """`record` is the stream as known before this event; `show_status` the show's status and
    `current_stream_id` the stream the room last went live with."""
    if record is None:
        raise ValueError("resolve the stream's show before applying its events")
    if name is StreamEventName.START:
        if record.started_at is not None:
            return Transition(record, None, None, "repeated Stream Start")
        started = StreamRecord(record.show_id, at, record.ended_at)
        if record.ended_at is not None:
            # The End overtook this Start: log when it started, but the show stays ended.
            return Transition(started, None, "show.started", "Stream Start after its End")
        goes_live = show_status in {ShowStatus.SCHEDULED, ShowStatus.ENDED, ShowStatus.LIVE}
        return Transition(
            started, ShowStatus.LIVE if goes_live else None, "show.started", "stream started"
        )
    if record.ended_at is not None:
        return Transition(record, None, None, "repeated Stream End")
    ended = StreamRecord(record.show_id, record.started_at, at)
    # A newer stream of the same show may be live already (the host's phone reconnected).
    newer_stream_live = current_stream_id not in {None, stream_id}
    ends_show = show_status is ShowStatus.LIVE and not newer_stream_live
    return Transition(ended, ShowStatus.ENDED if ends_show else None, "show.ended", "stream ended")
