"""What every action knows: who acts (from the connection record, never the frame), when, and
how to reach connections directly."""

from dataclasses import dataclass
from datetime import datetime

from functions.chat.adapters.connections_api import ConnectionsApi
from functions.chat.logic.roles import VIEWER, staff_role
from functions.common.events import StaffRole
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


@dataclass(frozen=True, slots=True)
class ActionContext:
    actor: Actor
    api: ConnectionsApi
    now: datetime
    channel_arn: str | None = None
    streaming: StreamingService | None = None
