"""Coalescing: a window of events becomes one bounded frame."""

from datetime import UTC, datetime, timedelta

from functions.chat.logic import updates
from functions.chat.logic.frames import PollView, StockChanged, VariantStockView
from functions.common.events import (
    CartCheckedOut,
    CartItemAdded,
    CartItemRemoved,
    ChatDeleted,
    ChatPosted,
    PollAnswered,
    PromoPushed,
    ReactionSent,
    ShowStarted,
    ViewerHeartbeat,
)

T0 = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def chat(n, at=None):
    return ChatPosted(show_id="s", viewer_id=f"v{n}", author_name=f"V{n}", text=f"m{n}",
                      message_id=f"m{n:04d}", at=at or T0 + timedelta(milliseconds=n))  # fmt: skip


def test_messages_keep_their_order_and_deleted_ones_are_left_out():
    events = [chat(2), chat(1), chat(3), ChatDeleted(show_id="s", message_id="m0003")]
    changes = updates.collect("s", events)
    assert [m.message_id for m in changes.messages] == ["m0001", "m0002"]
    assert changes.deleted == ["m0003"]


def test_reactions_are_summed_per_kind():
    events = [ReactionSent(show_id="s", reaction="like", count=3),
              ReactionSent(show_id="s", reaction="like", count=2),
              ReactionSent(show_id="s", reaction="fire")]  # fmt: skip
    items = updates.updates(updates.collect("s", events), updates.RoomState())
    (reactions,) = items
    assert reactions.counts == {"like": 5, "fire": 1}


def test_a_window_carries_at_most_the_cap_of_messages_newest_kept():
    events = [chat(n) for n in range(updates.MAX_MESSAGES_PER_WINDOW + 30)]
    changes = updates.collect("s", events)
    assert len(changes.messages) == updates.MAX_MESSAGES_PER_WINDOW
    assert changes.dropped_messages == 30
    assert changes.messages[-1].message_id == f"m{updates.MAX_MESSAGES_PER_WINDOW + 29:04d}"


def test_heartbeats_alone_change_nothing_anyone_sees():
    assert updates.collect("s", [ViewerHeartbeat(show_id="s")]).empty
    assert not updates.collect("s", [ShowStarted(show_id="s")]).empty


def test_poll_results_come_from_the_stored_poll_once_per_window():
    events = [PollAnswered(show_id="s", poll_id="p1", option_index=0) for _ in range(40)]
    changes = updates.collect("s", events)
    stored = PollView(poll_id="p1", question="q", options=["a", "b"], counts=[40, 0])
    items = updates.updates(changes, updates.RoomState(polls=(stored,)))
    assert [item.kind for item in items] == ["poll"]


def test_frames_stay_under_the_size_limit_and_keep_the_order():
    changes = updates.collect("s", [chat(n) for n in range(200)])
    items = updates.updates(changes, updates.RoomState(viewers=7))
    frames = updates.frames("s", items, size=lambda item: 2_000)
    assert len(frames) > 1
    flat = [item for frame in frames for item in frame.updates]
    assert flat == items
    assert all(len(frame.updates) * 2_000 <= updates.MAX_FRAME_BYTES for frame in frames)


def added(product, sku, quantity=1):
    return CartItemAdded(show_id="s", cart_id="c1", product_sku=product, sku=sku,
                         quantity=quantity, unit_price="10.00", currency="EUR", mode="live",
                         offset_seconds=12)  # fmt: skip


def test_a_pushed_promo_becomes_one_banner_on_the_servers_clock():
    ends = T0 + timedelta(minutes=5)
    events = [
        PromoPushed(show_id="s", code="OLD10", kind="percent", value=10, expires_at=ends),
        PromoPushed(show_id="s", code="FLASH20", kind="percent", value=20, label="-20 %",
                    expires_at=ends),
    ]  # fmt: skip
    changes = updates.collect("s", events)

    (item,) = updates.updates(changes, updates.RoomState(now=T0))

    assert not changes.empty
    assert item.kind == "promo"
    assert (item.promo.code, item.promo.label) == ("FLASH20", "-20 %")  # the latest push
    assert (item.promo.expires_at, item.promo.server_time) == (ends, T0)


def test_cart_lines_name_the_products_whose_badges_change_a_sale_does_not():
    events = [
        added("SHOE", "SHOE-41", 2),
        added("SHOE", "SHOE-42"),
        CartItemRemoved(show_id="s", cart_id="c2", product_sku="BAG", sku="BAG-1", quantity=1,
                        reason="expired"),
        CartCheckedOut(show_id="s", cart_id="c3", order_id="vt-c3", basket_value="10.00",
                       currency="EUR", item_count=1, mode="live"),
    ]  # fmt: skip
    assert updates.collect("s", events).stock == {"SHOE", "BAG"}
    assert updates.collect("s", events[3:]).empty


def test_stock_updates_are_the_stored_badges_once_per_product():
    stored = StockChanged(
        product_sku="SHOE",
        in_stock=True,
        variants=[VariantStockView(sku="SHOE-42", available=3, stock_state="low",
                                   badge="Only 3 left")],
    )  # fmt: skip
    changes = updates.collect("s", [added("SHOE", "SHOE-42") for _ in range(50)])

    assert updates.updates(changes, updates.RoomState(stock=(stored,))) == [stored]
