"""`make dev` for real: the runtime process, real HTTP and WebSocket clients, boto3 against
its @connections API and its embedded AWS."""

import json
import os
import re
import time
import uuid

import boto3
import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from local.seed import DEMO_SHOW_ID
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def aws(vitrine, service: str):
    return boto3.client(
        service, endpoint_url=vitrine.aws_endpoint, region_name=os.environ["AWS_REGION"]
    )


def socket_url(vitrine, viewer: str, show: str = DEMO_SHOW_ID, **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"show": show, "viewer": viewer, **extra}.items())
    return f"{vitrine.ws_url}?{query}"


def stored_connection(vitrine, name: str, attribute: str = "viewer_id") -> dict | None:
    """The connection record whose `attribute` is `name`, as the $connect handler wrote it."""
    dynamodb = aws(vitrine, "dynamodb")
    (table,) = [t for t in dynamodb.list_tables()["TableNames"] if "Connections" in t]
    items = dynamodb.scan(TableName=table)["Items"]
    return next((i for i in items if i.get(attribute, {}).get("S") == name), None)


def test_serves_the_viewer_page_its_config_and_the_api(vitrine):
    page = httpx.get(f"{vitrine.base_url}/?show={DEMO_SHOW_ID}")
    assert page.status_code == 200
    assert 'data-page="viewer"' in page.text
    config = vitrine.config()
    assert config["apiUrl"] == f"{vitrine.base_url}/api"
    assert config["userPoolId"]
    assert config["userPoolClientId"]
    health = httpx.get(f"{config['apiUrl']}/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    show = httpx.get(f"{config['apiUrl']}/shows/{DEMO_SHOW_ID}").json()
    assert len(show["products"]) == 3
    assert config["allowedOrigins"] == ["*"]
    assert config["timeZone"] == show["time_zone"] == "UTC"


def test_the_pages_carry_the_distributions_headers_so_brand_sites_may_frame_them(vitrine):
    """The template's CloudFront policy (infra/web), not X-Frame-Options: the embed works."""
    page = httpx.get(f"{vitrine.base_url}/embed-demo.html")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == "frame-ancestors 'self' *"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "x-frame-options" not in page.headers
    assert "content-security-policy" not in httpx.get(f"{vitrine.base_url}/config.json").headers


def media_playlist(url: str) -> tuple[str, str]:
    """(url, text) of the media playlist, following a master playlist's first variant."""
    text = httpx.get(url).text
    if "#EXT-X-STREAM-INF" in text:
        variant = next(line for line in text.splitlines() if line and not line.startswith("#"))
        url = str(httpx.URL(url).join(variant))
        text = httpx.get(url).text
    return url, text


def test_the_live_hls_playlist_advances(vitrine):
    playback_url = vitrine.config()["playbackUrl"]
    url, first = media_playlist(playback_url)
    assert first.startswith("#EXTM3U")
    sequence = int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", first).group(1))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        time.sleep(1)
        _, text = media_playlist(playback_url)
        if int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text).group(1)) > sequence:
            segment = next(line for line in text.splitlines() if line and line[0] != "#")
            assert httpx.get(str(httpx.URL(url).join(segment))).status_code == 200
            return
    pytest.fail(f"the playlist did not advance in 20 s:\n{first}")


def test_a_viewer_connects_and_the_connect_handler_records_it(vitrine):
    with connect(socket_url(vitrine, "e2e-viewer", device="mobile")) as socket:
        stored = stored_connection(vitrine, "e2e-viewer")
        assert stored is not None, "the $connect handler did not record the connection"
        assert stored["show_id"]["S"] == DEMO_SHOW_ID
        assert stored["device"]["S"] == "mobile"
        socket.send(json.dumps({"action": "ping"}))
        assert direct_answer(socket) == {"type": "pong"}
    deadline = time.monotonic() + 10
    while stored_connection(vitrine, "e2e-viewer") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stored_connection(vitrine, "e2e-viewer") is None, "$disconnect did not run"


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ("{not json", "malformed_json"),
        ('"just a string"', "missing_action"),
        ('{"action": "no-such-action"}', "unknown_action"),
        ("", "empty_frame"),
    ],
)
def test_malformed_frames_get_an_error_frame_and_the_socket_stays_open(vitrine, frame, error):
    with connect(socket_url(vitrine, "e2e-bad-frames")) as socket:
        socket.send(frame)
        answer = direct_answer(socket)
        assert answer["type"] == "error"
        assert answer["error"] == error
        socket.send(json.dumps({"action": "ping"}))
        assert direct_answer(socket) == {"type": "pong"}
    assert httpx.get(f"{vitrine.base_url}/local/health").status_code == 200


def direct_answer(socket) -> dict:
    """The next frame meant for this connection: the room's broadcasts to the demo show (the
    viewer count, other tests' chat) may come first."""
    while (frame := json.loads(socket.recv(timeout=10)))["type"] == "updates":
        pass
    return frame


def test_a_binary_frame_closes_the_connection_like_api_gateway(vitrine):
    with connect(socket_url(vitrine, "e2e-binary")) as socket:
        socket.send(b"\x00\x01binary")
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd.code == 1003


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("show=no-such-show&viewer=v", 404),
        ("viewer=v", 401),  # no identity source: API Gateway refuses before the authorizer
        ("show=demo-show", 400),
        ("show=demo-show&viewer=a b", 400),
    ],
)
def test_bad_connection_requests_are_refused_with_a_status(vitrine, query, status):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{vitrine.ws_url}?{query}").close()
    assert refused.value.response.status_code == status


