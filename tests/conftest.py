"""Test-wide settings: fake credentials, and the embedded AWS endpoint for integration tests.

Integration tests run against `AWS_ENDPOINT_URL` when it is set (LocalStack, say); otherwise a
moto server is started for the session on a free loopback port."""

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_REGION", "us-east-1")
os.environ.setdefault("AWS_DEFAULT_REGION", os.environ["AWS_REGION"])
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Vitrine")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "vitrine-tests")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[str]:
    """The AWS endpoint integration tests talk to: AWS_ENDPOINT_URL, or a fresh moto server."""
    configured = os.environ.get("AWS_ENDPOINT_URL")
    if configured:
        yield configured
        return
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    try:
        yield endpoint
    finally:
        del os.environ["AWS_ENDPOINT_URL"]
        server.stop()


@pytest.fixture(scope="session")
def template_path(tmp_path_factory) -> Path:
    """The app synthesized once per test session (jsii start-up is slow), bundling skipped."""
    from infra.synth import synthesize

    return synthesize(tmp_path_factory.mktemp("cdk.out"))
