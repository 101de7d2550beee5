"""GET /studio/ingest through `make dev` for real: the gateway, the REST API function in its
own worker with its role checked on every IVS call, and the local IVS API of the template's
channel and stream key. The session runtime broadcasts its test pattern (no encoder can
publish); a second one runs with `--source rtmp`, whose answer an encoder then publishes to."""

from collections.abc import Iterator

import httpx
import pytest

from local.seed import STAFF
from tests.conftest import free_port
from tests.e2e.conftest import RunningVitrine, sign_in, start_vitrine
from tests.integration.local.test_ivs_channel import eventually, publish

pytestmark = pytest.mark.e2e


def ingest(vitrine: RunningVitrine, token: str | None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{vitrine.base_url}/api/studio/ingest", headers=headers, timeout=30)


def staff_tokens(vitrine: RunningVitrine) -> dict[str, str]:
    """An ID token per staff role, signed in as the console does (Cognito via the gateway)."""
    return {role: sign_in(vitrine, username) for username, role in STAFF}


@pytest.fixture(scope="module")
def rtmp_vitrine(template_path, tmp_path_factory) -> Iterator[RunningVitrine]:
    """`make dev ARGS="--source rtmp"` on a free RTMP port: the channel waits for an encoder."""
    running = start_vitrine(
        template_path,
        tmp_path_factory.mktemp("vitrine-rtmp"),
        *("--source", "rtmp", "--rtmp-port", str(free_port())),
    )
    yield running
    running.stop()


@pytest.mark.parametrize(
    ("role", "status"), [(None, 401), ("moderator", 403), ("host", 409), ("admin", 409)]
)
def test_the_test_pattern_channel_tells_hosts_and_admins_how_to_take_an_encoder(
    vitrine, tokens, role, status
):
    answer = ingest(vitrine, tokens[role] if role else None)

    assert answer.status_code == status, answer.text
    if status == 409:
        assert 'start with `make dev ARGS="--source rtmp"`' in answer.json()["message"]
        assert answer.headers["cache-control"] == "no-store"


def test_an_encoder_that_publishes_to_the_answer_puts_the_channel_live(rtmp_vitrine):
    tokens = staff_tokens(rtmp_vitrine)
    assert ingest(rtmp_vitrine, None).status_code == 401
    refused = ingest(rtmp_vitrine, tokens["moderator"])
    assert refused.status_code == 403
    assert "stream_key" not in refused.text

    answer = ingest(rtmp_vitrine, tokens["host"])

    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    details = answer.json()
    assert details["server"].startswith("rtmp://127.0.0.1:")
    assert details["server"].endswith("/app/")
    assert ingest(rtmp_vitrine, tokens["admin"]).json() == details
    # What OBS does with the two fields: publish to server + key. The channel goes live.
    playlist = rtmp_vitrine.config()["playbackUrl"]
    assert httpx.get(playlist, timeout=5).status_code == 404  # no encoder yet
    encoder = publish(details["server"] + details["stream_key"], seconds=60, size="640x360")
    try:
        eventually(
            lambda: httpx.get(playlist, timeout=5).status_code == 200,
            timeout=30,
            what="the live playlist of the encoder's stream",
        )
    finally:
        encoder.kill()
        encoder.wait()
    assert "Traceback" not in rtmp_vitrine.log()
