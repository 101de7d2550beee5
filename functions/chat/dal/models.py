"""The chat table: the live state of every show room, one item per thing (PynamoDB).

Keys (pk, sk), all strings:
- `SHOW#<show>`, `ROOM`              the room: pin, featured product, open poll/contest, slow mode,
                                     viewer count, when the show went live
- `SHOW#<show>`, `MSG#<message_id>`  a message (ids sort by time: the last 50 are one query)
- `SHOW#<show>`, `VIEWER#<viewer>`   a viewer's moderation state and pace (mute, ban, last post)
- `SHOW#<show>`, `POLL#<poll>`       a poll or quiz with its live counts
- `SHOW#<show>`, `CONTEST#<contest>` a contest, its draw (seed) and winner
- `POLL#<poll>`, `VOTE#<viewer>`     one answer per viewer (conditional put)
- `CONTEST#<c>`, `ENTRY#<viewer>`    one entry per viewer
- `BRAND`, `BLOCKLIST`               the brand-wide word blocklist
- `CHANNEL#<arn>`, `ARMED`           the show the channel's next stream belongs to
- `CHANNEL#<arn>`, `STREAM#<id>`     what each IVS stream did, so late or repeated events are no-ops

Votes and entries get partitions of their own: a poll answered by thousands of viewers at once
must not share the write throughput of the room's partition (DynamoDB: 1,000 writes/s each)."""

import os
from datetime import UTC, datetime, timedelta

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from functions.common.aws import region as aws_region
from functions.common.models import UnicodeListAttribute
from functions.common.settings import Env, MissingSetting


class _ChatTable:
    def __get__(self, instance: object, owner: type) -> str:
        name = os.environ.get(Env.CHAT_TABLE)
        if not name:
            raise MissingSetting(f"{Env.CHAT_TABLE.value} is not set")
        return name


def _in(days: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


class _ChatItem(Model):
    class Meta:
        table_name = _ChatTable()
        region = aws_region()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class RoomModel(_ChatItem):
    pinned = UnicodeAttribute(null=True)  # MessageView JSON
    featured = UnicodeAttribute(null=True)  # ProductCard JSON
    featured_offset_seconds = NumberAttribute(null=True)
    open_poll_id = UnicodeAttribute(null=True)
    open_contest_id = UnicodeAttribute(null=True)
    slow_mode_seconds = NumberAttribute(default=0)
    viewer_count = NumberAttribute(default=0)
    viewers_broadcast_at = NumberAttribute(default=0)  # epoch seconds
    live_started_at = UTCDateTimeAttribute(null=True)
    stream_id = UnicodeAttribute(null=True)

    @staticmethod
    def key(show_id: str) -> tuple[str, str]:
        return f"SHOW#{show_id}", "ROOM"


class MessageModel(_ChatItem):
    message_id = UnicodeAttribute()
    body = UnicodeAttribute()  # MessageView JSON
    expires_at = TTLAttribute(default=lambda: _in(30))

    @staticmethod
    def key(show_id: str, message_id: str) -> tuple[str, str]:
        return f"SHOW#{show_id}", f"MSG#{message_id}"


class ViewerStateModel(_ChatItem):
    muted_until = UTCDateTimeAttribute(null=True)
    banned = BooleanAttribute(default=False)
    last_message_at = NumberAttribute(default=0)  # epoch seconds
    last_reaction_at = NumberAttribute(default=0)
    expires_at = TTLAttribute(default=lambda: _in(30))

    @staticmethod
    def key(show_id: str, viewer_id: str) -> tuple[str, str]:
        return f"SHOW#{show_id}", f"VIEWER#{viewer_id}"


class PollModel(_ChatItem):
    poll_id = UnicodeAttribute()
    question = UnicodeAttribute()
    options = UnicodeListAttribute()
    # One top-level counter per option: ADD is atomic on top-level numbers.
    votes_0 = NumberAttribute(default=0)
    votes_1 = NumberAttribute(default=0)
    votes_2 = NumberAttribute(default=0)
    votes_3 = NumberAttribute(default=0)
    votes_4 = NumberAttribute(default=0)
    votes_5 = NumberAttribute(default=0)
    correct_option = NumberAttribute(null=True)
    open = BooleanAttribute(default=True)
    expires_at = TTLAttribute(default=lambda: _in(90))

    @staticmethod
    def key(show_id: str, poll_id: str) -> tuple[str, str]:
        return f"SHOW#{show_id}", f"POLL#{poll_id}"


class VoteModel(_ChatItem):
    option = NumberAttribute()
    expires_at = TTLAttribute(default=lambda: _in(90))

    @staticmethod
    def key(poll_id: str, viewer_id: str) -> tuple[str, str]:
        return f"POLL#{poll_id}", f"VOTE#{viewer_id}"


class ContestModel(_ChatItem):
    contest_id = UnicodeAttribute()
    title = UnicodeAttribute()
    open = BooleanAttribute(default=True)
    entrant_count = NumberAttribute(default=0)
    seed = NumberAttribute(null=True)
    winner_id = UnicodeAttribute(null=True)
    winner_name = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(default=lambda: _in(365))

    @staticmethod
    def key(show_id: str, contest_id: str) -> tuple[str, str]:
        return f"SHOW#{show_id}", f"CONTEST#{contest_id}"


class EntryModel(_ChatItem):
    viewer_id = UnicodeAttribute()
    display_name = UnicodeAttribute()
    expires_at = TTLAttribute(default=lambda: _in(365))

    @staticmethod
    def key(contest_id: str, viewer_id: str) -> tuple[str, str]:
        return f"CONTEST#{contest_id}", f"ENTRY#{viewer_id}"


class BlocklistModel(_ChatItem):
    words = UnicodeListAttribute(default=list)
    updated_by = UnicodeAttribute(default="")

    @staticmethod
    def key() -> tuple[str, str]:
        return "BRAND", "BLOCKLIST"


class ArmedShowModel(_ChatItem):
    show_id = UnicodeAttribute()
    armed_by = UnicodeAttribute(default="")
    armed_at = UTCDateTimeAttribute(default=lambda: datetime.now(UTC))

    @staticmethod
    def key(channel_arn: str) -> tuple[str, str]:
        return f"CHANNEL#{channel_arn}", "ARMED"


class StreamModel(_ChatItem):
    """One IVS stream of the channel: which show it carried, and whether it started and ended."""

    show_id = UnicodeAttribute()
    started_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(default=lambda: _in(365))

    @staticmethod
    def key(channel_arn: str, stream_id: str) -> tuple[str, str]:
        return f"CHANNEL#{channel_arn}", f"STREAM#{stream_id}"
