import pytest

from functions.common.settings import Env, MissingSetting, Settings


def test_reads_every_variable_by_its_env_name():
    settings = Settings.from_env(
        {
            "AWS_REGION": "eu-west-3",
            Env.CATALOG_TABLE: "catalog",
            Env.CHANNEL_ARN: "arn:aws:ivs:eu-west-3:1:channel/x",
            Env.STREAM_KEY_ARN: "arn:aws:ivs:eu-west-3:1:stream-key/k",
            Env.ALLOWED_ORIGINS: "https://shop.example, https://www.shop.example",
        }
    )
    assert settings.region == "eu-west-3"
    assert settings.catalog_table == "catalog"
    assert settings.channel_arn.endswith("channel/x")
    assert settings.stream_key_arn.endswith("stream-key/k")
    assert settings.allowed_origins == ("https://shop.example", "https://www.shop.example")


def test_every_setting_field_has_an_env_name():
    names = {field.upper() for field in Settings.__dataclass_fields__} - {"REGION"}
    assert names <= set(Env.__members__)


def test_require_names_the_missing_variable():
    with pytest.raises(MissingSetting, match="VITRINE_EVENTS_TABLE"):
        Settings.from_env({}).require("events_table")
