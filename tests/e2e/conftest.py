"""End-to-end fixtures: the local runtime started for real, as `make dev` starts it."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import httpx
import pytest

from local.seed import DEMO_PRODUCTS, STAFF, STAFF_PASSWORD
from tests.conftest import free_port
from tests.e2e.room_client import RoomClient

ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = ROOT / "web" / "dist"
READY_LINE = "Press Ctrl-C to stop."


@dataclass
class RunningVitrine:
    process: subprocess.Popen
    base_url: str
    aws_endpoint: str
    work_dir: Path
    log_path: Path

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ws"

    def config(self) -> dict:
        with urllib.request.urlopen(f"{self.base_url}/config.json", timeout=10) as answer:
            return json.load(answer)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """Ctrl-C, as a developer would, and wait for a clean exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                raise
        return self.process.returncode


def start_vitrine(
    template: Path, work_dir: Path, *extra: str, timeout: float = 90
) -> RunningVitrine:
    port, aws_port = free_port(), free_port()
    log_path = work_dir / "vitrine.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env |= {"PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--port", str(port), "--aws-port", str(aws_port),
         "--template", str(template), "--web-dir", str(WEB_DIST), "--work-dir", str(work_dir),
         *extra],
        cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: nothing leaks past the test
    )  # fmt: skip
    running = RunningVitrine(
        process, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{aws_port}", work_dir, log_path
    )
    deadline = time.monotonic() + timeout
    while READY_LINE not in running.log():
        if process.poll() is not None or time.monotonic() > deadline:
            running.stop()
            pytest.fail(f"the local runtime did not start:\n{running.log()}")
        time.sleep(0.2)
    return running


@pytest.fixture(scope="session")
def vitrine(template_path, tmp_path_factory) -> Iterator[RunningVitrine]:
    if not (WEB_DIST / "index.html").exists():
        pytest.fail(
            "web/dist is missing: `make test` builds it (cd web && npm ci && npm run build)"
        )
    running = start_vitrine(template_path, tmp_path_factory.mktemp("vitrine"))
    yield running
    running.stop()


# --- the show room: staff tokens, a new show per test, clients that joined it -----------------

SKUS = [product.sku for product in DEMO_PRODUCTS]


def sign_in(vitrine: RunningVitrine, username: str) -> str:
    """Staff sign-in the way the host console does it: Cognito's JSON API via the gateway."""
    config = vitrine.config()
    answer = httpx.post(
        config["cognitoEndpoint"],
        headers={
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
        json={
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": config["userPoolClientId"],
            "AuthParameters": {"USERNAME": username, "PASSWORD": STAFF_PASSWORD},
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["AuthenticationResult"]["IdToken"])


def rest(vitrine: RunningVitrine, method: str, path: str, token: str | None = None, **body):
    """The REST API's JSON answer to `method path` (a staff `token` if given); a status of 300
    or more fails the test with the answer."""
    headers = {"authorization": token} if token else {}
    answer = httpx.request(
        method, f"{vitrine.base_url}/api{path}", json=body or None, headers=headers, timeout=60
    )
    assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
    return answer.json()


@pytest.fixture(scope="session")
def tokens(vitrine) -> dict[str, str]:
    """An ID token per staff role, from the runtime's Cognito, for the seeded staff."""
    config = vitrine.config()
    cognito = boto3.client("cognito-idp", endpoint_url=vitrine.aws_endpoint)
    found = {}
    for username, role in STAFF:
        answer = cognito.initiate_auth(
            ClientId=config["userPoolClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": STAFF_PASSWORD},
        )
        found[role] = answer["AuthenticationResult"]["IdToken"]
    return found


@pytest.fixture
def show_id(vitrine, tokens) -> str:
    """A new show of the demo products, created through the REST API as a host would."""
    show = f"room-{uuid.uuid4().hex[:10]}"
    body = {
        "show_id": show,
        "title": "Winter boots live",
        "host_name": "Hana",
        "starts_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "product_skus": SKUS,
    }
    request = urllib.request.Request(
        f"{vitrine.base_url}/api/shows",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "authorization": tokens["host"]},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201
    return show


@pytest.fixture
def join(vitrine, show_id, tokens) -> Iterator[Callable[..., RoomClient]]:
    """`join("Ana")` a viewer, `join(role="moderator")` staff: connected and snapshot received."""
    clients: list[RoomClient] = []

    def connect(name: str = "", *, role: str | None = None, viewer: str | None = None,
                show: str | None = None) -> RoomClient:  # fmt: skip
        query = {"name": name} if name else {}
        if role:
            query["token"] = tokens[role]
        client = RoomClient(
            vitrine.ws_url, show or show_id, viewer or f"v-{uuid.uuid4().hex[:10]}", **query
        )
        clients.append(client)
        client.snapshot = client.join()
        return client

    yield connect
    for client in clients:
        client.close()


# --- Chromium (Debian's) driven by Playwright, at phone size -----------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The IVS player calls home (PoP discovery, device config): keep every lookup on loopback.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's, or set CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def phone_context(browser):
    """A phone-sized browser context that reaches only the local runtime: anything else is
    aborted, not waited for."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:"))
            else route.abort()
        ),
    )
    return context


@pytest.fixture
def page(browser):
    context = phone_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


ARTIFACTS = Path(os.environ.get("VITRINE_ARTIFACTS", ROOT / ".artifacts"))


def screenshot(page, name: str) -> Path:
    """Saved for people to look at (CI keeps .artifacts/): the suite does not compare them."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path
