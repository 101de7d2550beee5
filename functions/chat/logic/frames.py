"""WebSocket frames: what clients send (parsed strictly) and what the server sends back.

Pure Python, no AWS. A frame that does not parse yields an ErrorFrame, never an exception that
would drop the connection."""

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from functions.common.events import Device, Identifier

MAX_FRAME_BYTES = 32 * 1024  # API Gateway's WebSocket frame limit


class ConnectRequest(BaseModel):
    """The query string of `wss://.../?show=...&viewer=...` validated on `$connect`."""

    model_config = ConfigDict(extra="ignore")

    show: Identifier
    viewer: Identifier
    device: Device = Device.UNKNOWN
    source: str = Field(default="direct", max_length=64)
    name: str = Field(default="", max_length=40)


class Ping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["ping"]


ClientFrame = Annotated[Ping, Field(discriminator="action")]
_CLIENT_FRAME = TypeAdapter(ClientFrame)


class PongFrame(BaseModel):
    type: Literal["pong"] = "pong"


class ErrorFrame(BaseModel):
    type: Literal["error"] = "error"
    error: str
    detail: str = ""


class FrameError(ValueError):
    def __init__(self, frame: ErrorFrame) -> None:
        super().__init__(frame.detail or frame.error)
        self.frame = frame


def parse_client_frame(body: str | None) -> ClientFrame:
    """The typed frame in `body`; raises FrameError carrying the error frame to send back."""
    if not body:
        raise FrameError(ErrorFrame(error="empty_frame", detail="send a JSON object"))
    if len(body.encode()) > MAX_FRAME_BYTES:
        raise FrameError(ErrorFrame(error="frame_too_large", detail="frames are limited to 32 KB"))
    try:
        data = json.loads(body)
    except json.JSONDecodeError as error:
        raise FrameError(ErrorFrame(error="malformed_json", detail=str(error))) from error
    if not isinstance(data, dict) or "action" not in data:
        raise FrameError(
            ErrorFrame(error="missing_action", detail='a frame is {"action": ..., ...}')
        )
    try:
        return _CLIENT_FRAME.validate_python(data)
    except ValidationError as error:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in issue['loc'])}: {issue['msg']}" for issue in error.errors()
        )
        raise FrameError(ErrorFrame(error="invalid_frame", detail=detail)) from error
