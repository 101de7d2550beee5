"""The PutEvents helper: an IVS event published to the embedded EventBridge reaches the target
of a rule written the way the stack writes its IVS rules (source, detail-type, resources)."""

import json
import uuid
from datetime import UTC, datetime

import boto3
import pytest

from functions.common import aws
from local.ivs import eventbridge_publisher
from local.ivs.identifiers import ChannelArn
from local.ivs.notifications import RecordingEvent, recording_state_change
from local.ivs.recording import RecordingSession

pytestmark = pytest.mark.integration

CHANNEL = ChannelArn.parse("arn:aws:ivs:us-east-1:123456789012:channel/AbCdef1G2hij")


def test_an_ivs_event_published_to_eventbridge_reaches_the_rule_target(aws_endpoint):
    events = boto3.client("events", endpoint_url=aws_endpoint, region_name=aws.region())
    sqs = boto3.client("sqs", endpoint_url=aws_endpoint, region_name=aws.region())
    name = f"ivs-recordings-{uuid.uuid4().hex[:8]}"
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    pattern = {
        "source": ["aws.ivs"],
        "detail-type": ["IVS Recording State Change"],
        "resources": [CHANNEL.arn],
    }
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue_arn}])

    at = datetime(2026, 5, 4, 20, 7, 36, tzinfo=UTC)
    recording = RecordingSession.begin(CHANNEL, "recordings", at)
    event = recording_state_change(
        CHANNEL,
        "vitrine-live",
        RecordingEvent.RECORDING_END,
        "st-1",
        recording,
        at,
        duration_ms=61_000,
    )
    eventbridge_publisher(events)(event)

    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5)["Messages"]
    delivered = json.loads(messages[0]["Body"])
    assert delivered["source"] == "aws.ivs"
    assert delivered["detail-type"] == "IVS Recording State Change"
    assert delivered["resources"] == [CHANNEL.arn]
    assert delivered["detail"] == event["detail"]
