"""The brand's deployment choices, read once from the CDK context (`cdk.json` or `-c key=value`).

Pure Python on purpose: it is imported by the CDK app and by tests that never start jsii.
Values given on the command line arrive as strings (`-c vitrine:recording=false`), so every
field accepts its natural type or its string spelling."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from functions.cart.logic.checkout import template_problem


class ChannelType(StrEnum):
    """IVS channel types: BASIC/STANDARD pass through or transcode, ADVANCED_* add presets."""

    BASIC = "BASIC"
    STANDARD = "STANDARD"
    ADVANCED_SD = "ADVANCED_SD"
    ADVANCED_HD = "ADVANCED_HD"


class LatencyMode(StrEnum):
    """LOW is IVS's "ultra-low" latency: what a live shopping chat needs."""

    LOW = "LOW"
    NORMAL = "NORMAL"


class ConfigError(ValueError):
    """A context value is missing or invalid; the message names the key and the fix."""


# A web origin as browsers send it: scheme://host[:port], no path, no trailing slash.
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_CLOUDFRONT_CERTIFICATE = re.compile(r"^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/[\w-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_INTEGER = re.compile(r"^[+-]?\d+$")

# The chat's coalescing window is the stream mapping's MaximumBatchingWindowInSeconds: Lambda
# allows 0 to 300 s, but beyond a few seconds viewers see the chat late.
COALESCE_SECONDS = range(0, 11)
# How long added units stay reserved for a cart: 1 minute to 1 hour.
HOLD_SECONDS = range(60, 3601)
# Connections per fan-out shard: below 100 a shard costs more in SQS and invocations than it
# saves; above 10,000 one function posting them all outlasts the chat's real time.
FANOUT_SHARD_SIZES = range(100, 10_001)


# Each VitrineConfig field and its context key, spelled as in cdk.json.
CONTEXT_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "brand_name": "vitrine:brandName",
        "channel_type": "vitrine:channelType",
        "latency_mode": "vitrine:latencyMode",
        "recording": "vitrine:recording",
        "allowed_origins": "vitrine:allowedOrigins",
        "custom_domain": "vitrine:customDomain",
        "chat_coalesce_seconds": "vitrine:chatCoalesceSeconds",
        "fanout_shard_size": "vitrine:fanoutShardSize",
        "alarm_email": "vitrine:alarmEmail",
        "hold_seconds": "vitrine:holdSeconds",
        "checkout": "vitrine:checkout",
        "time_zone": "vitrine:timeZone",
    }
)


@dataclass(frozen=True, slots=True)
class CustomDomain:
    """The web console's own domain. CloudFront only accepts ACM certificates from us-east-1."""

    domain_name: str
    certificate_arn: str


@dataclass(frozen=True, slots=True)
class Checkout:
    """The storefront hand-off (functions/cart/logic/checkout.py): `adapter` webhook, shopify or
    generic; `url` the webhook, the shop's base URL, or a template with {items}, {cart_id},
    {order_id} and {promo}; where the storefront opens for the viewer."""

    adapter: str = "generic"
    url: str = "https://shop.example.com/cart?items={items}&ref={order_id}"
    opens_in: str = "new_tab"


CHECKOUT_ADAPTERS = ("webhook", "shopify", "generic")
OPENS_IN = ("new_tab", "same_tab")


@dataclass(frozen=True, slots=True)
class VitrineConfig:
    brand_name: str = "Vitrine Demo"
    channel_type: ChannelType = ChannelType.STANDARD
    latency_mode: LatencyMode = LatencyMode.LOW
    recording: bool = True
    allowed_origins: tuple[str, ...] = ("*",)
    custom_domain: CustomDomain | None = None
    # Chat messages posted within this window reach viewers as one frame (DESIGN §5).
    chat_coalesce_seconds: int = 1
    # Above this audience, a show's fan-out is split into SQS shards of this many connections.
    fanout_shard_size: int = 1000
    # Where the alarms are e-mailed (a subscription to confirm); None: the dashboard only.
    alarm_email: str | None = None
    hold_seconds: int = 600
    checkout: Checkout = Checkout()
    # The brand's IANA zone: a recurring show repeats at the same local hour in it.
    time_zone: str = "UTC"

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> "VitrineConfig":
        """Parse and validate; a missing (or null) key keeps its default."""
        raw = {
            field: context[key]
            for field, key in CONTEXT_KEYS.items()
            if context.get(key) is not None
        }
        defaults = cls()
        return cls(
            brand_name=_brand_name(raw.get("brand_name", defaults.brand_name)),
            channel_type=_choice(
                ChannelType, "channel_type", raw.get("channel_type", defaults.channel_type)
            ),
            latency_mode=_choice(
                LatencyMode, "latency_mode", raw.get("latency_mode", defaults.latency_mode)
            ),
            recording=_boolean(raw.get("recording", defaults.recording)),
            allowed_origins=_origins(raw.get("allowed_origins", defaults.allowed_origins)),
            custom_domain=_custom_domain(raw.get("custom_domain")),
            chat_coalesce_seconds=_integer(
                "chat_coalesce_seconds",
                raw.get("chat_coalesce_seconds", defaults.chat_coalesce_seconds),
                COALESCE_SECONDS,
            ),
            fanout_shard_size=_integer(
                "fanout_shard_size",
                raw.get("fanout_shard_size", defaults.fanout_shard_size),
                FANOUT_SHARD_SIZES,
            ),
            alarm_email=_email(raw.get("alarm_email")),
            hold_seconds=_integer(
                "hold_seconds", raw.get("hold_seconds", defaults.hold_seconds), HOLD_SECONDS
            ),
            checkout=_checkout(raw.get("checkout")),
            time_zone=_time_zone(raw.get("time_zone", defaults.time_zone)),
        )


