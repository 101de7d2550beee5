"""The live video: one IVS channel, its stream key, auto-recording to S3, and the IVS events.

The stream-state and recording-state rules are exposed so that later constructs (the show
lifecycle, the replay workflow) add their own targets; until then every IVS event of this
channel lands in a log group, which is also the audit trail of what happened to a live."""

import jsii
from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ivs as ivs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.config import VitrineConfig

_Recording = ivs.CfnRecordingConfiguration


class Streaming(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: VitrineConfig,
        recordings_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)

        self.recording_configuration: ivs.CfnRecordingConfiguration | None = None
        if config.recording:
            self.recording_configuration = ivs.CfnRecordingConfiguration(
                self,
                "Recording",
                destination_configuration=_Recording.DestinationConfigurationProperty(
                    s3=_Recording.S3DestinationConfigurationProperty(
                        bucket_name=recordings_bucket.bucket_name
                    )
                ),
                # A host whose phone drops for a moment keeps one recording, so one replay.
                recording_reconnect_window_seconds=60,
                # Thumbnails every 10 s: the replay's chapter images and the "latest" poster.
                thumbnail_configuration=_Recording.ThumbnailConfigurationProperty(
                    recording_mode="INTERVAL",
                    target_interval_seconds=10,
                    storage=["SEQUENTIAL", "LATEST"],
                ),
            )

        self.channel = ivs.CfnChannel(
            self,
            "Channel",
            name=f"{Stack.of(self).stack_name}-live",
            type=config.channel_type.value,
            latency_mode=config.latency_mode.value,
            # Playback is public: viewers are anonymous.
            authorized=False,
            recording_configuration_arn=(
                self.recording_configuration.attr_arn if self.recording_configuration else None
            ),
        )
        # The host's encoder authenticates with this key. The console's Studio tab shows it to
        # hosts and admins (GET /studio/ingest); `aws ivs get-stream-key` reads it too.
        self.stream_key = ivs.CfnStreamKey(self, "StreamKey", channel_arn=self.channel.attr_arn)

        self.event_log = logs.LogGroup(self, "IvsEvents", retention=logs.RetentionDays.THREE_MONTHS)
        self.event_log.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.event_log.log_group_arn],
            )
        )
        self.stream_state_rule = self._ivs_rule("StreamStateChange", "IVS Stream State Change")
        self.recording_state_rule: events.Rule | None = None
        if config.recording:
            self.recording_state_rule = self._ivs_rule(
                "RecordingStateChange", "IVS Recording State Change"
            )

    def _ivs_rule(self, construct_id: str, detail_type: str) -> events.Rule:
        rule = events.Rule(
            self,
            construct_id,
            description=f"{detail_type} events of the Vitrine channel",
            event_pattern=events.EventPattern(
                source=["aws.ivs"], detail_type=[detail_type], resources=[self.channel.attr_arn]
            ),
        )
        rule.add_target(_LogGroupTarget(self.event_log))
        return rule


@jsii.implements(events.IRuleTarget)
class _LogGroupTarget:
    """A log group as a rule target, relying on the group's own resource policy.

    events_targets.CloudWatchLogGroup would write that policy through a custom-resource Lambda;
    LogGroup.add_to_resource_policy writes a native AWS::Logs::ResourcePolicy instead."""

    def __init__(self, log_group: logs.LogGroup) -> None:
        self.log_group = log_group

    def bind(self, rule: events.IRule, id: str | None = None) -> events.RuleTargetConfig:
        stack = Stack.of(self.log_group)
        return events.RuleTargetConfig(
            # EventBridge wants the log group's ARN without the ":*" that GetAtt Arn ends with.
            arn=stack.format_arn(
                service="logs",
                resource="log-group",
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
                resource_name=self.log_group.log_group_name,
            ),
            target_resource=self.log_group,
        )
