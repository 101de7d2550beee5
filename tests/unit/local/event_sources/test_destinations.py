"""The invocation record an on-failure destination gets for a dropped stream batch."""

from datetime import UTC, datetime

from local.event_sources.destinations import (
    FailureContext,
    StreamBatchInfo,
    destination_action,
    function_arn,
    stream_failure_record,
)


def test_stream_failure_record_has_lambdas_shape():
    batch = StreamBatchInfo(
        shard_id="shardId-1",
        start_sequence_number="100",
        end_sequence_number="104",
        first_arrival_s=datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp(),
        last_arrival_s=datetime(2026, 1, 1, 12, 0, 5, tzinfo=UTC).timestamp(),
        batch_size=5,
        stream_arn="arn:stream",
    )
    failure = FailureContext(
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:carts",
        condition="RetryAttemptsExhausted",
        invoke_count=3,
        function_error=True,
    )
    record = stream_failure_record(
        failure, batch, now=datetime(2026, 1, 1, 12, 1, 0, 21_000, tzinfo=UTC)
    )
    request = record.pop("requestContext")
    assert request.pop("requestId")
    assert request == {
        "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:carts",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 3,
    }
    assert record == {
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "version": "1.0",
        "timestamp": "2026-01-01T12:01:00.021Z",
        "DDBStreamBatchInfo": {
            "shardId": "shardId-1",
            "startSequenceNumber": "100",
            "endSequenceNumber": "104",
            "approximateArrivalOfFirstRecord": "2026-01-01T12:00:00.000Z",
            "approximateArrivalOfLastRecord": "2026-01-01T12:00:05.000Z",
            "batchSize": 5,
            "streamArn": "arn:stream",
        },
    }


def test_a_function_name_becomes_its_arn():
    assert (
        function_arn("carts", region="eu-west-1", account_id="123456789012")
        == "arn:aws:lambda:eu-west-1:123456789012:function:carts"
    )
    arn = "arn:aws:lambda:us-east-1:1:function:x"
    assert function_arn(arn, region="eu-west-1", account_id="2") == arn


def test_each_destination_kind_needs_its_own_permission():
    assert destination_action("arn:aws:sqs:us-east-1:1:q") == "sqs:SendMessage"
    assert destination_action("arn:aws:sns:us-east-1:1:t") == "sns:Publish"
