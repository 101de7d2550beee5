"""Presence rules: who a connection is and what joining or leaving a show records."""

from datetime import datetime

from functions.chat.logic.frames import ConnectRequest
from functions.common.events import Device, ViewerJoined, ViewerLeft


def joined(request: ConnectRequest, at: datetime) -> ViewerJoined:
    return ViewerJoined(
        show_id=request.show,
        viewer_id=request.viewer,
        at=at,
        device=request.device,
        traffic_source=request.source,
    )


def left(
    *, show_id: str, viewer_id: str, device: Device, source: str, since: datetime, at: datetime
) -> ViewerLeft:
    return ViewerLeft(
        show_id=show_id,
        viewer_id=viewer_id,
        at=at,
        watch_seconds=max(0, int((at - since).total_seconds())),
        device=device,
        traffic_source=source,
    )
