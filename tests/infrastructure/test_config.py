"""VitrineConfig: the context a brand sets in cdk.json or with `-c`, parsed and validated.

Pure Python: these tests start no jsii."""

import json

import pytest

from infra import REPO_ROOT
from infra.config import (
    CONTEXT_KEYS,
    ChannelType,
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
    )


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
