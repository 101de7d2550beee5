"""API Gateway's event shapes for Lambda proxy integrations (REST v1 and WebSocket)."""

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class ApiIdentity:
    """Where the local API lives, as API Gateway names it in its events."""

    api_id: str
    stage: str
    domain_name: str
    region: str = "us-east-1"
    account_id: str = "123456789012"


@dataclass(frozen=True)
class WebSocketClientInfo:
    connection_id: str
    source_ip: str
    user_agent: str
    connected_at: int  # epoch milliseconds


def websocket_request_context(
    api: ApiIdentity, client: WebSocketClientInfo, route_key: str, event_type: str
) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "routeKey": route_key,
        "eventType": event_type,
        "messageDirection": "IN",
        "connectionId": client.connection_id,
        "connectedAt": client.connected_at,
        "domainName": api.domain_name,
        "stage": api.stage,
        "apiId": api.api_id,
        "requestId": uuid.uuid4().hex,
        "extendedRequestId": uuid.uuid4().hex,
        "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": now_ms(),
        "identity": {"sourceIp": client.source_ip, "userAgent": client.user_agent},
    }


def gateway_error_frame(message: str, request_context: dict[str, Any]) -> str:
    """The frame API Gateway itself sends when a route fails or none matches."""
    return json.dumps(
        {
            "message": message,
            "connectionId": request_context["connectionId"],
            "requestId": request_context["requestId"],
        }
    )
