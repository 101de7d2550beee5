"""Lambda's record shapes built from what boto3 returns, and batchItemFailures responses."""

from datetime import UTC, datetime

import pytest

from local.event_sources.records import dynamodb_record, failed_items, sqs_record

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders.fifo"
STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/carts/stream/2026-01-01T00:00:00.000"


def test_sqs_record_has_lambdas_shape_with_fifo_attributes_and_binary_attributes():
    message = {
        "MessageId": "m-1",
        "ReceiptHandle": "rh-1",
        "MD5OfBody": "abc",
        "Body": '{"cart": 1}',
        "Attributes": {
            "SenderId": "AIDA",
            "SentTimestamp": "1700000000000",
            "ApproximateReceiveCount": "2",
            "ApproximateFirstReceiveTimestamp": "1700000000001",
            "MessageGroupId": "show-1",
            "MessageDeduplicationId": "d-1",
            "SequenceNumber": "18800000000000000000",
        },
        "MD5OfMessageAttributes": "def",
        "MessageAttributes": {
            "kind": {"DataType": "String", "StringValue": "add"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    }
    record = sqs_record(message, source_arn=QUEUE_ARN, region="eu-west-1")
    assert record == {
        "messageId": "m-1",
        "receiptHandle": "rh-1",
        "body": '{"cart": 1}',
        "attributes": message["Attributes"],
        "messageAttributes": {
            "kind": {
                "stringValue": "add",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "String",
            },
            "blob": {
                "binaryValue": "AAE=",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "Binary",
            },
        },
        "md5OfBody": "abc",
        "md5OfMessageAttributes": "def",
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "eu-west-1",
    }


def test_dynamodb_record_has_lambdas_shape():
    created = datetime(2026, 1, 1, 12, 0, 0, 750_000, tzinfo=UTC)
    raw = {
        "eventID": "e-1",
        "eventName": "MODIFY",
        "eventVersion": "1.0",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": created,
            "Keys": {"id": {"S": "c1"}},
            "NewImage": {"id": {"S": "c1"}, "photo": {"B": b"\xff"}},
            "OldImage": {"id": {"S": "c1"}},
            "SequenceNumber": "1100000000017454423009",
            "SizeBytes": 42,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    record = dynamodb_record(raw, source_arn=STREAM_ARN, region="eu-west-1")
    assert record["eventVersion"] == "1.1"
    assert record["eventSourceARN"] == STREAM_ARN
    assert record["awsRegion"] == "eu-west-1"
    assert record["dynamodb"]["ApproximateCreationDateTime"] == int(created.timestamp())
    assert record["dynamodb"]["NewImage"]["photo"] == {"B": "/w=="}
    assert record["dynamodb"]["OldImage"] == {"id": {"S": "c1"}}
    assert record["dynamodb"]["SequenceNumber"] == "1100000000017454423009"


IDS = ["a", "b", "c"]


@pytest.mark.parametrize(
    "payload", [None, {}, {"batchItemFailures": None}, {"batchItemFailures": []}]
)
def test_empty_responses_are_a_complete_success(payload):
    assert failed_items(payload, IDS) == frozenset()


def test_reported_identifiers_are_the_failures():
    payload = {"batchItemFailures": [{"itemIdentifier": "b"}, {"itemIdentifier": "c"}]}
    assert failed_items(payload, IDS) == {"b", "c"}


@pytest.mark.parametrize(
    "payload",
    [
        "not an object",
        {"batchItemFailures": "b"},
        {"batchItemFailures": [{"itemIdentifier": "unknown"}]},
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"itemId": "b"}]},
    ],
)
def test_unreadable_responses_fail_the_whole_batch(payload):
    assert failed_items(payload, IDS) == set(IDS)
