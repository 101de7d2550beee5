"""The featured product's timed-metadata cue: within IVS's 5 calls/s and 1 KB, retried with
jittered backoff when throttled, dropped when a newer product was featured meanwhile."""

import json
import uuid

import pytest

from functions.chat.actions.show import cue, send_cue
from functions.chat.dal import room
from functions.chat.logic.frames import ProductCard
from tests.unit.common.fake_streaming import FakeStreaming

pytestmark = pytest.mark.integration

CHANNEL = "arn:aws:ivs:us-east-1:123456789012:channel/cue-tests"
HANDLER = "functions.chat.handlers.staff_actions.handler"


def card(sku: str, **fields) -> ProductCard:
    return ProductCard(sku=sku, name="Cloud Runner", price="89.90", currency="EUR", **fields)


@pytest.fixture
def show(as_function):
    with as_function(HANDLER):
        yield f"show-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def streaming() -> FakeStreaming:
    fake = FakeStreaming()
    fake.go_live(CHANNEL)
    return fake


def test_a_throttled_cue_is_retried_with_growing_jittered_backoff(show, streaming):
    room.set_featured(show, card("SKU-1"), 0)
    streaming.throttled = 2
    sleeps: list[float] = []
    assert send_cue(streaming, CHANNEL, show, card("SKU-1"), sleep=sleeps.append) == "on the video"
    assert [payload["sku"] for _, payload in streaming.cues] == ["SKU-1"]
    assert len(sleeps) == 2
    assert 0.1 <= sleeps[0] <= 0.2 < sleeps[1] <= 0.4  # full range: half to all of the backoff


def test_a_cue_made_obsolete_by_a_newer_product_is_dropped(show, streaming):
    room.set_featured(show, card("SKU-1"), 0)
    streaming.throttled = 5

    def moderator_moves_on(seconds: float) -> None:
        room.set_featured(show, card("SKU-2"), 3)

    outcome = send_cue(streaming, CHANNEL, show, card("SKU-1"), sleep=moderator_moves_on)
    assert outcome == "superseded by a newer featured product"
    assert streaming.cues == []


def test_a_cue_gives_up_within_its_time_budget(show, streaming, monkeypatch):
    room.set_featured(show, card("SKU-1"), 0)
    streaming.throttled = 1_000
    clock = [0.0]
    monkeypatch.setattr("functions.chat.actions.show.time.monotonic", lambda: clock[0])

    def advance(seconds: float) -> None:
        clock[0] += seconds

    outcome = send_cue(streaming, CHANNEL, show, card("SKU-1"), sleep=advance)
    assert "throttling" in outcome
    assert clock[0] <= 2.5


def test_an_offline_channel_is_said_not_raised(show):
    offline = FakeStreaming()
    assert "offline" in send_cue(offline, CHANNEL, show, card("SKU-1"), sleep=lambda s: None)


def test_the_cue_stays_under_1_kb_whatever_the_image_url():
    payload = cue(card("SKU-1", image_url="https://img.example/" + "x" * 2_000))
    assert len(json.dumps(payload, separators=(",", ":")).encode()) <= 1024
    assert payload["image_url"] == ""
    assert payload["type"] == "product"