def test_staff_connect_with_their_token_and_a_bad_token_is_refused(vitrine):
    token = sign_in(vitrine, "max")
    with connect(socket_url(vitrine, "staff-max", token=token)):
        stored = stored_connection(vitrine, "max", attribute="display_name")
        assert stored["role"]["S"] == "moderator"
        assert stored["viewer_id"]["S"] != "staff-max"  # the token's subject, not the query
    with pytest.raises(InvalidStatus) as refused:
        connect(socket_url(vitrine, "staff-max", token=token[:-6] + "AAAAAA")).close()
    assert refused.value.response.status_code == 403


def not_a_broadcast(socket) -> str | bytes:
    """The next frame that is not the room's fan-out: the demo show's viewer count reaches
    this connection too, whenever the fan-out's window closes."""
    while True:
        frame = socket.recv(timeout=10)
        if not (isinstance(frame, str) and json.loads(frame).get("type") == "updates"):
            return frame


def test_the_connections_api_works_with_boto3(vitrine):
    management = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"{vitrine.base_url}/local",
        region_name=os.environ["AWS_REGION"],
    )
    with connect(socket_url(vitrine, "e2e-managed")) as socket:
        socket.send(json.dumps({"action": "ping"}))
        socket.recv(timeout=10)
        connection_id = stored_connection(vitrine, "e2e-managed")["connection_id"]["S"]
        described = management.get_connection(ConnectionId=connection_id)
        assert described["Identity"]["SourceIp"] == "127.0.0.1"
        management.post_to_connection(ConnectionId=connection_id, Data=b'{"hello": "viewer"}')
        frame = not_a_broadcast(socket)
        assert isinstance(frame, str)  # a text frame, as browsers' JSON.parse(event.data) needs
        assert json.loads(frame) == {"hello": "viewer"}
        management.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            not_a_broadcast(socket)
    with pytest.raises(management.exceptions.GoneException):
        management.post_to_connection(ConnectionId=connection_id, Data=b"late")


def test_bad_rest_bodies_get_a_400_and_the_gateway_survives(vitrine):
    api = vitrine.config()["apiUrl"]
    headers = {"authorization": f"Bearer {sign_in(vitrine, 'hana')}"}
    for body in ("{oops", "[]", '{"show_id": "x"}'):
        answer = httpx.post(
            f"{api}/shows", content=body, headers=headers | {"content-type": "application/json"}
        )
        assert answer.status_code == 400, answer.text
        assert answer.json()["message"]
    for unknown in (httpx.get(f"{api}/no/such/route"), httpx.delete(f"{api}/health")):
        assert unknown.status_code == 403  # as API Gateway answers an undefined resource
        assert unknown.json() == {"message": "Missing Authentication Token"}
    assert httpx.get(f"{api}/health").status_code == 200


def test_the_log_shows_one_line_per_invocation_and_each_function_has_its_log_file(vitrine):
    viewer = f"e2e-log-{uuid.uuid4().hex[:8]}"
    with connect(socket_url(vitrine, viewer)) as socket:
        socket.send(json.dumps({"action": "ping"}))
        socket.recv(timeout=10)
    deadline = time.monotonic() + 10
    while "ws $disconnect" not in vitrine.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    lines = vitrine.log().splitlines()
    connects = [line for line in lines if re.search(r"ChatConnectHandler +ws \$connect", line)]
    assert connects, "no line for the $connect invocation"
    assert re.search(r"\d+\.\d ms +(cold \d+ ms init|warm) +ok$", connects[-1])
    assert any(re.search(r"ChatDefaultHandler +ws \$default", line) for line in lines)
    assert not any('"level":' in line for line in lines)  # Powertools' JSON stays in the files
    function_log = (vitrine.work_dir / "logs" / "ChatConnectHandler.log").read_text()
    assert '"message":"connected"' in function_log  # Powertools' JSON, with Lambda's context
    assert '"function_name":"VitrineStack-ChatConnectHandler' in function_log


def test_the_control_apis_answer_this_machines_programs_not_browsers(vitrine):
    invoke = f"{vitrine.base_url}/local/lambda/2015-03-31/functions/no-such-function/invocations"
    from_a_page = httpx.post(invoke, content=b"{}", headers={"origin": "https://evil.example"})
    assert from_a_page.status_code == 403
    from_a_program = httpx.post(invoke, content=b"{}")
    assert from_a_program.status_code == 404  # past the guard: Lambda's answer
    assert from_a_program.headers["x-amzn-errortype"] == "ResourceNotFoundException"
    queued = httpx.post(invoke, content=b"{}", headers={"x-amz-invocation-type": "Event"})
    assert queued.status_code == 404  # refused at once, as Lambda does, not queued and lost
    # The browser's own pass-through (staff sign-in) is not a control API.
    cognito = httpx.post(f"{vitrine.base_url}/local/cognito/", content=b"{}",
                         headers={"origin": vitrine.base_url})  # fmt: skip
    assert cognito.status_code != 403
