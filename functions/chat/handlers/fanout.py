"""The fan-out: the event log's stream in, one coalesced `updates` frame per show out.

The stream's batching window is the coalescing window (`vitrine:chatCoalesceSeconds`): whatever
a show's room did during it (messages, reactions, a pin, poll counts) reaches every connection
of the show in one frame, so a viewer receives about one frame per window whatever the chat
rate. Large audiences are split into shards that parallel workers post (adapters/delivery)."""

import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from functions.chat.adapters.connections_api import ConnectionsApi
from functions.chat.adapters.delivery import deliver
from functions.chat.adapters.fanout_queue import FanoutQueue
from functions.chat.dal import audience, room, shows
from functions.chat.dal.models import RoomModel
from functions.chat.logic import updates
from functions.chat.logic.frames import Featured, StockChanged
from functions.common.events import ShowEvent, parse_event
from functions.common.observability import instrumented, metrics
from functions.common.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def _events_by_show(records: list[dict[str, Any]]) -> dict[str, list[ShowEvent]]:
    shows: dict[str, list[ShowEvent]] = defaultdict(list)
    for record in records:
        image = record.get("dynamodb", {}).get("NewImage")
        if record.get("eventName") != "INSERT" or not image:
            continue  # the event log is append-only: anything else is not news
        event = parse_event(image["body"]["S"])
        shows[event.show_id].append(event)
    return shows


def _room_state(
    changes: updates.RoomChanges, stored: RoomModel, viewers: int | None
) -> updates.RoomState:
    show_id = changes.show_id
    card = room.featured(stored)
    polls = (room.poll(show_id, poll_id) for poll_id in sorted(changes.polls))
    contests = (room.contest(show_id, contest_id) for contest_id in sorted(changes.contests))
    stock = ((sku, shows.product_stock(sku)) for sku in sorted(changes.stock))
    return updates.RoomState(
        pinned=room.pinned(stored),
        featured=Featured(product=card, offset_seconds=float(stored.featured_offset_seconds or 0))
        if card
        else None,
        polls=tuple(room.view_poll(poll) for poll in polls if poll),
        contests=tuple(room.view_contest(contest) for contest in contests if contest),
        stock=tuple(
            StockChanged(product_sku=sku, in_stock=found[0], variants=found[1])
            for sku, found in stock
            if found
        ),
        viewers=viewers,
        now=datetime.now(UTC),
    )


def fan_out(show_id: str, events: list[ShowEvent], settings: Settings, api: ConnectionsApi) -> int:
    """Sends the window's frame(s) to the show's audience; returns how many posts that made."""
    changes = updates.collect(show_id, events)
    stored = room.room(show_id)
    now = time.time()
    count_due = float(stored.viewers_broadcast_at or 0) <= now - settings.viewer_count_seconds
    if changes.empty and not count_due:
        return 0  # heartbeats only, and the count went out recently
    people = audience.audience(show_id)
    counted = count_due and room.claim_viewer_count_broadcast(
        show_id, people.viewers, now=now, every_seconds=settings.viewer_count_seconds
    )
    items = updates.updates(
        changes, _room_state(changes, stored, people.viewers if counted else None)
    )
    if not items or not people.connection_ids:
        return 0
    queue = FanoutQueue(settings.fanout_queue_url) if settings.fanout_queue_url else None
    posts = 0
    for frame in updates.frames(show_id, items, size=lambda item: len(item.model_dump_json())):
        deliver(
            frame.model_dump_json().encode(),
            people.connection_ids,
            show_id=show_id,
            api=api,
            queue=queue,
            shard_size=settings.fanout_shard_size,
        )
        posts += len(people.connection_ids)
    if changes.dropped_messages:
        metrics().add_metric(name="MessagesSampled", unit="Count", value=changes.dropped_messages)
    return posts


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, Any]:
    settings = Settings.from_env()
    api = ConnectionsApi.from_endpoint(settings.require("websocket_endpoint"))
    for show_id, events in _events_by_show(event.get("Records", [])).items():
        posts = fan_out(show_id, events, settings, api)
        metrics().add_metric(name="FramePosts", unit="Count", value=posts)
    return {"batchItemFailures": []}
