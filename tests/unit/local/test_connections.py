import asyncio

from local.apigateway.connections import OUTBOUND_BUFFER, Client, ConnectionHub


class StalledSocket:
    """A client that never reads: sends block forever, as on a congested mobile link."""

    def __init__(self):
        self.closed_with = None

    async def send_text(self, data):
        await asyncio.Event().wait()

    async def close(self, code=1000, reason=""):
        self.closed_with = code


class ReadingSocket:
    def __init__(self):
        self.received = []

    async def send_text(self, data):
        self.received.append(data)

    async def close(self, code=1000, reason=""):
        pass


def test_a_slow_client_is_dropped_and_never_blocks_the_others():
    async def scenario():
        hub = ConnectionHub()
        slow, fast = StalledSocket(), ReadingSocket()
        hub.add(Client("slow", slow, "127.0.0.1", "test"))
        hub.add(Client("fast", fast, "127.0.0.1", "test"))
        frames = OUTBOUND_BUFFER + 10
        for number in range(frames):
            hub.broadcast(f"frame {number}")
            await asyncio.sleep(0)  # let the fast client's sender run
        await asyncio.sleep(0.05)
        return hub, slow, fast, frames

    hub, slow, fast, frames = asyncio.run(scenario())
    assert slow.closed_with == 1013
    assert hub.get("slow") is None
    assert hub.dropped_slow_clients == 1
    assert fast.received == [f"frame {n}" for n in range(frames)]
    assert hub.post("slow", "late") is False  # API Gateway's 410 from now on
