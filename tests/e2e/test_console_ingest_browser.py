"""The console's Studio tab in Chromium at phone size: a host reads the encoder settings from
GET /studio/ingest (key masked until "Show"), a moderator is not offered them, and the test
pattern channel's answer says how to take an encoder."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from local.seed import DEMO_SHOW_ID, STAFF_PASSWORD
from tests.conftest import free_port
from tests.e2e.conftest import RunningVitrine, phone_context, screenshot, start_vitrine

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def rtmp_vitrine(template_path, tmp_path_factory) -> Iterator[RunningVitrine]:
    """`make dev ARGS="--source rtmp --rtmp-host 0.0.0.0"`: an ingest a phone on the LAN can
    reach, which IVS's GetChannel reports as 0.0.0.0:<port>."""
    running = start_vitrine(
        template_path,
        tmp_path_factory.mktemp("vitrine-rtmp"),
        *("--source", "rtmp", "--rtmp-port", str(free_port()), "--rtmp-host", "0.0.0.0"),
    )
    yield running
    running.stop()


@dataclass
class Phone:
    page: Any  # playwright's Page
    ingest_requests: list[str] = field(default_factory=list)  # what asked GET /studio/ingest


@pytest.fixture
def phone(browser) -> Iterator[Phone]:
    """A phone-sized page that may use the clipboard (127.0.0.1 is a secure context)."""
    context = phone_context(browser)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    phone = Phone(context.new_page())
    errors: list[str] = []
    phone.page.on("pageerror", lambda error: errors.append(str(error)))
    phone.page.on(
        "request",
        lambda request: (
            phone.ingest_requests.append(request.url) if "/studio/ingest" in request.url else None
        ),
    )
    yield phone
    context.close()
    assert not errors, errors


def open_studio(page, base_url: str, username: str, show_id: str):
    """Sign in as `username`, open the show, tap the Studio tab: the #ingest box."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/host.html")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("body")).to_have_attribute("data-auth-state", "signed-in", timeout=30_000)
    page.locator(f"#show-list li[data-show-id='{show_id}']").get_by_role("button").first.click()
    expect(page.locator("body")).to_have_attribute("data-room-state", "joined", timeout=30_000)
    page.get_by_role("tab", name="Studio").click()
    return page.locator("#ingest")


def test_a_host_copies_the_server_and_the_key_shown_only_on_request(rtmp_vitrine, phone):
    from playwright.sync_api import expect

    box = open_studio(phone.page, rtmp_vitrine.base_url, "hana", DEMO_SHOW_ID)

    expect(box).to_have_attribute("data-ingest-state", "ready", timeout=20_000)
    server = box.get_by_label("Server")
    key = box.get_by_label("Stream key")
    # The wildcard address is shown as the one this page came from (a phone: the LAN's).
    expect(server).to_have_value(f"rtmp://127.0.0.1:{rtmp_port(rtmp_vitrine)}/app/")
    expect(key).to_have_attribute("type", "password")  # masked until asked for
    expect(key).to_have_value("local")
    box.scroll_into_view_if_needed()
    screenshot(phone.page, "console-studio-ingest-masked")

    box.get_by_role("button", name="Show").click()
    expect(key).to_have_attribute("type", "text")
    expect(box.get_by_role("button", name="Hide")).to_be_visible()
    screenshot(phone.page, "console-studio-ingest-shown")

    # Each field's last button is its Copy (its label turns to "Copied" for a moment).
    copy_key = box.locator(".hc-copy-field", has_text="Stream key").locator("button").last
    copy_key.click()
    expect(copy_key).to_have_text("Copied")
    assert phone.page.evaluate("navigator.clipboard.readText()") == "local"
    box.locator(".hc-copy-field", has_text="Server").locator("button").last.click()
    assert phone.page.evaluate("navigator.clipboard.readText()") == server.input_value()


def test_the_test_pattern_channel_shows_the_routes_message_and_a_retry(vitrine, show_id, phone):
    from playwright.sync_api import expect

    box = open_studio(phone.page, vitrine.base_url, "hana", show_id)

    expect(box).to_have_attribute("data-ingest-state", "error", timeout=20_000)
    expect(box.get_by_role("alert")).to_contain_text("takes no encoder right now")
    expect(box.get_by_role("alert")).to_contain_text('make dev ARGS="--source rtmp"')
    assert box.get_by_label("Stream key").count() == 0
    box.scroll_into_view_if_needed()
    screenshot(phone.page, "console-studio-ingest-no-encoder")
    asked = len(phone.ingest_requests)

    box.get_by_role("button", name="Try again").click()

    expect(box).to_have_attribute("data-ingest-state", "error", timeout=20_000)
    assert len(phone.ingest_requests) == asked + 1


def test_a_moderator_is_not_offered_the_key_and_the_console_does_not_ask(vitrine, show_id, phone):
    from playwright.sync_api import expect

    box = open_studio(phone.page, vitrine.base_url, "max", show_id)

    expect(box).to_have_attribute("data-ingest-state", "not-allowed")
    expect(box).to_contain_text("The host or an admin holds the stream key")
    assert phone.ingest_requests == []


def rtmp_port(running: RunningVitrine) -> int:
    """The RTMP port the runtime was started with (its command line)."""
    arguments = running.process.args
    return int(arguments[arguments.index("--rtmp-port") + 1])
