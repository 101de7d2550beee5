"""The embedded AWS: moto in server mode on loopback, in a process of its own.

Its own process gives moto a core of its own (the gateway and the pollers keep theirs), and it
is where the Step Functions bridge is switched on, since moto's executor runs inside it.
`python -m local.embedded_aws.server PORT [LAMBDA_ENDPOINT]` is that process; it stops when
the runtime closes its stdin, or dies."""

import logging
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field


class PortTaken(RuntimeError):
    pass


class EmbeddedAwsFailed(RuntimeError):
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


def _accepts_connections(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class EmbeddedAws:
    """A moto server; `endpoint` is what AWS_ENDPOINT_URL points at. With `lambda_endpoint`,
    its Step Functions executions run, their Lambda tasks sent to that Invoke API."""

    port: int
    lambda_endpoint: str | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        ensure_port_free(self.port, "embedded AWS")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "local.embedded_aws.server", str(self.port),
             self.lambda_endpoint or ""],
            stdin=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not _accepts_connections(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise EmbeddedAwsFailed(f"the embedded AWS did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the server's signal to stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve(port: int, lambda_endpoint: str) -> None:
    from moto.server import ThreadedMotoServer

    # The runtime stops this process (its stdin closes); Ctrl-C in the terminal reaches the
    # whole process group and must not kill moto before the runtime has finished with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request log
    endpoint = f"http://127.0.0.1:{port}"
    from local.embedded_aws import dynamodb

    dynamodb.install()  # transactions as atomic as DynamoDB's under concurrent requests
    if lambda_endpoint:
        from local.stepfunctions.bridge import enable_local_executions

        enable_local_executions(aws_endpoint=endpoint, lambda_endpoint=lambda_endpoint)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    sys.stdin.buffer.read()  # until the runtime closes it, or dies
    server.stop()


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "")
