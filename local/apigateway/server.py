"""Serving the gateway: uvicorn in a background thread, for tests and harnesses that need the
gateway's control APIs (@connections, Lambda, IVS) while they run code of their own."""

import threading
import time

import uvicorn
from starlette.applications import Starlette


class BackgroundServer:
    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self._server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        )
        self._thread = threading.Thread(target=self._server.run, name="gateway", daemon=True)

    def start(self, timeout: float = 10) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the local gateway did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
