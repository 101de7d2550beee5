"""What the on-call reads during a show: one CloudWatch dashboard for the stack, and the topic
every alarm notifies (DESIGN §10).

The stack creates one Monitoring; each domain construct adds its own section of widgets and
its own alarms through it, so a new domain cannot forget to notify or to show itself."""

from collections.abc import Sequence

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.nag import acknowledge

# Most of Vitrine's metrics are per minute; a show is watched over its last hours.
PERIOD = Duration.minutes(1)
DASHBOARD_WIDTH = 24  # CloudWatch's grid


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, alarm_email: str | None) -> None:
        super().__init__(scope, construct_id)

        self.topic = sns.Topic(self, "AlarmTopic", display_name="Vitrine alarms", enforce_ssl=True)
        # The topic's own policy (TLS only) replaces SNS's default one: say that this
        # account's alarms may publish.
        stack = Stack.of(self)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="cloudwatch",
                            resource="alarm",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                    "StringEquals": {"aws:SourceAccount": stack.account},
                },
            )
        )
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            default_interval=Duration.hours(3),
            period_override=cloudwatch.PeriodOverride.AUTO,
        )
        self.alarms: list[cloudwatch.Alarm] = []

        acknowledge(
            self.topic,
            {
                "AwsSolutions-SNS2": (
                    "CloudWatch alarms cannot publish to a topic encrypted with the AWS managed "
                    "SNS key, and alarm notifications carry alarm names and states only."
                ),
            },
        )

    def alarm(
        self,
        scope: Construct,
        construct_id: str,
        *,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        comparison: cloudwatch.ComparisonOperator = (
            cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ),
        evaluation_periods: int = 1,
    ) -> cloudwatch.Alarm:
        """An alarm that notifies the topic when it fires and when it recovers.

        No data is not a breach: most of these metrics only exist while a show is live."""
        alarm = cloudwatch.Alarm(
            scope,
            construct_id,
            metric=metric,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=evaluation_periods,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        action = cloudwatch_actions.SnsAction(self.topic)
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)
        self.alarms.append(alarm)
        return alarm

    def function_alarms(
        self, scope: Construct, name: str, function: lambda_.IFunction, *, domain: str, failed: str
    ) -> list[cloudwatch.Alarm]:
        """`<name>Errors` and `<name>Throttles`: the function's first error (`failed` says
        what one means) and its first invocation refused for lack of concurrency."""
        return [
            self.alarm(
                scope,
                f"{name}Errors",
                metric=function.metric_errors(period=PERIOD, statistic="Sum"),
                threshold=1,
                description=f"{domain} {name}: the function failed ({failed})",
            ),
            self.alarm(
                scope,
                f"{name}Throttles",
                metric=function.metric_throttles(period=PERIOD, statistic="Sum"),
                threshold=1,
                description=f"{domain} {name}: invocations refused for lack of concurrency",
            ),
        ]

    def section(
        self,
        title: str,
        rows: Sequence[Sequence[cloudwatch.IWidget]],
        *,
        alarms: Sequence[cloudwatch.IAlarm] = (),
    ) -> None:
        """A titled block of the dashboard: the section's alarm states first, then its rows."""
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(markdown=f"## {title}", width=DASHBOARD_WIDTH, height=1)
        )
        if alarms:
            self.dashboard.add_widgets(
                cloudwatch.AlarmStatusWidget(
                    title=f"{title}: alarms",
                    alarms=list(alarms),
                    width=DASHBOARD_WIDTH,
                    height=2 + len(alarms) // 6,
                )
            )
        for row in rows:
            self.dashboard.add_widgets(*row)
