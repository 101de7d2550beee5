"""infra/streaming: the IVS channel from the config, auto-recording, and the IVS event rules."""

import pytest
from aws_cdk.assertions import Match

from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra


def test_the_channel_takes_type_and_latency_from_the_config(
    default_stack: Synthesized, custom_stack: Synthesized
) -> None:
    default_stack.template.has_resource_properties(
        "AWS::IVS::Channel", {"Type": "STANDARD", "LatencyMode": "LOW", "Authorized": False}
    )
    custom_stack.template.has_resource_properties(
        "AWS::IVS::Channel", {"Type": "ADVANCED_HD", "LatencyMode": "NORMAL"}
    )


def test_the_channel_records_to_the_recordings_bucket_with_thumbnails(
    default_stack: Synthesized,
) -> None:
    recording = default_stack.logical_id("AWS::IVS::RecordingConfiguration", "StreamingRecording")
    bucket = default_stack.logical_id("AWS::S3::Bucket", "DataRecordingsBucket")

    default_stack.template.has_resource_properties(
        "AWS::IVS::RecordingConfiguration",
        {
            "DestinationConfiguration": {"S3": {"BucketName": {"Ref": bucket}}},
            "ThumbnailConfiguration": Match.object_like(
                {"RecordingMode": "INTERVAL", "TargetIntervalSeconds": Match.any_value()}
            ),
        },
    )
    default_stack.template.has_resource_properties(
        "AWS::IVS::Channel", {"RecordingConfigurationArn": {"Fn::GetAtt": [recording, "Arn"]}}
    )


def test_recording_off_means_no_recording_configuration(custom_stack: Synthesized) -> None:
    custom_stack.template.resource_count_is("AWS::IVS::RecordingConfiguration", 0)
    custom_stack.template.has_resource_properties(
        "AWS::IVS::Channel", {"RecordingConfigurationArn": Match.absent()}
    )


def test_the_host_has_a_stream_key_for_the_channel(default_stack: Synthesized) -> None:
    channel = default_stack.logical_id("AWS::IVS::Channel", "StreamingChannel")

    default_stack.template.has_resource_properties(
        "AWS::IVS::StreamKey", {"ChannelArn": {"Fn::GetAtt": [channel, "Arn"]}}
    )


def _ivs_rules(synthesized: Synthesized) -> dict[str, dict]:
    channel = synthesized.logical_id("AWS::IVS::Channel", "StreamingChannel")
    rules = {}
    for rule in synthesized.resources("AWS::Events::Rule").values():
        pattern = rule["Properties"]["EventPattern"]
        if pattern.get("source") == ["aws.ivs"]:
            assert pattern["resources"] == [{"Fn::GetAtt": [channel, "Arn"]}], "not this channel"
            (detail_type,) = pattern["detail-type"]
            rules[detail_type] = rule
    return rules


def test_ivs_state_changes_of_this_channel_are_caught(
    default_stack: Synthesized, custom_stack: Synthesized
) -> None:
    assert set(_ivs_rules(default_stack)) == {
        "IVS Stream State Change",
        "IVS Recording State Change",
    }
    assert set(_ivs_rules(custom_stack)) == {"IVS Stream State Change"}


def test_ivs_events_land_in_a_log_group_that_lets_eventbridge_write(
    default_stack: Synthesized,
) -> None:
    log_group = default_stack.logical_id("AWS::Logs::LogGroup", "StreamingIvsEvents")

    for rule in _ivs_rules(default_stack).values():
        # Other constructs add their own targets (the chat's stream-state function).
        targets = [target["Arn"] for target in rule["Properties"]["Targets"]]
        assert any(
            "Fn::Join" in arn and {"Ref": log_group} in arn["Fn::Join"][1] for arn in targets
        )
    (policy,) = default_stack.resources("AWS::Logs::ResourcePolicy").values()
    document = policy["Properties"]["PolicyDocument"]["Fn::Join"][1]  # JSON around the ARN
    text = "".join(part for part in document if isinstance(part, str))
    assert '"Principal":{"Service":"events.amazonaws.com"}' in text
    assert '"Action":["logs:CreateLogStream","logs:PutLogEvents"]' in text
    assert {"Fn::GetAtt": [log_group, "Arn"]} in document
