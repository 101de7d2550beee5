"""Running the show: arm it for the next stream, end it, feature products, mark chapters.

A featured product reaches viewers twice: as IVS timed metadata inside the video (the card
appears with the frame the host is in) and as room state (late joiners, the replay timeline)."""

import json
import random
import time
from collections.abc import Callable
from datetime import datetime

from functions.chat.actions.context import ActionContext
from functions.chat.actions.lifecycle import apply_stream_event
from functions.chat.dal import room, shows
from functions.chat.logic.frames import (
    AckFrame,
    ArmShow,
    EndShow,
    FeatureProduct,
    MarkChapter,
    ProductCard,
    ServerFrame,
    refuse,
)
from functions.chat.logic.lifecycle import StreamEventName
from functions.common.events import ChapterMarked, ProductFeatured, ShowEnded
from functions.common.models import ShowStatus
from functions.common.observability import metrics
from functions.common.streaming import (
    MAX_METADATA_BYTES,
    ChannelOffline,
    MetadataThrottled,
    StreamingService,
    StreamState,
)

# IVS takes 5 cues a second per channel. A refused cue is retried with jittered backoff for
# this long; a newer featured product makes it obsolete (the latest cue wins: coalescing).
CUE_RETRY_SECONDS = 2.5
CUE_FIRST_BACKOFF_SECONDS = 0.2


def cue(card: ProductCard) -> dict[str, str]:
    """The timed-metadata payload (≤ 1 KB): enough to draw the card without a lookup."""
    payload = {
        "type": "product",
        "sku": card.sku,
        "name": card.name,
        "price": card.price,
        "currency": card.currency,
        "image_url": card.image_url,
    }
    if _size(payload) > MAX_METADATA_BYTES:
        payload["image_url"] = ""  # the page finds the image in the show's product list
    if _size(payload) > MAX_METADATA_BYTES:
        payload["name"] = card.name[:200]
    return payload


def _size(payload: dict[str, str]) -> int:
    return len(json.dumps(payload, separators=(",", ":")).encode())


def _offset(show_id: str, now: datetime) -> float:
    started = room.room(show_id).live_started_at
    return max(0.0, round((now - started).total_seconds(), 3)) if started else 0.0


def send_cue(
    streaming: StreamingService,
    channel_arn: str,
    show_id: str,
    card: ProductCard,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Puts the cue into the stream; what happened, for the moderator's ack."""
    payload = cue(card)
    deadline = time.monotonic() + CUE_RETRY_SECONDS
    backoff = CUE_FIRST_BACKOFF_SECONDS
    while True:
        try:
            streaming.put_metadata(channel_arn, payload)
            return "on the video"
        except ChannelOffline:
            return "the stream is offline: the card reaches viewers through the chat only"
        except MetadataThrottled:
            metrics().add_metric(name="CueThrottled", unit="Count", value=1)
            if time.monotonic() + backoff > deadline:
                return "IVS is throttling cues: the card reaches viewers through the chat"
        sleep(random.uniform(backoff / 2, backoff))
        backoff *= 2
        if not room.still_featured(show_id, card.sku):
            return "superseded by a newer featured product"


def feature_product(context: ActionContext, frame: FeatureProduct) -> ServerFrame:
    actor = context.actor
    show = shows.show(actor.show_id)
    if show is None or frame.sku not in set(show.product_skus):
        raise refuse("not_found", f"{frame.sku} is not a product of this show", ref=frame.ref)
    card = shows.product_card(frame.sku)
    if card is None:
        raise refuse("not_found", f"no product {frame.sku} in the catalog", ref=frame.ref)
    offset = _offset(actor.show_id, context.now)
    room.set_featured(actor.show_id, card, offset)
    context.record(
        ProductFeatured(
            **context.stamp,
            sku=card.sku,
            offset_seconds=offset,
        )
    )
    detail = "no IVS channel configured"
    if context.streaming is not None and context.channel_arn:
        detail = send_cue(context.streaming, context.channel_arn, actor.show_id, card)
    return AckFrame(action=frame.action, ref=frame.ref, detail=detail)


def mark_chapter(context: ActionContext, frame: MarkChapter) -> ServerFrame:
    actor = context.actor
    if room.room(actor.show_id).live_started_at is None:
        raise refuse("show_not_live", "chapters are marked during the live", ref=frame.ref)
    context.record(
        ChapterMarked(
            **context.stamp,
            title=frame.title.strip(),
            offset_seconds=_offset(actor.show_id, context.now),
        )
    )
    return AckFrame(action=frame.action, ref=frame.ref)


_ARMABLE = {ShowStatus.SCHEDULED, ShowStatus.LIVE, ShowStatus.ENDED}


def arm_show(context: ActionContext, frame: ArmShow) -> ServerFrame:
    actor = context.actor
    show = shows.show(actor.show_id)
    if show is None:
        raise refuse("not_found", f"no show {actor.show_id}", ref=frame.ref)
    if ShowStatus(show.status) not in _ARMABLE:
        raise refuse("conflict", f"the show is {show.status}: it cannot go live", ref=frame.ref)
    if not context.channel_arn:
        raise refuse("unavailable", "no IVS channel configured", ref=frame.ref)
    stream = context.streaming.stream_info(context.channel_arn) if context.streaming else None
    if stream is None or stream.state is not StreamState.LIVE or not stream.stream_id:
        room.arm(context.channel_arn, actor.show_id, by=actor.viewer_id)
        return AckFrame(action=frame.action, ref=frame.ref, detail="armed: start streaming")
    running = room.stream(context.channel_arn, stream.stream_id)
    if running is not None and running.show_id != actor.show_id and running.ended_at is None:
        raise refuse(
            "conflict",
            f"the channel is live with show {running.show_id}: end it first",
            ref=frame.ref,
        )
    room.arm(context.channel_arn, actor.show_id, by=actor.viewer_id)
    # Already streaming: this stream is the show, live from now.
    apply_stream_event(context.channel_arn, stream.stream_id, StreamEventName.START, context.now)
    return AckFrame(action=frame.action, ref=frame.ref, detail="live: the stream was running")


def end_show(context: ActionContext, frame: EndShow) -> ServerFrame:
    """Stops the stream; IVS's Stream End event then ends the show. A show whose stream is
    already gone (its End event lost) is ended here, so the console is never stuck."""
    actor = context.actor
    if not context.channel_arn or context.streaming is None:
        raise refuse("unavailable", "no IVS channel configured", ref=frame.ref)
    if room.armed_show(context.channel_arn) == actor.show_id:
        # Disarmed first: the encoder reconnects after a StopStream (OBS does), and that new
        # stream must not bring the show back.
        room.disarm(context.channel_arn, actor.show_id)
        try:
            context.streaming.stop_stream(context.channel_arn)
            return AckFrame(action=frame.action, ref=frame.ref, detail="stream stopped")
        except ChannelOffline:
            pass
    if not shows.set_status(actor.show_id, ShowStatus.ENDED, only_from={ShowStatus.LIVE}):
        raise refuse("show_not_live", "the show is not live", ref=frame.ref)
    context.record(ShowEnded(**context.stamp))
    return AckFrame(action=frame.action, ref=frame.ref, detail="show ended")
