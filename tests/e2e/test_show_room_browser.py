"""The show room in Chromium: two viewers and a moderator on their pages, against the running
local runtime. Each page has its own browser context (its own anonymous viewer id)."""

import base64
import json
import os
import time

import boto3
import pytest

from local.seed import DEMO_PRODUCTS, STAFF_PASSWORD
from tests.e2e.conftest import phone_context, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

XSS_NAME = "<b>Eve</b>"
XSS_TEXT = '<img src=x onerror="window.__xss=1"> hello'


@pytest.fixture
def new_page(browser):
    """`new_page()`: a phone-sized page in a browser context of its own."""
    contexts = []
    errors: list[str] = []

    def open_page():
        context = phone_context(browser)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, errors


def open_viewer(page, base_url: str, show_id: str, name: str):
    from playwright.sync_api import expect

    page.goto(f"{base_url}/?show={show_id}")
    expect(page.locator("body")).to_have_attribute("data-room-state", "joined", timeout=30_000)
    page.get_by_label("Message").fill(f"hi, I am {name}")
    page.get_by_role("button", name="Send").click()
    sheet = page.locator("#name-sheet")
    expect(sheet).to_be_visible()
    sheet.get_by_label("Your name in the chat").fill(name)
    sheet.get_by_role("button", name="Start chatting").click()
    return page


def open_console(page, base_url: str, show_id: str):
    from playwright.sync_api import expect

    page.goto(f"{base_url}/host.html")
    page.get_by_label("Username").fill("max")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("body")).to_have_attribute("data-auth-state", "signed-in", timeout=30_000)
    page.locator(f"#show-list li[data-show-id='{show_id}']").get_by_role("button").first.click()
    expect(page.locator("body")).to_have_attribute("data-room-state", "joined", timeout=30_000)
    return page


def chat_line(page, text: str):
    return page.locator("#chat li.message").filter(has_text=text)


def console_row(page, text: str):
    return page.locator("#message-list li[data-message-id]").filter(has_text=text)


def row_action(page, text: str, action: str) -> None:
    row = console_row(page, text)
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name=action, exact=True).click()


def test_two_viewers_and_a_moderator(vitrine, show_id, new_page):
    from playwright.sync_api import expect

    ana = open_viewer(new_page(), vitrine.base_url, show_id, "Ana")
    eve = open_viewer(new_page(), vitrine.base_url, show_id, XSS_NAME)
    moderator = open_console(new_page(), vitrine.base_url, show_id)

    # A chat message reaches the other viewer (and the console), author from the connection.
    expect(chat_line(eve, "hi, I am Ana")).to_be_visible(timeout=20_000)
    expect(console_row(moderator, "hi, I am Ana")).to_be_visible(timeout=20_000)

    # Markup in a display name and in a message renders as text, never as HTML.
    eve.wait_for_timeout(1_100)  # one message a second per viewer
    eve.get_by_label("Message").fill(XSS_TEXT)
    eve.get_by_role("button", name="Send").click()
    line = chat_line(ana, "hello")
    expect(line).to_be_visible(timeout=20_000)
    expect(line).to_contain_text(XSS_TEXT)
    expect(line).to_contain_text(XSS_NAME)
    assert line.locator("img, b").count() == 0
    assert ana.evaluate("window.__xss") is None

    # The moderator features a product: the card appears on both viewer pages.
    sku = DEMO_PRODUCTS[1].sku
    moderator.get_by_role("tab", name="Products").click()
    moderator.locator(f"#product-rundown li[data-sku='{sku}']").get_by_role(
        "button", name="Feature"
    ).click()
    for viewer in (ana, eve):
        card = viewer.locator("#product-card")
        expect(card).to_be_visible(timeout=30_000)
        expect(card).to_have_attribute("data-sku", sku)
        expect(card).to_contain_text(DEMO_PRODUCTS[1].name)

    # Pin, then delete: both take effect on the viewers' pages.
    moderator.get_by_role("tab", name="Chat").click()
    row_action(moderator, "hi, I am Ana", "Pin")
    expect(eve.locator("#pinned")).to_contain_text("hi, I am Ana", timeout=20_000)
    row_action(moderator, "hello", "Delete")
    expect(chat_line(ana, "hello")).to_have_count(0, timeout=20_000)

    # A poll is answered and its results shown.
    moderator.get_by_role("tab", name="Engage").click()
    moderator.get_by_label("Question", exact=True).fill("Black or tan?")
    moderator.get_by_label("Option 1", exact=True).fill("Black")
    moderator.get_by_label("Option 2", exact=True).fill("Tan")
    moderator.get_by_role("button", name="Open poll").click()
    poll = ana.locator("#poll-card")
    expect(poll).to_be_visible(timeout=20_000)
    poll.locator(".option-button").filter(has_text="Tan").click()
    expect(poll.locator(".poll-option.chosen")).to_contain_text("Tan", timeout=20_000)
    expect(moderator.locator("#poll-results li[data-option='1']")).to_have_attribute(
        "data-votes", "1", timeout=20_000
    )
    screenshot(ana, "viewer-live-room")
    screenshot(moderator, "console-engage")

    # A ban closes Eve's room; her page says so and stops reconnecting.
    moderator.get_by_role("tab", name="Chat").click()
    row_action(moderator, "hi, I am <b>Eve</b>", "Ban")
    moderator.locator("#confirm-dialog").get_by_role("button", name="Ban viewer").click()
    expect(eve.locator("body")).to_have_attribute("data-notice", "banned", timeout=20_000)
    screenshot(eve, "viewer-banned")
    eve.reload()
    expect(eve.locator("body")).to_have_attribute("data-notice", "banned", timeout=20_000)
    expect(eve.locator("body")).not_to_have_attribute("data-room-state", "joined")
    screenshot(moderator, "console-chat")


