"""`$connect`: validate the query string, refuse a banned viewer, record the connection, log
the viewer's arrival.

A display name that breaks the rules is not a reason to refuse a viewer: they connect without
one and the page asks for another (`set_name`), with the error in words."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from functions.chat.dal import connections, room
from functions.chat.logic import presence, text
from functions.chat.logic.frames import ConnectRequest
from functions.common import event_log
from functions.common.observability import instrumented, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def _reply(status: int, message: str) -> dict[str, int | str]:
    if status >= 400:
        metrics().add_metric(name="ConnectionRefused", unit="Count", value=1)
    return {"statusCode": status, "body": message}


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, int | str]:
    try:
        request = ConnectRequest.model_validate(event.get("queryStringParameters") or {})
    except ValidationError as error:
        return _reply(400, f"invalid connection request: {error.error_count()} problem(s)")
    if not connections.show_exists(request.show):
        return _reply(404, f"no show {request.show}")

    authorizer = event["requestContext"].get("authorizer") or {}
    role = authorizer.get("role", "viewer")
    if role == "viewer" and room.is_banned(request.show, request.viewer):
        metrics().add_metric(name="BannedViewerRefused", unit="Count", value=1)
        return _reply(403, "banned from this show")
    now = datetime.now(UTC)
    connections.open_connection(
        event["requestContext"]["connectionId"],
        request,
        # Staff are who their verified token says; only anonymous viewers name themselves.
        viewer_id=request.viewer if role == "viewer" else authorizer["principalId"],
        role=role,
        display_name=authorizer.get("username") or _viewer_name(request.name),
        at=now,
    )
    if role == "viewer":
        event_log.append(presence.joined(request, now))
    metrics().add_metric(
        name="ViewerConnected" if role == "viewer" else "StaffConnected", unit="Count", value=1
    )
    logger().info("connected", extra={"show_id": request.show, "role": role})
    return _reply(200, "connected")


def _viewer_name(raw: str) -> str:
    try:
        return text.display_name(raw) if raw else ""
    except text.TextRejected:
        return ""
