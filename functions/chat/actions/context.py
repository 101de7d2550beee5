"""What every action knows: who acts (from the connection record, never the frame), when, and
how to reach connections directly."""

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from functions.chat.adapters.connections_api import ConnectionsApi
from functions.chat.dal import room
from functions.chat.dal.models import RoomModel
from functions.chat.logic.roles import VIEWER, staff_role
from functions.common import event_log
from functions.common.events import ShowEvent, StaffRole
from functions.common.models import ConnectionModel
from functions.common.streaming import StreamingService


@dataclass(frozen=True, slots=True)
class Actor:
    connection_id: str
    show_id: str
    viewer_id: str
    display_name: str
    role: str  # viewer | moderator | host | admin

    @classmethod
    def of(cls, connection: ConnectionModel) -> "Actor":
        return cls(
            connection_id=connection.connection_id,
            show_id=connection.show_id,
            viewer_id=connection.viewer_id,
            display_name=connection.display_name,
            role=connection.role,
        )

    @property
    def is_staff(self) -> bool:
        return self.role != VIEWER

    @property
    def staff_role(self) -> StaffRole | None:
        return staff_role(self.role)


class Stamp(TypedDict):
    """Who did it, where and when: the fields every event an action logs starts with."""

    show_id: str
    viewer_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ActionContext:
    actor: Actor
    api: ConnectionsApi
    now: datetime
    channel_arn: str | None = None
    streaming: StreamingService | None = None
    prefetched_room: RoomModel | None = None  # read with the connection (dispatch), if it was

    def room(self) -> RoomModel:
        """The actor's room as the action began: the one read with the connection, or now."""
        if self.prefetched_room is not None:
            return self.prefetched_room
        return room.room(self.actor.show_id)

    @property
    def stamp(self) -> Stamp:
        """Unpacked into an event (`ChatPosted(**context.stamp, ...)`): a TypedDict, so mypy
        still checks every other field of the event."""
        return Stamp(show_id=self.actor.show_id, viewer_id=self.actor.viewer_id, at=self.now)

    def record(self, event: ShowEvent) -> None:
        """Appends the action's event to the show's log (room effects reach viewers from it)."""
        event_log.append(event)
