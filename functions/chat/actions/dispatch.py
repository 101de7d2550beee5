"""One frame in, one answer out: parse, identify the sender, authorize, run the action.

Every refusal becomes an error frame to the sender (with the frame's `ref`), never an exception
that API Gateway would turn into a dropped frame. The author of anything is the connection's
identity, read here from the connections table, never a field of the frame."""

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

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
    reads_room: Collection[str] = (),
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
        # The room comes with the connection (one round trip) for the actions that read it.
        show_hint = (request_context.get("authorizer") or {}).get("show_id")
        sender = audience.sender(connection_id, show_hint if frame.action in reads_room else None)
        connection = sender.connection
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
            prefetched_room=sender.room,
        )
        reply = action(context, frame)
    except FrameError as error:
        _answer(api, connection_id, error.frame)
        metrics().add_metric(name="FrameRefused", unit="Count", value=1)
        logger().info("frame refused", extra={"error": error.frame.error})
        return {"statusCode": 200, "body": error.frame.error}
    metrics().add_metric(name="FrameHandled", unit="Count", value=1)
    if reply is None and frame.ref is not None:
        reply = AckFrame(action=frame.action, ref=frame.ref)  # a frame with a ref is answered
    if reply is not None:
        _answer(api, connection_id, reply)
    return {"statusCode": 200, "body": "ok"}


def _answer(api: ConnectionsApi, connection_id: str, frame: BaseModel) -> None:
    """Posts the sender's answer. What the action did is done either way: a post that still
    fails after its retries is logged and counted, not turned into a failed invocation, which
    API Gateway would answer with an "Internal server error" that a page could take for a
    message not sent, and send again."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        api.send(connection_id, frame)
    except (BotoCoreError, ClientError) as error:
        metrics().add_metric(name="AnswerUndelivered", unit="Count", value=1)
        logger().warning("the answer could not be posted", extra={"error": str(error)})
