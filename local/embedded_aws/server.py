"""The embedded AWS: moto in server mode on loopback, in this process."""

import socket
from dataclasses import dataclass
from typing import Any


class PortTaken(RuntimeError):
    pass


def ensure_port_free(port: int, what: str) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as error:
            raise PortTaken(
                f"port {port} ({what}) is already in use: stop what holds it "
                f"(`lsof -i :{port}`) or choose another port"
            ) from error


@dataclass
class EmbeddedAws:
    """A moto server on loopback; `endpoint` is what AWS_ENDPOINT_URL points at."""

    port: int
    _server: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        ensure_port_free(self.port, "embedded AWS")
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
