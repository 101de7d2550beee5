"""PynamoDB models for every Vitrine table.

Table names come from the variables the CDK constructs set (settings.Env); the endpoint from
`AWS_ENDPOINT_URL[_DYNAMODB]`, so the same models talk to AWS, moto or LocalStack."""

import os
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from functions.common.aws import region as aws_region
from functions.common.events import ShowEvent, parse_event
from functions.common.settings import Env, MissingSetting


class TableName:
    """Reads the table name from the environment whenever PynamoDB asks for it, so importing a
    model before the environment is set (tests, the local runtime) binds no wrong name, and a
    function deployed without the variable fails with its name instead of a made-up table."""

    def __init__(self, variable: Env) -> None:
        self.variable = variable

    def __get__(self, instance: object, owner: type) -> str:
        name = os.environ.get(self.variable)
        if not name:
            raise MissingSetting(f"{self.variable.value} is not set")
        return name


class UnicodeListAttribute(ListAttribute[str]):
    """`ListAttribute(of=UnicodeAttribute)` with its items typed as `str`: PynamoDB's `of=` types
    them as the attribute class itself (pynamodb/PynamoDB#1246)."""

    element_type = UnicodeAttribute


@cache
def connection() -> Connection:
    """For batches and transactions that span tables: the models' own connections are private
    to PynamoDB."""
    return Connection(region=aws_region())


