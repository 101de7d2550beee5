"""Who is in a show room: connection lookups for actions and the fan-out (PynamoDB)."""

from collections.abc import Iterator
from dataclasses import dataclass

from functions.chat.dal import batch
from functions.chat.dal.models import RoomModel
from functions.common.models import ConnectionModel


def connection(connection_id: str) -> ConnectionModel | None:
    try:
        return ConnectionModel.get(connection_id)
    except ConnectionModel.DoesNotExist:
        return None


@dataclass(frozen=True, slots=True)
class Sender:
    connection: ConnectionModel | None  # None: the connection is closed
    room: RoomModel | None  # the room of the connection's show, when it came in the same read


def sender(connection_id: str, show_hint: str | None) -> Sender:
    """The connection that sent a frame; with `show_hint` (the show its `$connect` named, which
    API Gateway hands every frame in the authorizer's context) its show's room comes in the
    same BatchGetItem: one round trip instead of two. The hint only picks what to read: the
    room counts only if the connection record names that show."""
    if not show_hint:
        return Sender(connection(connection_id), None)
    found_connection, found_room = batch.get_items(
        [ConnectionModel(connection_id), RoomModel(*RoomModel.key(show_hint))]
    )
    if found_connection is None:
        return Sender(None, None)
    record = ConnectionModel.from_raw_data(found_connection)
    if record.show_id != show_hint:
        return Sender(record, None)
    room = (
        RoomModel.from_raw_data(found_room) if found_room else RoomModel(*RoomModel.key(show_hint))
    )
    return Sender(record, room)


@dataclass(frozen=True, slots=True)
class Audience:
    connection_ids: list[str]  # everyone, staff included: the fan-out's recipients
    viewers: int  # viewer connections: the viewer count shown in the room


def audience(show_id: str) -> Audience:
    """Who is in the show now (the by_show index; a connection found gone is left out)."""
    connection_ids: list[str] = []
    viewers = 0
    for item in ConnectionModel.by_show.query(
        show_id, attributes_to_get=["connection_id", "role", "gone"]
    ):
        if item.gone:
            continue
        connection_ids.append(item.connection_id)
        viewers += item.role == "viewer"
    return Audience(connection_ids, viewers)


def connections_of(show_id: str, viewer_id: str) -> Iterator[ConnectionModel]:
    """The open connections of one viewer in a show (a phone and a laptop, or two tabs)."""
    return ConnectionModel.by_show.query(
        show_id, filter_condition=ConnectionModel.viewer_id == viewer_id
    )


def rename(connection_id: str, display_name: str) -> None:
    ConnectionModel(connection_id).update(
        actions=[ConnectionModel.display_name.set(display_name)],
        condition=ConnectionModel.connection_id.exists(),
    )
