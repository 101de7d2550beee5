"""infra/data: the tables match the PynamoDB models exactly; tables and buckets keep data safe."""

from typing import Any

import pytest
from aws_cdk.assertions import Match
from pynamodb.models import Model

from functions.cart.dal.models import CartLineModel, CartModel, OrderModel, PromoModel
from functions.chat.dal.models import _ChatItem
from functions.common.models import (
    ConnectionModel,
    EventModel,
    KpiModel,
    ProductModel,
    ReplayModel,
    ShowModel,
    VariantModel,
)
from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra

# Every item of the chat table: each one must fit the table's keys.
CHAT_MODELS = tuple(_ChatItem.__subclasses__())

# Logical-id prefix of each table -> the models stored in it.
TABLES: dict[str, tuple[type[Model], ...]] = {
    "DataCatalogTable": (ShowModel, ProductModel, VariantModel, PromoModel),
    "DataCartsTable": (CartModel, CartLineModel, OrderModel),
    "DataConnectionsTable": (ConnectionModel,),
    "DataEventsTable": (EventModel,),
    "DataKpisTable": (KpiModel,),
    "DataReplaysTable": (ReplayModel,),
    "DataChatTable": CHAT_MODELS,
}


def _keys(key_schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return sorted((key["AttributeName"], key["KeyType"]) for key in key_schema)


def _types(definitions: list[dict[str, str]]) -> dict[str, str]:
    return {item["AttributeName"]: item["AttributeType"] for item in definitions}


def _expected_schema(models: tuple[type[Model], ...]) -> dict[str, Any]:
    """What PynamoDB itself would create for these models (its create_table schema)."""
    schemas = [model._get_schema() for model in models]
    (keys,) = {tuple(_keys(schema["key_schema"])) for schema in schemas}  # one table, one key
    return {
        "keys": list(keys),
        "attributes": {
            name: kind
            for schema in schemas
            for name, kind in _types(schema["attribute_definitions"]).items()
        },
        "indexes": {
            index["index_name"]: (_keys(index["key_schema"]), index["projection"]["ProjectionType"])
            for schema in schemas
            for index in schema["global_secondary_indexes"]
        },
    }


def _actual_schema(table: dict[str, Any]) -> dict[str, Any]:
    properties = table["Properties"]
    return {
        "keys": _keys(properties["KeySchema"]),
        "attributes": _types(properties["AttributeDefinitions"]),
        "indexes": {
            index["IndexName"]: (_keys(index["KeySchema"]), index["Projection"]["ProjectionType"])
            for index in properties.get("GlobalSecondaryIndexes", [])
        },
    }


# Powertools' idempotency records: its own schema (id, expiration), not a PynamoDB model.
IDEMPOTENCY_TABLE = "CartIdempotencyTable"


def test_there_is_one_table_per_model_group(default_stack: Synthesized) -> None:
    tables = {name[:-8] for name in default_stack.resources("AWS::DynamoDB::Table")}

    assert tables == set(TABLES) | {IDEMPOTENCY_TABLE}


def test_the_idempotency_table_is_powertools_layout_and_expires_its_records(
    default_stack: Synthesized,
) -> None:
    """Powertools' DynamoDBPersistenceLayer defaults: key `id`, TTL `expiration`. The records
    last an hour and hold no data a brand keeps, so the table goes with the stack."""
    table = default_stack.resource("AWS::DynamoDB::Table", IDEMPOTENCY_TABLE)
    properties = table["Properties"]

    assert _keys(properties["KeySchema"]) == [("id", "HASH")]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert table["DeletionPolicy"] == "Delete"


@pytest.mark.parametrize(("prefix", "models"), TABLES.items(), ids=TABLES)
def test_each_table_has_exactly_its_models_keys_and_indexes(
    default_stack: Synthesized, prefix: str, models: tuple[type[Model], ...]
) -> None:
    table = default_stack.resource("AWS::DynamoDB::Table", prefix)

    assert _actual_schema(table) == _expected_schema(models)


@pytest.mark.parametrize(("prefix", "models"), TABLES.items(), ids=TABLES)
def test_ttl_is_the_models_ttl_attribute(
    default_stack: Synthesized, prefix: str, models: tuple[type[Model], ...]
) -> None:
    table = default_stack.resource("AWS::DynamoDB::Table", prefix)
    ttl_attributes = {ttl.attr_name for model in models if (ttl := model._ttl_attribute())}

    if ttl_attributes:
        (ttl_attribute,) = ttl_attributes  # DynamoDB has one TTL attribute per table
        assert table["Properties"]["TimeToLiveSpecification"] == {
            "AttributeName": ttl_attribute,
            "Enabled": True,
        }
    else:
        assert "TimeToLiveSpecification" not in table["Properties"]


def test_the_expected_indexes_and_ttls_exist(default_stack: Synthesized) -> None:
    """The model comparison above would pass for models and tables both missing them."""
    catalog = default_stack.resource("AWS::DynamoDB::Table", "DataCatalogTable")["Properties"]
    connections = default_stack.resource("AWS::DynamoDB::Table", "DataConnectionsTable")[
        "Properties"
    ]
    carts = default_stack.resource("AWS::DynamoDB::Table", "DataCartsTable")["Properties"]
    chat = default_stack.resource("AWS::DynamoDB::Table", "DataChatTable")["Properties"]

    assert [index["IndexName"] for index in catalog["GlobalSecondaryIndexes"]] == ["by_status"]
    assert [index["IndexName"] for index in connections["GlobalSecondaryIndexes"]] == ["by_show"]
    assert connections["TimeToLiveSpecification"]["AttributeName"] == "expires_at"
    assert carts["TimeToLiveSpecification"]["AttributeName"] == "expires_at"
    assert chat["TimeToLiveSpecification"]["AttributeName"] == "expires_at"
    assert len(CHAT_MODELS) >= 10  # the room, messages, viewers, polls, votes, contests, ...


def test_only_the_event_log_streams_and_with_new_images(default_stack: Synthesized) -> None:
    streams = {
        logical_id: table["Properties"].get("StreamSpecification")
        for logical_id, table in default_stack.resources("AWS::DynamoDB::Table").items()
    }

    (events_table,) = (name for name in streams if name.startswith("DataEventsTable"))
    assert streams.pop(events_table) == {"StreamViewType": "NEW_IMAGE"}
    assert set(streams.values()) == {None}


@pytest.mark.parametrize("prefix", TABLES)
def test_every_data_table_is_on_demand_recoverable_encrypted_and_retained(
    default_stack: Synthesized, prefix: str
) -> None:
    table = default_stack.resource("AWS::DynamoDB::Table", prefix)

    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True
    }
    assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_every_bucket_is_encrypted_versioned_private_and_retained(
    default_stack: Synthesized,
) -> None:
    default_stack.template.all_resources(
        "AWS::S3::Bucket",
        {
            "Properties": Match.object_like(
                {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                        ]
                    },
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                        "RestrictPublicBuckets": True,
                    },
                }
            ),
            "DeletionPolicy": "Retain",
        },
    )


def test_every_bucket_refuses_plain_http(default_stack: Synthesized) -> None:
    buckets = default_stack.resources("AWS::S3::Bucket")
    policies = default_stack.resources("AWS::S3::BucketPolicy").values()
    ssl_enforced = {
        policy["Properties"]["Bucket"]["Ref"]
        for policy in policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    }

    assert ssl_enforced == set(buckets)


def test_buckets_log_their_access_to_the_access_logs_bucket(default_stack: Synthesized) -> None:
    logs_bucket = default_stack.logical_id("AWS::S3::Bucket", "DataAccessLogsBucket")
    others = {
        logical_id: bucket
        for logical_id, bucket in default_stack.resources("AWS::S3::Bucket").items()
        if logical_id != logs_bucket
    }

    assert {
        bucket["Properties"]["LoggingConfiguration"]["DestinationBucketName"]["Ref"]
        for bucket in others.values()
    } == {logs_bucket}
    assert sorted(logical_id[:-8] for logical_id in others) == [
        "DataRecordingsBucket",
        "DataReplaysBucket",
        "WebSiteBucket",
    ]
