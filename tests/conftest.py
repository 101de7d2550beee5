"""Test-wide settings: fake credentials, and the embedded AWS endpoint for integration tests.

Integration tests run against `AWS_ENDPOINT_URL` when it is set (LocalStack, say); otherwise a
moto server is started for the session on a free loopback port."""

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.synthesized import Synthesized, synthesize_app

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

    from local.embedded_aws import dynamodb

    dynamodb.install()  # as `make dev`'s embedded AWS runs it: transactions atomic
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
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text("<!doctype html><title>Vitrine test</title>\n")
    return site


@pytest.fixture(scope="session")
def default_stack(tmp_path_factory: pytest.TempPathFactory, site_dir: Path) -> Synthesized:
    """The app with cdk.json's context: recording on, STANDARD/LOW channel, any origin."""
    return synthesize_app(tmp_path_factory.mktemp("cdk.out"), site_dir=site_dir)


@pytest.fixture(scope="session")
def template_path(default_stack) -> Path:
    """The template the local runtime provisions from: the default app, synthesized once."""
    return default_stack.template_path
