"""On-failure destinations of stream mappings: Lambda's invocation record for a batch it gave
up on, and its delivery to an SQS queue or an SNS topic."""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class StreamBatchInfo:
    """Where the dropped records were: the `DDBStreamBatchInfo` of the invocation record."""

    shard_id: str
    start_sequence_number: str
    end_sequence_number: str
    first_arrival_s: float  # epoch seconds
    last_arrival_s: float
    batch_size: int
    stream_arn: str


@dataclass(frozen=True, slots=True)
class FailureContext:
    function_arn: str
    condition: str  # RetryAttemptsExhausted, RecordAgeExceeded
    invoke_count: int
    function_error: bool  # the last invocation failed (not a batchItemFailures response)


def function_arn(function: str, *, region: str, account_id: str) -> str:
    if function.startswith("arn:"):
        return function
    return f"arn:aws:lambda:{region}:{account_id}:function:{function}"


def stream_failure_record(
    failure: FailureContext, batch: StreamBatchInfo, *, now: datetime | None = None
) -> dict[str, Any]:
    """The record Lambda sends an on-failure destination for a DynamoDB stream batch."""
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if failure.function_error:
        response["functionError"] = "Unhandled"
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": failure.function_arn,
            "condition": failure.condition,
            "approximateInvokeCount": failure.invoke_count,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": _iso(now or datetime.now(UTC)),
        "DDBStreamBatchInfo": {
            "shardId": batch.shard_id,
            "startSequenceNumber": batch.start_sequence_number,
            "endSequenceNumber": batch.end_sequence_number,
            "approximateArrivalOfFirstRecord": _iso(
                datetime.fromtimestamp(batch.first_arrival_s, UTC)
            ),
            "approximateArrivalOfLastRecord": _iso(
                datetime.fromtimestamp(batch.last_arrival_s, UTC)
            ),
            "batchSize": batch.batch_size,
            "streamArn": batch.stream_arn,
        },
    }


def _iso(moment: datetime) -> str:
    """Lambda's timestamp format: 2019-11-14T18:16:05.000Z."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def send(destination_arn: str, record: dict[str, Any], client: Callable[[str], Any]) -> None:
    """Deliver `record` (JSON) to an SQS queue or SNS topic ARN; raises what boto3 raises."""
    parts = destination_arn.split(":")
    service = parts[2] if len(parts) >= 6 else ""
    body = json.dumps(record)
    if service == "sqs":
        sqs = client("sqs")
        url = sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=body)
    elif service == "sns":
        client("sns").publish(TopicArn=destination_arn, Message=body)
    else:
        raise ValueError(f"unsupported on-failure destination {destination_arn}")


def destination_action(destination_arn: str) -> str:
    """The IAM action the function's role needs for Lambda to use this destination."""
    return "sns:Publish" if destination_arn.split(":")[2:3] == ["sns"] else "sqs:SendMessage"
