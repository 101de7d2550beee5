"""Mapping specs read from the shapes CDK emits for SqsEventSource and DynamoEventSource."""

import logging

import pytest

from local.cloudformation.template import Resource, Template
from local.event_sources.mappings import SourceKind, StartingPosition, read_mappings

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:vitrine-Orders"
STREAM_ARN = (
    "arn:aws:dynamodb:us-east-1:123456789012:table/vitrine-Carts/stream/2026-01-01T00:00:00.000"
)
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:vitrine-CartFailures"


def template(*mappings: Resource) -> Template:
    resources = [
        Resource("OrdersFnA1B2", "AWS::Lambda::Function", {"Handler": "functions.x.handler"}),
        Resource("OrdersQueue9C8D", "AWS::SQS::Queue", {}),
        Resource("CartsTableE5F6", "AWS::DynamoDB::Table", {}),
        Resource("CartFailures1234", "AWS::SQS::Queue", {}),
        *mappings,
    ]
    stack = Template(stack_name="vitrine", resources={r.logical_id: r for r in resources})
    stack.provide("OrdersQueue9C8D", Arn=QUEUE_ARN)
    stack.provide("CartsTableE5F6", StreamArn=STREAM_ARN)
    stack.provide("CartFailures1234", Arn=DLQ_ARN)
    return stack


def esm(logical_id: str, **properties: object) -> Resource:
    return Resource(logical_id, "AWS::Lambda::EventSourceMapping", properties)


SQS_SOURCE = {
    "FunctionName": {"Ref": "OrdersFnA1B2"},
    "EventSourceArn": {"Fn::GetAtt": ["OrdersQueue9C8D", "Arn"]},
}
STREAM_SOURCE = {
    "FunctionName": {"Ref": "OrdersFnA1B2"},
    "EventSourceArn": {"Fn::GetAtt": ["CartsTableE5F6", "StreamArn"]},
    "StartingPosition": "TRIM_HORIZON",
}


def test_sqs_event_source_as_cdk_emits_it():
    (spec,) = read_mappings(
        template(
            esm(
                "OrdersFnSqsEventSource",
                **SQS_SOURCE,
                BatchSize=5,
                MaximumBatchingWindowInSeconds=2,
                FunctionResponseTypes=["ReportBatchItemFailures"],
                ScalingConfig={"MaximumConcurrency": 3},
            )
        )
    )
    assert spec.kind is SourceKind.SQS
    assert spec.source_arn == QUEUE_ARN
    # Ref of a function the Lambda runtime has not provided yet: CloudFormation's name for it
    assert spec.function == "vitrine-OrdersFnA1B2"
    assert spec.function_logical_id == "OrdersFnA1B2"
    assert (spec.batch_size, spec.batching_window_s) == (5, 2)
    assert spec.report_batch_item_failures
    assert spec.maximum_concurrency == 3
    assert spec.enabled


def test_lambda_defaults_fill_what_the_template_leaves_out():
    sqs, stream = read_mappings(template(esm("A", **SQS_SOURCE), esm("B", **STREAM_SOURCE)))
    assert (sqs.batch_size, sqs.maximum_concurrency, sqs.report_batch_item_failures) == (
        10,
        None,
        False,
    )
    assert stream.kind is SourceKind.DYNAMODB_STREAM
    assert stream.batch_size == 100
    assert stream.maximum_retry_attempts == -1
    assert stream.retries_forever
    assert stream.maximum_record_age_s == -1
    assert not stream.bisect_on_error
    assert stream.on_failure_destination is None


def test_dynamo_event_source_with_error_handling_as_cdk_emits_it():
    (spec,) = read_mappings(
        template(
            esm(
                "CartsStream",
                **STREAM_SOURCE | {"StartingPosition": "LATEST"},
                BatchSize=50,
                BisectBatchOnFunctionError=True,
                MaximumRetryAttempts=3,
                MaximumRecordAgeInSeconds=3600,
                DestinationConfig={
                    "OnFailure": {"Destination": {"Fn::GetAtt": ["CartFailures1234", "Arn"]}}
                },
                FilterCriteria={"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]},
                Enabled=False,
            )
        )
    )
    assert spec.starting_position is StartingPosition.LATEST
    assert (spec.batch_size, spec.maximum_retry_attempts, spec.maximum_record_age_s) == (
        50,
        3,
        3600,
    )
    assert spec.bisect_on_error
    assert spec.on_failure_destination == DLQ_ARN
    assert spec.filter_patterns == ('{"eventName": ["INSERT"]}',)
    assert not spec.enabled


def test_a_provided_function_name_wins():
    stack = template(esm("A", **SQS_SOURCE))
    stack.provide("OrdersFnA1B2", Ref="vitrine-orders-handler")
    (spec,) = read_mappings(stack)
    assert spec.function == "vitrine-orders-handler"


def test_a_source_without_a_local_poller_is_skipped_and_said(caplog):
    kinesis = {
        "FunctionName": "some-function",
        "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/clicks",
        "StartingPosition": "LATEST",
    }
    with caplog.at_level(logging.WARNING, "vitrine.local.event_sources"):
        specs = read_mappings(template(esm("Clicks", **kinesis), esm("A", **SQS_SOURCE)))
    assert [spec.logical_id for spec in specs] == ["A"]
    assert "Clicks" in caplog.text


def test_a_literal_function_name_needs_no_resource():
    (spec,) = read_mappings(template(esm("A", **SQS_SOURCE | {"FunctionName": "elsewhere"})))
    assert (spec.function, spec.function_logical_id) == ("elsewhere", None)


@pytest.mark.parametrize("position", ["LATEST", "TRIM_HORIZON"])
def test_starting_position_is_read(position):
    source = STREAM_SOURCE | {"StartingPosition": position}
    (spec,) = read_mappings(template(esm("A", **source)))
    assert spec.starting_position == position
