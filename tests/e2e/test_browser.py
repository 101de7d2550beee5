"""The pages in a real Chromium (Debian's, driven by Playwright) against the running runtime."""

import pytest

from local.seed import DEMO_SHOW_ID, STAFF_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_the_viewer_page_plays_the_local_stream(vitrine, page):
    from playwright.sync_api import expect

    page.goto(f"{vitrine.base_url}/?show={DEMO_SHOW_ID}&utm_source=newsletter")
    body = page.locator("body")
    expect(body).to_have_attribute("data-player-state", "Playing", timeout=45_000)
    expect(body).to_have_attribute("data-socket-state", "open", timeout=15_000)
    expect(body).to_have_attribute("data-show-state", "ready")
    expect(page.locator(".product")).to_have_count(3)
    images = page.locator(".product img")
    expect(images).to_have_count(3)
    assert all(width > 0 for width in images.evaluate_all("els => els.map(e => e.naturalWidth)"))
    # The video really advances: Playing is not just a state label.
    start = page.evaluate("document.querySelector('video').currentTime")
    page.wait_for_timeout(2_000)
    assert page.evaluate("document.querySelector('video').currentTime") > start


def test_staff_sign_in_on_the_host_console(vitrine, page):
    from playwright.sync_api import expect

    page.goto(f"{vitrine.base_url}/host.html")
    body = page.locator("body")
    expect(body).to_have_attribute("data-auth-state", "signed-out", timeout=15_000)
    page.get_by_label("Username").fill("hana")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("wrong username or password", exact=False)).to_be_visible()
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(body).to_have_attribute("data-auth-state", "signed-in", timeout=15_000)
    expect(body).to_have_attribute("data-staff-role", "host")


def test_the_sign_in_form_cannot_be_sent_before_the_console_script_runs(vitrine, page):
    """A click before the script loads would submit the form natively, password in the URL."""
    from playwright.sync_api import expect

    page.route("**/*.js", lambda route: route.abort())
    page.goto(f"{vitrine.base_url}/host.html")
    expect(page.get_by_role("button", name="Sign in")).to_be_disabled()
    page.get_by_label("Username").fill("max")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_timeout(500)
    assert "password" not in page.url
