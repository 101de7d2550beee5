"""Typed settings read from the environment variables that each CDK construct sets.

The variable names live here and only here: infra/ imports `Env` to wire functions and the
local runtime reads the same names from the synthesized template."""

import os
from dataclasses import dataclass, fields
from enum import StrEnum


class Env(StrEnum):
    BRAND_NAME = "VITRINE_BRAND_NAME"
    CATALOG_TABLE = "VITRINE_CATALOG_TABLE"
    CARTS_TABLE = "VITRINE_CARTS_TABLE"
    CONNECTIONS_TABLE = "VITRINE_CONNECTIONS_TABLE"
    EVENTS_TABLE = "VITRINE_EVENTS_TABLE"
    KPIS_TABLE = "VITRINE_KPIS_TABLE"
    REPLAYS_TABLE = "VITRINE_REPLAYS_TABLE"
    RECORDINGS_BUCKET = "VITRINE_RECORDINGS_BUCKET"
    REPLAYS_BUCKET = "VITRINE_REPLAYS_BUCKET"
    CHANNEL_ARN = "VITRINE_CHANNEL_ARN"
    STREAM_KEY_ARN = "VITRINE_STREAM_KEY_ARN"
    USER_POOL_ID = "VITRINE_USER_POOL_ID"
    USER_POOL_CLIENT_ID = "VITRINE_USER_POOL_CLIENT_ID"
    ALLOWED_ORIGINS = "VITRINE_ALLOWED_ORIGINS"
    CHAT_TABLE = "VITRINE_CHAT_TABLE"
    WEBSOCKET_ENDPOINT = "VITRINE_WEBSOCKET_ENDPOINT"
    FANOUT_QUEUE_URL = "VITRINE_FANOUT_QUEUE_URL"
    FANOUT_SHARD_SIZE = "VITRINE_FANOUT_SHARD_SIZE"
    VIEWER_COUNT_SECONDS = "VITRINE_VIEWER_COUNT_SECONDS"
    HOLD_SECONDS = "VITRINE_HOLD_SECONDS"
    HOLDS_QUEUE_URL = "VITRINE_HOLDS_QUEUE_URL"
    IDEMPOTENCY_TABLE = "VITRINE_IDEMPOTENCY_TABLE"
    CHECKOUT_ADAPTER = "VITRINE_CHECKOUT_ADAPTER"
    CHECKOUT_URL = "VITRINE_CHECKOUT_URL"
    CHECKOUT_OPENS_IN = "VITRINE_CHECKOUT_OPENS_IN"
    STOREFRONT_SECRET_ARN = "VITRINE_STOREFRONT_SECRET_ARN"
    SITE_URL = "VITRINE_SITE_URL"
    TIME_ZONE = "VITRINE_TIME_ZONE"


class MissingSetting(RuntimeError):
    """A function was deployed without a variable it needs: a wiring bug in its construct."""


@dataclass(frozen=True, slots=True)
class Settings:
    region: str
    brand_name: str = "Vitrine"
    catalog_table: str | None = None
    carts_table: str | None = None
    connections_table: str | None = None
    events_table: str | None = None
    kpis_table: str | None = None
    replays_table: str | None = None
    recordings_bucket: str | None = None
    replays_bucket: str | None = None
    channel_arn: str | None = None
    stream_key_arn: str | None = None  # the host's encoder key: only the REST API reads it
    user_pool_id: str | None = None
    user_pool_client_id: str | None = None
    allowed_origins: tuple[str, ...] = ("*",)
    chat_table: str | None = None
    websocket_endpoint: str | None = None  # https://<api>.execute-api.<region>.amazonaws.com/live
    fanout_queue_url: str | None = None
    fanout_shard_size: int = 1000  # above this audience, fan-out is split into SQS shards
    viewer_count_seconds: int = 5  # the viewer count is broadcast at most this often
    hold_seconds: int = 600  # how long added units stay reserved for a cart
    holds_queue_url: str | None = None  # the hold timer's delayed messages
    idempotency_table: str | None = None
    checkout_adapter: str = "generic"  # webhook | shopify | generic (logic/checkout.py)
    checkout_url: str | None = None  # the webhook, the shop's base URL, or a URL template
    checkout_opens_in: str = "new_tab"  # new_tab | same_tab
    storefront_secret_arn: str | None = None  # signs the webhook and order confirmations
    site_url: str | None = None  # where the viewer page is served (links back to a show)
    time_zone: str = "UTC"  # the brand's IANA zone: recurring shows keep their local hour

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "region": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        }
        for field in fields(cls):
            variable = Env.__members__.get(field.name.upper())
            if variable is not None and env.get(variable):
                values[field.name] = int(env[variable]) if field.type is int else env[variable]
        if Env.ALLOWED_ORIGINS in env:
            values["allowed_origins"] = tuple(
                origin.strip() for origin in env[Env.ALLOWED_ORIGINS].split(",") if origin.strip()
            )
        return cls(**values)  # type: ignore[arg-type]

    def require(self, name: str) -> str:
        """The value of setting `name`, or a clear error naming the missing variable."""
        value: str | None = getattr(self, name)
        if not value:
            raise MissingSetting(f"{Env[name.upper()].value} is not set")
        return value
