"""The local IVS stand-in's events must match the rules the stack deploys for real IVS: each
provisioned rule gets an SQS target here, and only the events its pattern matches arrive."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from functions.common import aws
from local.ivs import publish_event
from local.ivs.identifiers import ChannelArn
from local.ivs.notifications import (
    RecordingEvent,
    StreamEvent,
    recording_state_change,
    stream_state_change,
)
from local.ivs.recording import RecordingSession

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def channel(provisioned) -> ChannelArn:
    (resource,) = provisioned.of_type("AWS::IVS::Channel")
    return ChannelArn.parse(provisioned.resolve({"Ref": resource.logical_id}))


@pytest.fixture(scope="module")
def delivered(provisioned):
    """detail-type -> a function returning the events the stack's rule for it delivered."""
    events, sqs = aws.client("events"), aws.client("sqs")
    stack_rules = {
        provisioned.resolve({"Ref": rule.logical_id})
        for rule in provisioned.of_type("AWS::Events::Rule")
    }
    readers = {}
    for rule in events.list_rules()["Rules"]:
        if rule["Name"] not in stack_rules:  # other tests share this endpoint
            continue
        queue_url = sqs.create_queue(QueueName=f"rule-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        events.put_targets(Rule=rule["Name"], Targets=[{"Id": "test", "Arn": queue_arn}])

        def read(url=queue_url):
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            return [json.loads(message["Body"]) for message in messages]

        for detail_type in json.loads(rule["EventPattern"]).get("detail-type", []):
            readers[detail_type] = read
    return readers


def test_stream_events_reach_the_stacks_stream_rule_and_others_do_not(delivered, channel):
    now = datetime.now(UTC)
    other = ChannelArn.parse(channel.arn.rsplit("/", 1)[0] + "/another")
    publish_event(aws.client("events"), stream_state_change(other, "x", StreamEvent.STREAM_START,
                                                              "st-0", now))  # fmt: skip
    for state in StreamEvent:
        event = stream_state_change(channel, "VitrineStack-live", state, "st-1", now)
        publish_event(aws.client("events"), event)
    received = delivered["IVS Stream State Change"]()
    assert [e["detail"]["event_name"] for e in received] == ["Stream Start", "Stream End"]
    assert {e["resources"][0] for e in received} == {channel.arn}


def test_recording_events_reach_the_stacks_recording_rule(delivered, channel):
    now = datetime.now(UTC)
    session = RecordingSession.begin(channel, "recordings", now)
    for state in (RecordingEvent.RECORDING_START, RecordingEvent.RECORDING_END):
        event = recording_state_change(channel, "VitrineStack-live", state, "st-1", session, now)
        publish_event(aws.client("events"), event)
    received = delivered["IVS Recording State Change"]()
    assert [e["detail"]["recording_status"] for e in received] == [
        "Recording Start",
        "Recording End",
    ]
    assert not delivered["IVS Stream State Change"]()
