"""Lambda's event shapes for SQS and DynamoDB stream records, and the reading of a function's
`batchItemFailures` response. Pure: the pollers hand in what boto3 returned."""

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

# The message system attributes Lambda puts in a record (FIFO ones only on FIFO queues).
SQS_RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "MessageDeduplicationId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)


def sqs_record(message: Mapping[str, Any], *, source_arn: str, region: str) -> dict[str, Any]:
    """One message of a ReceiveMessage response (AttributeNames and MessageAttributeNames
    All) as a record of Lambda's SQS event."""
    attributes = message.get("Attributes", {})
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            name: str(attributes[name]) for name in SQS_RECORD_ATTRIBUTES if name in attributes
        },
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": source_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = _base64(value["BinaryValue"])
    attribute["stringListValues"] = list(value.get("StringListValues", []))
    attribute["binaryListValues"] = [_base64(v) for v in value.get("BinaryListValues", [])]
    attribute["dataType"] = value["DataType"]
    return attribute


def dynamodb_record(record: Mapping[str, Any], *, source_arn: str, region: str) -> dict[str, Any]:
    """One record of a GetRecords response as a record of Lambda's DynamoDB event: epoch
    seconds for the creation time, base64 text for binary attributes, event version 1.1."""
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        # DynamoDB Streams rounds it down to the second; Lambda passes the number on.
        stream["ApproximateCreationDateTime"] = float(int(created.timestamp()))
    event: dict[str, Any] = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": _json_safe(stream),
        "eventSourceARN": source_arn,
    }
    if "userIdentity" in record:  # deletions by TTL
        event["userIdentity"] = _json_safe(record["userIdentity"])
    return event


def sequence_number(record: Mapping[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def created_at(record: Mapping[str, Any]) -> float:
    """Epoch seconds of a Lambda-shaped stream record."""
    return float(record["dynamodb"].get("ApproximateCreationDateTime", 0))


def _json_safe(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return _base64(value)
    if isinstance(value, Mapping):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(item) for item in value]
    return value


def _base64(value: bytes | bytearray | str) -> str:
    if isinstance(value, str):
        return value
    return base64.b64encode(bytes(value)).decode("ascii")


def failed_items(payload: Any, identifiers: Sequence[str]) -> frozenset[str]:
    """The identifiers (message ids or sequence numbers) a ReportBatchItemFailures response
    names as failed. As Lambda does, a response it cannot read fails the whole batch: not an
    object, an entry without an itemIdentifier, or one that is not in the batch. None, `{}`
    and an empty or null `batchItemFailures` are a complete success."""
    whole_batch = frozenset(identifiers)
    if payload is None:
        return frozenset()
    if not isinstance(payload, dict):
        return whole_batch
    failures = payload.get("batchItemFailures")
    if failures is None:
        return frozenset()
    if not isinstance(failures, list):
        return whole_batch
    failed = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in whole_batch:
            return whole_batch
        failed.add(identifier)
    return frozenset(failed)