def test_the_product_card_appears_with_the_video_on_the_players_cue(
    vitrine, show_id, join, new_page
):
    """Live, the card follows the video: the IVS player's TEXT_METADATA_CUE (the local stand-in
    puts PutMetadata's cue into its HLS) shows it, not only the room's WebSocket copy."""
    from playwright.sync_api import expect

    host = join(role="host")
    assert host.request("arm_show", timeout=30)["type"] == "ack"
    try:
        viewer = new_page()
        viewer.goto(f"{vitrine.base_url}/?show={show_id}")
        body = viewer.locator("body")
        expect(body).to_have_attribute("data-show-status", "live", timeout=45_000)
        expect(body).to_have_attribute("data-player-state", "Playing", timeout=60_000)

        sku = DEMO_PRODUCTS[2].sku
        assert host.request("feature_product", sku=sku)["type"] == "ack"
        card = viewer.locator("#product-card")
        # Shown by the cue, or by the room first and then confirmed by the cue: either way the
        # player raised the cue for this product.
        expect(card).to_have_attribute("data-shown-by", "cue", timeout=45_000)
        expect(card).to_have_attribute("data-sku", sku)
        expect(card).to_contain_text(DEMO_PRODUCTS[2].name)
        screenshot(viewer, "viewer-live-product-card")
    finally:
        assert host.request("end_show", timeout=30)["type"] == "ack"


def drop_console_connection(vitrine, show_id: str) -> None:
    """Closes the console's WebSocket from the server side, as API Gateway does at its 2 h
    limit or after 10 idle minutes: the console must reconnect by itself."""
    dynamodb = boto3.client("dynamodb", endpoint_url=vitrine.aws_endpoint)
    (table,) = [t for t in dynamodb.list_tables()["TableNames"] if "Connections" in t]
    items = dynamodb.scan(TableName=table)["Items"]
    (connection,) = [
        item["connection_id"]["S"]
        for item in items
        if item["show_id"]["S"] == show_id and item["role"]["S"] == "moderator"
        and not item.get("gone", {}).get("BOOL")
    ]  # fmt: skip
    management = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"{vitrine.base_url}/local",
        region_name=os.environ["AWS_REGION"],
    )
    management.delete_connection(ConnectionId=connection)


def expire_stored_token(page) -> str:
    """Makes the console's stored ID token look expired (its payload's `exp` in the past; the
    signature no longer matches, so the server would refuse it): the console must not send it."""
    token = page.evaluate("sessionStorage.getItem('vitrine.idToken')")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] = int(time.time()) - 10
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    expired = f"{header}.{forged}.{signature}"
    page.evaluate("token => sessionStorage.setItem('vitrine.idToken', token)", expired)
    return expired


def test_the_console_renews_an_expired_sign_in_when_it_reconnects(vitrine, show_id, new_page):
    """ID tokens last an hour, shows can last longer: a reconnecting console renews its token
    with the refresh token, and asks for a new sign-in only when Cognito refuses that."""
    from playwright.sync_api import expect

    console = open_console(new_page(), vitrine.base_url, show_id)
    body = console.locator("body")
    expired = expire_stored_token(console)
    drop_console_connection(vitrine, show_id)
    expect(body).to_have_attribute("data-room-state", "waiting", timeout=20_000)
    expect(body).to_have_attribute("data-room-state", "joined", timeout=30_000)
    renewed = console.evaluate("sessionStorage.getItem('vitrine.idToken')")
    assert renewed != expired
    assert body.get_attribute("data-auth-state") == "signed-in"

    # A refresh token Cognito refuses (expired, revoked): sign in again, back to the same show.
    expire_stored_token(console)
    console.evaluate("sessionStorage.setItem('vitrine.refreshToken', 'revoked')")
    drop_console_connection(vitrine, show_id)
    expect(body).to_have_attribute("data-auth-state", "signed-out", timeout=30_000)
    expect(console.locator("#console-notice")).to_contain_text("sign-in has expired")
    console.get_by_label("Username").fill("max")
    console.get_by_label("Password").fill(STAFF_PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    expect(body).to_have_attribute("data-room-state", "joined", timeout=30_000)
    expect(body).to_have_attribute("data-show-id", show_id)
