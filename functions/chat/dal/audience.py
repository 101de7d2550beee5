"""Who is in a show room: connection lookups for actions and the fan-out (PynamoDB)."""

from collections.abc import Iterator
from dataclasses import dataclass

from functions.common.models import ConnectionModel


def connection(connection_id: str) -> ConnectionModel | None:
    try:
        return ConnectionModel.get(connection_id)
    except ConnectionModel.DoesNotExist:
        return None


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
