"""The WebSocket clients of the local gateway and the @connections API behind them.

Like Owncast's chat server, each client has a bounded outbound buffer: posting never waits on
a slow client, and a client whose buffer is full is dropped (its next post answers 410)."""

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.websockets import WebSocket

log = logging.getLogger("vitrine.gateway")

OUTBOUND_BUFFER = 256  # frames queued per client before it counts as too slow
CLOSE_TOO_SLOW = 1013  # "try again later"


def new_connection_id() -> str:
    """An id shaped like API Gateway's (URL-safe, 16 characters)."""
    return secrets.token_urlsafe(12)


@dataclass(eq=False)
class Client:
    connection_id: str
    websocket: WebSocket
    source_ip: str
    user_agent: str
    connected_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_active_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    outbound: asyncio.Queue[str | bytes] = field(
        default_factory=lambda: asyncio.Queue(OUTBOUND_BUFFER)
    )
    sender: asyncio.Task[None] | None = None

    @property
    def connected_at_ms(self) -> int:
        return int(self.connected_at.timestamp() * 1000)

    async def send_loop(self) -> None:
        while True:
            data = await self.outbound.get()
            if isinstance(data, bytes):
                await self.websocket.send_bytes(data)
            else:
                await self.websocket.send_text(data)


class ConnectionHub:
    """Open clients by connection id. Every method runs on the gateway's event loop."""

    def __init__(self) -> None:
        self._clients: dict[str, Client] = {}
        self.dropped_slow_clients = 0
        self._closing: set[asyncio.Task[bool]] = set()  # keeps drop tasks alive until they finish

    def __len__(self) -> int:
        return len(self._clients)

    def get(self, connection_id: str) -> Client | None:
        return self._clients.get(connection_id)

    def add(self, client: Client) -> None:
        self._clients[client.connection_id] = client
        client.sender = asyncio.create_task(client.send_loop(), name=client.connection_id)

    async def remove(self, connection_id: str) -> Client | None:
        client = self._clients.pop(connection_id, None)
        if client is not None and client.sender is not None:
            client.sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await client.sender
        return client

    def post(self, connection_id: str, data: str | bytes) -> bool:
        """Queue `data` for the client; False when it is gone (API Gateway's 410)."""
        client = self._clients.get(connection_id)
        if client is None:
            return False
        try:
            client.outbound.put_nowait(data)
        except asyncio.QueueFull:
            self.dropped_slow_clients += 1
            log.warning("dropping slow client %s: outbound buffer full", connection_id)
            task = asyncio.create_task(self.disconnect(connection_id, CLOSE_TOO_SLOW, "too slow"))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
            return False
        return True

    async def disconnect(self, connection_id: str, code: int = 1000, reason: str = "") -> bool:
        """Close a client from the server side (DELETE @connections/{id})."""
        client = await self.remove(connection_id)
        if client is None:
            return False
        with contextlib.suppress(Exception):
            await client.websocket.close(code=code, reason=reason)
        return True

    def broadcast(self, data: str) -> None:
        for connection_id in list(self._clients):
            self.post(connection_id, data)

    def describe(self, client: Client) -> dict[str, Any]:
        """The body of GET @connections/{id}, as API Gateway returns it (camelCase JSON)."""
        return {
            "connectedAt": client.connected_at.isoformat(),
            "lastActiveAt": client.last_active_at.isoformat(),
            "identity": {"sourceIp": client.source_ip, "userAgent": client.user_agent},
        }