def partition(model: type[Model], key: str, *, consistent: bool = False) -> list[dict[str, Any]]:
    """Every raw item of one partition of `model`'s table, whatever its model (a product and
    its variants, a cart and its lines): the caller sorts them by sort key. One Query a page."""
    hash_key = model._hash_key_attribute().attr_name  # type: ignore[no-untyped-call]
    request: dict[str, Any] = {
        "TableName": str(model.Meta.table_name),
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": hash_key},
        "ExpressionAttributeValues": {":pk": {"S": key}},
        "ConsistentRead": consistent,
    }
    items: list[dict[str, Any]] = []
    while True:
        answer = connection().dispatch("Query", request)
        items += answer.get("Items", [])
        if "LastEvaluatedKey" not in answer:
            return items
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ShowStatus(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    REPLAY_PROCESSING = "replay_processing"
    REPLAY_PUBLISHED = "replay_published"
    REPLAY_FAILED = "replay_failed"
    CANCELLED = "cancelled"  # by staff, before it went live


# PynamoDB's Index.__init_subclass__ is unannotated: defining an index is an untyped call.
class ShowsByStatus(GlobalSecondaryIndex["ShowModel"]):  # type: ignore[no-untyped-call]
    """Shows by status, soonest first: the upcoming-shows list and the live lookup."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class ShowModel(Model):
    """A show in the catalog table: pk `SHOW#<show_id>`, sk `SHOW`."""

    class Meta:
        table_name = TableName(Env.CATALOG_TABLE)
        region = aws_region()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="SHOW")
    show_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    host_name = UnicodeAttribute(default="")
    status = UnicodeAttribute(default=ShowStatus.SCHEDULED)
    starts_at = UnicodeAttribute()  # ISO 8601 UTC; sorts lexically
    duration_minutes = NumberAttribute(default=40)
    recurrence_rule = UnicodeAttribute(null=True)  # RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=TH
    cover_image_url = UnicodeAttribute(default="")
    product_skus = UnicodeListAttribute(default=list)  # the rundown, in presentation order
    created_at = UTCDateTimeAttribute(default=_utcnow)
    updated_at = UTCDateTimeAttribute(default=_utcnow)
    # When the stream went live (the chat's lifecycle sets it): cart lines' offset in the show.
    live_started_at = UTCDateTimeAttribute(null=True)
    # The promo a moderator pushed to the room (commerce), for viewers who join after the push.
    promo_code = UnicodeAttribute(null=True)
    promo_label = UnicodeAttribute(null=True)  # the banner's words, e.g. "20% off"
    promo_expires_at = UTCDateTimeAttribute(null=True)
    by_status = ShowsByStatus()

    @staticmethod
    def key(show_id: str) -> str:
        return f"SHOW#{show_id}"


class ProductModel(Model):
    """A product in the catalog table: pk `PRODUCT#<sku>`, sk `PRODUCT`; its variants share the
    partition (VariantModel). Prices in minor units."""

    class Meta:
        table_name = TableName(Env.CATALOG_TABLE)
        region = aws_region()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="PRODUCT")
    sku = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    price_cents = NumberAttribute()
    currency = UnicodeAttribute(default="EUR")
    image_url = UnicodeAttribute(default="")
    product_url = UnicodeAttribute(default="")
    updated_at = UTCDateTimeAttribute(default=_utcnow)

    @staticmethod
    def key(sku: str) -> str:
        return f"PRODUCT#{sku}"


class VariantModel(Model):
    """A variant (size, colour) of a product and its stock: pk `PRODUCT#<product sku>`, sk
    `VARIANT#<variant sku>`. The four counters only ever move together, in one transaction:
    available + reserved + sold = stock (everything ever put on sale), for every variant."""

    class Meta:
        table_name = TableName(Env.CATALOG_TABLE)
        region = aws_region()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    product_sku = UnicodeAttribute()
    sku = UnicodeAttribute()
    size = UnicodeAttribute(default="")
    colour = UnicodeAttribute(default="")
    price_cents = NumberAttribute(null=True)  # None: the product's price
    storefront_id = UnicodeAttribute(default="")  # the storefront's variant id (cart permalinks)
    position = NumberAttribute(default=0)
    stock = NumberAttribute(default=0)
    available = NumberAttribute(default=0)
    reserved = NumberAttribute(default=0)
    sold = NumberAttribute(default=0)

    @staticmethod
    def key_of(product_sku: str) -> str:
        return ProductModel.key(product_sku)

    @staticmethod
    def sort_key(sku: str) -> str:
        return f"VARIANT#{sku}"


class ConnectionsByShow(GlobalSecondaryIndex["ConnectionModel"]):  # type: ignore[no-untyped-call]
    """Open WebSocket connections of a show: the fan-out audience."""

    class Meta:
        index_name = "by_show"
        projection = AllProjection()

    show_id = UnicodeAttribute(hash_key=True)
    connection_id = UnicodeAttribute(range_key=True)


class ConnectionModel(Model):
    """One open WebSocket connection. Chat identity comes from here, never from a message."""

    class Meta:
        table_name = TableName(Env.CONNECTIONS_TABLE)
        region = aws_region()

    connection_id = UnicodeAttribute(hash_key=True)
    show_id = UnicodeAttribute()
    viewer_id = UnicodeAttribute()
    role = UnicodeAttribute(default="viewer")  # viewer | admin | host | moderator
    display_name = UnicodeAttribute(default="")
    device = UnicodeAttribute(default="unknown")
    traffic_source = UnicodeAttribute(default="direct")
    connected_at = UTCDateTimeAttribute(default=_utcnow)
    # A post found it gone (410) before `$disconnect` ran: left out of the audience, and left
    # for `$disconnect` to delete, so the viewer's watch time is still logged.
    gone = BooleanAttribute(default=False)
    # API Gateway closes a WebSocket after 2 h; a record older than that is a leftover.
    expires_at = TTLAttribute(default=lambda: _utcnow() + timedelta(hours=3))
    by_show = ConnectionsByShow()


class EventModel(Model):
    """The event log: one item per ShowEvent, streamed to the KPI processor."""

    class Meta:
        table_name = TableName(Env.EVENTS_TABLE)
        region = aws_region()

    show_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)
    type = UnicodeAttribute()
    body = UnicodeAttribute()  # the event's JSON, exactly as validated

    @classmethod
    def from_event(cls, event: ShowEvent) -> "EventModel":
        return cls(event.show_id, event.sort_key, type=event.type, body=event.model_dump_json())

    def to_event(self) -> ShowEvent:
        return parse_event(self.body)


class KpiModel(Model):
    """A KPI aggregate of a show (unique viewers, peak concurrency, carts, ...)."""

    class Meta:
        table_name = TableName(Env.KPIS_TABLE)
        region = aws_region()

    show_id = UnicodeAttribute(hash_key=True)
    metric = UnicodeAttribute(range_key=True)
    value = NumberAttribute(default=0)
    updated_at = UTCDateTimeAttribute(default=_utcnow)


class ReplayModel(Model):
    """The replay published from one recording session of a show."""

    class Meta:
        table_name = TableName(Env.REPLAYS_TABLE)
        region = aws_region()

    show_id = UnicodeAttribute(hash_key=True)
    recording_session_id = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute(default="processing")
    manifest_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=_utcnow)
