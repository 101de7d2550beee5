from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from functions.common.events import (
    EVENT_TYPES,
    CartItemAdded,
    ChatPosted,
    ViewerJoined,
    parse_event,
)

DESIGN_VOCABULARY = {
    "viewer.joined", "viewer.left", "viewer.heartbeat", "chat.posted", "chat.deleted",
    "chat.pinned", "reaction.sent", "product.featured", "chapter.marked", "poll.opened",
    "poll.answered", "poll.closed", "promo.pushed", "cart.item_added", "cart.checked_out",
    "calendar.added", "replay.viewed", "show.started", "show.ended",
}  # fmt: skip
# What the show room adds (docs/architecture.md §4): moderation and contests leave a trail too.
ROOM_VOCABULARY = {
    "chat.unpinned", "viewer.muted", "viewer.banned", "room.slow_mode_set",
    "contest.opened", "contest.entered", "contest.drawn",
}  # fmt: skip
# What commerce adds: units going back on sale, and the orders storefronts confirm (revenue).
COMMERCE_VOCABULARY = {"cart.item_removed", "order.confirmed"}


def test_vocabulary_is_the_design_plus_the_room():
    assert EVENT_TYPES == DESIGN_VOCABULARY | ROOM_VOCABULARY | COMMERCE_VOCABULARY


def test_parse_picks_the_model_from_the_type():
    event = parse_event(
        {"type": "cart.item_added", "show_id": "s1", "cart_id": "c1", "product_sku": "P-1",
         "sku": "SKU-1", "quantity": 2, "unit_price": "19.90", "currency": "EUR", "mode": "replay",
         "offset_seconds": 754.5}
    )  # fmt: skip
    assert isinstance(event, CartItemAdded)
    assert str(event.unit_price) == "19.90"
    assert event.mode == "replay"


def test_round_trip_through_json_keeps_every_field():
    event = ChatPosted(show_id="s1", viewer_id="v1", author_name="Ana", text="Is it waterproof?")
    assert parse_event(event.model_dump_json()) == event


@pytest.mark.parametrize(
    "data",
    [
        {"type": "no.such.event", "show_id": "s1"},
        {"type": "chat.posted", "show_id": "s1", "author_name": "A", "text": ""},
        {"type": "cart.item_added", "show_id": "s1", "cart_id": "c", "product_sku": "p",
         "sku": "x", "quantity": 0, "unit_price": "1", "currency": "EUR", "mode": "live",
         "offset_seconds": 0},
        {"type": "viewer.joined", "show_id": "s1", "unexpected": True},
        {"type": "viewer.joined", "show_id": "bad id with spaces"},
    ],
)  # fmt: skip
def test_bad_events_are_refused(data):
    with pytest.raises(ValidationError):
        parse_event(data)


def test_sort_key_orders_events_by_time():
    start = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    first = ViewerJoined(show_id="s1", at=start)
    later = ViewerJoined(show_id="s1", at=start + timedelta(milliseconds=5))
    assert first.sort_key < later.sort_key


def test_events_are_immutable():
    event = ViewerJoined(show_id="s1")
    with pytest.raises(ValidationError):
        event.show_id = "s2"
