"""One frame in, one answer out: parse, identify the sender, authorize, run the action.

Every refusal becomes an error frame to the sender (with the frame's `ref`), never an exception
that API Gateway would turn into a dropped frame. The author of anything is the connection's
identity, read here from the connections table, never a field of the frame."""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from functions.chat.actions.context import ActionContext, Actor
from functions.chat.adapters.connections_api import ConnectionsApi
from functions.chat.dal import audience
from functions.chat.logic import roles
from functions.chat.logic.frames import (
    AckFrame,
    FrameError,
    ServerFrame,
    parse_client_frame,
    refuse,
)
from functions.common.observability import logger, metrics
from functions.common.streaming import StreamingService

type Action = Callable[[ActionContext, Any], ServerFrame | None]


def run(
    event: dict[str, Any],
    actions: Mapping[str, Action],
    *,
    staff_only: bool = False,
    channel_arn: str | None = None,
    streaming: StreamingService | None = None,
) -> dict[str, int | str]:
    request_context = event["requestContext"]
    connection_id = request_context["connectionId"]
    api = ConnectionsApi.for_request(request_context)
    try:
        frame = parse_client_frame(event.get("body"))
        action = actions.get(frame.action)
        if action is None:  # API Gateway routed it here: a deployment mismatch, not the client
            raise refuse("unknown_action", f"{frame.action} is not served here", ref=frame.ref)
        connection = audience.connection(connection_id)
        if connection is None:
            raise refuse(
                "unknown_connection", "this connection is closed: reconnect", ref=frame.ref
            )
        actor = Actor.of(connection)
        if staff_only and not roles.may(actor.role, frame.action):
            metrics().add_metric(name="StaffActionRefused", unit="Count", value=1)
            raise refuse(
                "forbidden",
                f"{frame.action} is for a {roles.who_may(frame.action)}",
                ref=frame.ref,
            )
        context = ActionContext(
            actor=actor,
            api=api,
            now=datetime.now(UTC),
            channel_arn=channel_arn,
            streaming=streaming,
        )
        reply = action(context, frame)
    except FrameError as error:
        api.send(connection_id, error.frame)
        metrics().add_metric(name="FrameRefused", unit="Count", value=1)
        logger().info("frame refused", extra={"error": error.frame.error})
        return {"statusCode": 200, "body": error.frame.error}
    metrics().add_metric(name="FrameHandled", unit="Count", value=1)
    if reply is None and frame.ref is not None:
        reply = AckFrame(action=frame.action, ref=frame.ref)  # a frame with a ref is answered
    if reply is not None:
        api.send(connection_id, reply)
    return {"statusCode": 200, "body": "ok"}
