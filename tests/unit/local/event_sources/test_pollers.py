"""Mappings the function's role could not run stay disabled, with Lambda's error."""

import logging

import pytest

from local.awslambda.invocation import Invocation
from local.cloudformation.template import Resource, Template
from local.event_sources import EventSourcePollers

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders"
STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/carts/stream/2026-01-01T00:00:00.000"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:failures"


class NeverInvoked:
    def invoke(self, function: str, event: object, *, trigger: str) -> Invocation:
        raise AssertionError("a disabled mapping invoked its function")


def no_clients(service: str) -> object:
    raise AssertionError(f"a disabled mapping created a {service} client")


def template(**mappings: dict) -> Template:
    resources = {
        logical_id: Resource(
            logical_id,
            "AWS::Lambda::EventSourceMapping",
            {"FunctionName": "fn"} | properties,
        )
        for logical_id, properties in mappings.items()
    }
    return Template(stack_name="vitrine", resources=resources)


def refusing(refused: str):
    def check(function: str, action: str, resource: str) -> bool:
        assert function == "fn"
        return action != refused

    return check


@pytest.mark.parametrize(
    ("refused", "message"),
    [
        ("sqs:ReceiveMessage", "does not have permissions to call ReceiveMessage on SQS"),
        ("sqs:DeleteMessage", "does not have permissions to call DeleteMessage on SQS"),
        ("sqs:GetQueueAttributes", "permissions to call GetQueueAttributes on SQS"),
    ],
)
def test_sqs_mapping_without_the_queue_permissions_stays_disabled(refused, message, caplog):
    pollers = EventSourcePollers(
        template(Orders={"EventSourceArn": QUEUE_ARN}),
        NeverInvoked(),
        no_clients,
        permission_check=refusing(refused),
    )
    with caplog.at_level(logging.ERROR, "vitrine.local.event_sources"):
        pollers.start()
    pollers.stop()
    stats = pollers.stats("Orders")
    assert stats.state == "Disabled"
    assert message in stats.state_reason
    assert message in caplog.text
    assert "Orders" in caplog.text


@pytest.mark.parametrize(
    "refused",
    [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ],
)
def test_stream_mapping_without_the_stream_permissions_stays_disabled(refused):
    pollers = EventSourcePollers(
        template(Carts={"EventSourceArn": STREAM_ARN, "StartingPosition": "LATEST"}),
        NeverInvoked(),
        no_clients,
        permission_check=refusing(refused),
    )
    pollers.start()
    pollers.stop()
    stats = pollers.stats("Carts")
    assert stats.state == "Disabled"
    assert stats.state_reason.startswith(f"Cannot access stream {STREAM_ARN}.")


def test_stream_mapping_that_could_not_send_to_its_destination_stays_disabled():
    carts = {
        "EventSourceArn": STREAM_ARN,
        "StartingPosition": "LATEST",
        "DestinationConfig": {"OnFailure": {"Destination": DLQ_ARN}},
    }
    pollers = EventSourcePollers(
        template(Carts=carts),
        NeverInvoked(),
        no_clients,
        permission_check=refusing("sqs:SendMessage"),
    )
    pollers.start()
    pollers.stop()
    assert pollers.stats("Carts").state_reason == (
        "The provided execution role does not have permissions to call SendMessage on SQS"
    )


def test_a_mapping_disabled_in_the_template_is_not_polled():
    pollers = EventSourcePollers(
        template(Orders={"EventSourceArn": QUEUE_ARN, "Enabled": False}),
        NeverInvoked(),
        no_clients,
    )
    pollers.start()
    pollers.stop()
    assert pollers.stats("Orders").state == "Disabled"
