"""Connections adapter: the open WebSockets of each show (PynamoDB)."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import UpdateError

from functions.chat.logic.frames import ConnectRequest
from functions.common.models import ConnectionModel, ShowModel


def show_exists(show_id: str) -> bool:
    return ShowModel.count(ShowModel.key(show_id), ShowModel.sk == "SHOW", limit=1) > 0


def open_connection(
    connection_id: str,
    request: ConnectRequest,
    *,
    viewer_id: str,
    role: str,
    display_name: str,
    at: datetime,
) -> ConnectionModel:
    connection = ConnectionModel(
        connection_id,
        show_id=request.show,
        viewer_id=viewer_id,
        role=role,
        display_name=display_name,
        device=request.device,
        traffic_source=request.source,
        connected_at=at,
    )
    connection.save()
    return connection


def close_connection(connection_id: str) -> ConnectionModel | None:
    """Remove the connection and return what it was (None if already gone)."""
    try:
        connection = ConnectionModel.get(connection_id)
    except ConnectionModel.DoesNotExist:
        return None
    connection.delete()
    return connection


# API Gateway also answers 410 to a connection whose `$connect` has not returned yet (its
# record is written during `$connect`): one younger than the route's 29 s integration timeout
# may be a viewer still joining, and is not marked gone for good.
CONNECTING_SECONDS = 30


def mark_gone(connection_ids: Sequence[str], *, now: datetime | None = None) -> None:
    """Connections API Gateway answered 410 for: left out of every later audience. The record
    stays for `$disconnect`, which deletes it and logs the viewer's watch time (it may run after
    the post found the socket gone); TTL removes it if `$disconnect` never comes."""
    connected_before = (now or datetime.now(UTC)) - timedelta(seconds=CONNECTING_SECONDS)
    for connection_id in dict.fromkeys(connection_ids):
        try:
            ConnectionModel(connection_id).update(
                actions=[ConnectionModel.gone.set(True)],
                condition=ConnectionModel.connection_id.exists()
                & (ConnectionModel.connected_at < connected_before),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise  # deleted by `$disconnect`, or still connecting: nothing to mark
