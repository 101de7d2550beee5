"""VitrineConfig: the context a brand sets in cdk.json or with `-c`, parsed and validated.

Pure Python: these tests start no jsii."""

import json

import pytest

from infra import REPO_ROOT
from infra.config import (
    CONTEXT_KEYS,
    ChannelType,
    Checkout,
    ConfigError,
    CustomDomain,
    LatencyMode,
    VitrineConfig,
)


def test_cdk_json_context_is_the_default_config() -> None:
    context = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]

    assert set(CONTEXT_KEYS.values()) <= context.keys()
    assert VitrineConfig.from_context(context) == VitrineConfig()


def test_missing_or_null_keys_keep_their_defaults() -> None:
    assert VitrineConfig.from_context({}) == VitrineConfig()
    assert VitrineConfig.from_context({"vitrine:customDomain": None}).custom_domain is None


def test_command_line_strings_are_parsed() -> None:
    config = VitrineConfig.from_context(
        {
            "vitrine:brandName": " Maison ",
            "vitrine:channelType": "advanced_hd",
            "vitrine:latencyMode": "normal",
            "vitrine:recording": "false",
            "vitrine:allowedOrigins": "https://a.example.com, https://b.example.com/",
            "vitrine:customDomain": json.dumps(
                {
                    "domainName": "live.example.com",
                    "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc-1",
                }
            ),
            "vitrine:chatCoalesceSeconds": " 3",
            "vitrine:fanoutShardSize": "500",
            "vitrine:alarmEmail": " oncall@example.com ",
            "vitrine:holdSeconds": "900",
            "vitrine:checkout": json.dumps(
                {"adapter": "shopify", "url": "https://maison.example.com", "opensIn": "same_tab"}
            ),
            "vitrine:timeZone": "Europe/Paris",
        }
    )

    assert config == VitrineConfig(
        brand_name="Maison",
        channel_type=ChannelType.ADVANCED_HD,
        latency_mode=LatencyMode.NORMAL,
        recording=False,
        allowed_origins=("https://a.example.com", "https://b.example.com"),
        custom_domain=CustomDomain(
            "live.example.com", "arn:aws:acm:us-east-1:123456789012:certificate/abc-1"
        ),
        chat_coalesce_seconds=3,
        fanout_shard_size=500,
        alarm_email="oncall@example.com",
        hold_seconds=900,
        checkout=Checkout("shopify", "https://maison.example.com", "same_tab"),
        time_zone="Europe/Paris",
    )


def test_the_commerce_defaults_hold_ten_minutes_hand_off_generic_in_utc() -> None:
    config = VitrineConfig()

    assert config.hold_seconds == 600
    assert (config.checkout.adapter, config.checkout.opens_in) == ("generic", "new_tab")
    assert "{items}" in config.checkout.url
    assert config.time_zone == "UTC"


def test_the_chat_defaults_are_a_one_second_window_and_shards_of_a_thousand() -> None:
    config = VitrineConfig()

    assert (config.chat_coalesce_seconds, config.fanout_shard_size) == (1, 1000)
    assert config.alarm_email is None


@pytest.mark.parametrize(("value", "expected"), [(0, 0), ("0", 0), (10, 10), ("10", 10)])
def test_the_coalescing_window_may_be_anything_from_0_to_10_seconds(
    value: object, expected: int
) -> None:
    config = VitrineConfig.from_context({"vitrine:chatCoalesceSeconds": value})

    assert config.chat_coalesce_seconds == expected


def test_an_empty_alarm_email_on_the_command_line_means_none() -> None:
    assert VitrineConfig.from_context({"vitrine:alarmEmail": ""}).alarm_email is None


def test_config_is_frozen() -> None:
    with pytest.raises(AttributeError):
        VitrineConfig().recording = False  # type: ignore[misc]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("vitrine:channelType", "PREMIUM", "vitrine:channelType must be one of BASIC, STANDARD"),
        ("vitrine:latencyMode", "ULTRA", "vitrine:latencyMode must be one of LOW, NORMAL"),
        ("vitrine:recording", "sometimes", "vitrine:recording must be true or false"),
        ("vitrine:brandName", "", "vitrine:brandName must be 1 to 64 characters"),
        ("vitrine:allowedOrigins", [], "vitrine:allowedOrigins is empty"),
        ("vitrine:allowedOrigins", ["shop.example.com"], "is not an origin like https://"),
        ("vitrine:allowedOrigins", ["*", "https://a.example.com"], '"*" already allows'),
        ("vitrine:customDomain", "live.example.com", "vitrine:customDomain must be null or"),
        ("vitrine:chatCoalesceSeconds", 11, "vitrine:chatCoalesceSeconds must be between 0 and 10"),
        ("vitrine:chatCoalesceSeconds", "-1", "must be between 0 and 10, got -1"),
        (
            "vitrine:chatCoalesceSeconds",
            "1.5",
            "vitrine:chatCoalesceSeconds must be a whole number",
        ),
        ("vitrine:chatCoalesceSeconds", True, "vitrine:chatCoalesceSeconds must be a whole number"),
        ("vitrine:fanoutShardSize", 99, "vitrine:fanoutShardSize must be between 100 and 10000"),
        ("vitrine:fanoutShardSize", "10001", "must be between 100 and 10000"),
        ("vitrine:fanoutShardSize", "many", "vitrine:fanoutShardSize must be a whole number"),
        ("vitrine:alarmEmail", "on-call", "vitrine:alarmEmail must be an e-mail address"),
        ("vitrine:alarmEmail", "a@b", "vitrine:alarmEmail must be an e-mail address"),
        ("vitrine:holdSeconds", 30, "vitrine:holdSeconds must be between 60 and 3600"),
        ("vitrine:holdSeconds", "7200", "must be between 60 and 3600"),
        ("vitrine:checkout", "webhook", "vitrine:checkout must be an object"),
        ("vitrine:checkout", {"adapter": "paypal", "url": "https://x.example"}, ".adapter must be"),
        ("vitrine:checkout", {"adapter": "webhook", "url": "http://x.example"}, "https:// URL"),
        ("vitrine:checkout", {"adapter": "generic", "url": "https://x.example"}, "needs {items}"),
        (
            "vitrine:checkout",
            {"adapter": "generic", "url": "https://x.example/c?i={items}&utm={source}"},
            "unknown {source}: it may use {items}, {cart_id}, {order_id}, {promo}",
        ),
        (
            "vitrine:checkout",
            {"adapter": "generic", "url": "https://x.example/c?i={items}&j={"},
            "write a literal brace as {{ or }}",
        ),
        (
            "vitrine:checkout",
            {"adapter": "shopify", "url": "https://x.example", "opensIn": "popup"},
            ".opensIn must be one of",
        ),
        ("vitrine:timeZone", "Paris", "vitrine:timeZone must be an IANA time zone"),
        ("vitrine:timeZone", "../etc", "must be an IANA time zone like Europe/Paris"),
        (
            "vitrine:customDomain",
            {
                "domainName": "live.example.com",
                "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
            },
            "must be an ACM certificate in us-east-1",
        ),
    ],
)
def test_invalid_values_are_refused_with_the_key_and_the_fix(
    key: str, value: object, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        VitrineConfig.from_context({key: value})

    assert message in str(raised.value)
