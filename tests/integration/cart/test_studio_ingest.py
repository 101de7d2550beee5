"""GET /studio/ingest, the host's encoder settings: the Chalice app with API Gateway's events
and its own environment from the template, real ID tokens from the embedded Cognito, and the
local IVS API of the template's channel and stream key behind AWS_ENDPOINT_URL_IVS."""

import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from functions.cart.app import app
from functions.common import aws
from functions.common.settings import Env
from local.ivs import ChannelConfig, LocalIvsChannel, PatternSource, RtmpSource, ivs_api_routes
from local.ivs.config import Source
from tests.conftest import free_port
from tests.integration.conftest import rest_event
from tests.integration.local.test_ivs_channel import eventually

pytestmark = pytest.mark.integration

CART = "functions.cart.app.app"
INGEST = rest_event("GET", "/studio/ingest", "/studio/ingest")


@pytest.fixture(scope="module")
def staff(new_staff) -> dict[str, str]:
    """An ID token per staff role, and one of a user in no staff group ("shopper")."""
    tokens = {role: new_staff(role).token for role in ("admin", "host", "moderator")}
    return tokens | {"shopper": new_staff(None).token}


@pytest.fixture
def cart_environment(provisioned) -> dict[str, str]:
    return provisioned.function_environments()[CART]


@pytest.fixture
def local_ivs(cart_environment, tmp_path: Path, monkeypatch) -> Iterator[Callable[[Source], None]]:
    """`local_ivs(source)`: the local IVS API of the channel and the stream key that the
    template gives the REST API, its channel broadcasting from `source`, serving on a free
    port that AWS_ENDPOINT_URL_IVS points at (the channel itself is not started)."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def serve(source: Source) -> None:
        config = ChannelConfig(
            channel_arn=cart_environment[Env.CHANNEL_ARN],
            channel_name="vitrine-live",
            recordings_bucket="unused",
            live_dir=tmp_path / "live",
            work_dir=tmp_path / "work",
            playback_base_url="http://127.0.0.1:8000/live",
            source=source,
        )
        channel = LocalIvsChannel(config, s3_client=aws.client("s3"))
        routes = ivs_api_routes(channel, stream_key_arn=cart_environment[Env.STREAM_KEY_ARN])
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                Starlette(routes=[Mount("/local/ivs", routes=routes)]),
                host="127.0.0.1",
                port=port,
                log_level="error",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        eventually(lambda: server.started, timeout=10, what="the local IVS API")
        monkeypatch.setenv("AWS_ENDPOINT_URL_IVS", f"http://127.0.0.1:{port}/local/ivs")

    yield serve
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def call(as_function, lambda_context):
    """GET /studio/ingest as API Gateway invokes the function: (status, headers, body).
    `environment` changes the function's variables for this call (None: removed)."""

    def invoke(token: str | None, **environment: str | None):
        authorization = {"authorization": f"Bearer {token}"} if token else {}
        event = INGEST | {"headers": INGEST["headers"] | authorization}
        with as_function(CART):
            for name, value in environment.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            answer = app(event, lambda_context)
        return answer["statusCode"], answer["headers"], json.loads(answer["body"])

    return invoke


@pytest.mark.parametrize("role", ["host", "admin"])
def test_a_host_or_an_admin_gets_the_server_and_the_stream_key_never_cached(
    staff, local_ivs, call, role
):
    port = free_port()  # nothing needs to listen: the route only describes the ingest
    local_ivs(RtmpSource(port=port, host="127.0.0.1", stream_key="sk_studio_test"))

    status, headers, body = call(staff[role])

    assert status == 200, body
    assert body == {"server": f"rtmp://127.0.0.1:{port}/app/", "stream_key": "sk_studio_test"}
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("forged", 401), ("shopper", 401), ("moderator", 403)],
)
def test_nobody_else_gets_the_stream_key(staff, local_ivs, call, who, status):
    local_ivs(RtmpSource(port=free_port(), stream_key="sk_studio_secret"))
    token = {
        "anonymous": None,
        "forged": staff["host"][:-4] + "AAAA",  # the signature no longer matches
    }.get(who, staff.get(who))

    answer_status, _, body = call(token)

    assert answer_status == status, body
    assert "sk_studio_secret" not in json.dumps(body)


def test_a_channel_that_takes_no_encoder_is_a_clear_409(staff, local_ivs, call):
    local_ivs(PatternSource())

    status, headers, body = call(staff["host"])

    assert status == 409
    assert "takes no encoder right now" in body["message"]
    assert 'make dev ARGS="--source rtmp"' in body["message"]
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("missing", [Env.CHANNEL_ARN, Env.STREAM_KEY_ARN])
def test_a_deployment_without_a_channel_or_key_is_a_clear_503(staff, local_ivs, call, missing):
    local_ivs(RtmpSource(port=free_port()))

    status, _, body = call(staff["host"], **{missing.value: None})

    assert status == 503
    assert body["code"] == "unavailable"
    assert missing.value in body["message"]


def test_a_stream_key_that_ivs_does_not_know_is_a_clear_503(
    staff, local_ivs, call, cart_environment
):
    local_ivs(RtmpSource(port=free_port()))
    other = cart_environment[Env.STREAM_KEY_ARN] + "x"

    status, _, body = call(staff["admin"], **{Env.STREAM_KEY_ARN.value: other})

    assert status == 503
    assert "IVS GetStreamKey answered ResourceNotFoundException" in body["message"]


def test_an_unreachable_ivs_is_a_clear_503_not_a_500(staff, call, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_IVS", f"http://127.0.0.1:{free_port()}/local/ivs")

    status, _, body = call(staff["host"])

    assert status == 503
    assert "IVS GetChannel could not be reached" in body["message"]
    assert "Traceback" not in json.dumps(body)