def _key(field: str) -> str:
    return CONTEXT_KEYS[field]


def _time_zone(value: Any) -> str:
    name = str(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{_key('time_zone')} must be an IANA time zone like Europe/Paris, got {value!r}"
        ) from None
    return name


def _brand_name(value: Any) -> str:
    name = str(value).strip()
    if not 1 <= len(name) <= 64:
        raise ConfigError(f"{_key('brand_name')} must be 1 to 64 characters, got {value!r}")
    return name


def _choice[E: StrEnum](enum: type[E], field: str, value: Any) -> E:
    try:
        return enum(str(value).strip().upper())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ConfigError(f"{_key(field)} must be one of {allowed}; got {value!r}") from None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off"}:
        return False
    raise ConfigError(f"{_key('recording')} must be true or false, got {value!r}")


def _integer(field: str, value: Any, allowed: range) -> int:
    """A whole number in `allowed`; `-c` gives it as text ("2"), cdk.json as a number."""
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and _INTEGER.match(value.strip()))
    ):
        raise ConfigError(f"{_key(field)} must be a whole number, got {value!r}")
    number = int(value)
    if number not in allowed:
        raise ConfigError(
            f"{_key(field)} must be between {allowed.start} and {allowed.stop - 1}, got {number}"
        )
    return number


def _email(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in {"", "null"}):
        return None
    address = str(value).strip()
    if not _EMAIL.match(address):
        raise ConfigError(f"{_key('alarm_email')} must be an e-mail address, got {value!r}")
    return address


def _json_or_text(value: Any) -> Any:
    """`-c key=value` gives a string; accept JSON in it, or leave it as text."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _origins(value: Any) -> tuple[str, ...]:
    value = _json_or_text(value)
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ConfigError(f"{_key('allowed_origins')} must be a list of origins, got {value!r}")
    origins = tuple(str(item).strip().rstrip("/") for item in items if str(item).strip())
    if not origins:
        raise ConfigError(f'{_key("allowed_origins")} is empty; use ["*"] to allow any origin')
    if "*" in origins and len(origins) > 1:
        raise ConfigError(f'{_key("allowed_origins")}: "*" already allows every origin')
    for origin in origins:
        if origin != "*" and not _ORIGIN.match(origin):
            raise ConfigError(
                f"{_key('allowed_origins')}: {origin!r} is not an origin like "
                "https://shop.example.com"
            )
    return origins


def _checkout(value: Any) -> Checkout:
    value = _json_or_text(value)
    if value is None:
        return Checkout()
    if not isinstance(value, dict):
        raise ConfigError(f'{_key("checkout")} must be an object like {{"adapter": ...}}')
    adapter = str(value.get("adapter", Checkout.adapter))
    url = str(value.get("url", ""))
    opens_in = str(value.get("opensIn", Checkout.opens_in))
    if adapter not in CHECKOUT_ADAPTERS:
        raise ConfigError(f"{_key('checkout')}.adapter must be one of {CHECKOUT_ADAPTERS}")
    if not url.startswith("https://"):
        raise ConfigError(f"{_key('checkout')}.url must be an https:// URL, got {url!r}")
    if adapter == "generic" and (problem := template_problem(url)):
        raise ConfigError(f"{_key('checkout')}.url of the generic adapter: {problem}")
    if opens_in not in OPENS_IN:
        raise ConfigError(f"{_key('checkout')}.opensIn must be one of {OPENS_IN}")
    return Checkout(adapter, url, opens_in)


def _custom_domain(value: Any) -> CustomDomain | None:
    value = _json_or_text(value)
    if value is None:
        return None
    example = '{"domainName": "live.example.com", "certificateArn": "arn:aws:acm:us-east-1:…"}'
    if not isinstance(value, dict):
        raise ConfigError(f"{_key('custom_domain')} must be null or {example}, got {value!r}")
    domain, certificate = value.get("domainName"), value.get("certificateArn")
    if not isinstance(domain, str) or not _DOMAIN.match(domain):
        raise ConfigError(f"{_key('custom_domain')}.domainName: {domain!r} is not a domain name")
    if not isinstance(certificate, str) or not _CLOUDFRONT_CERTIFICATE.match(certificate):
        raise ConfigError(
            f"{_key('custom_domain')}.certificateArn must be an ACM certificate in us-east-1 "
            f"(CloudFront's region), got {certificate!r}"
        )
    return CustomDomain(domain_name=domain, certificate_arn=certificate)
