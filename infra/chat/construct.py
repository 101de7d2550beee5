"""The real-time path: an API Gateway WebSocket API in front of functions/chat.

Viewers connect anonymously with `?show=<id>`; staff add `&token=<Cognito ID token>`, which the
`$connect` authorizer verifies. Every later frame is routed by its `action` field: one route
per action of functions/chat/logic/frames.py, to the function that owns it (viewer actions,
staff actions); `$default` answers malformed frames and unknown actions with an error frame.
Events written to the log reach the viewers through the fan-out (fanout.py); IVS's stream
state drives the show's lifecycle (lifecycle.py).

X-Ray: API Gateway traces REST APIs only, not WebSocket APIs. Every function behind this API
traces itself (active tracing, infra/functions.py), and the access log's requestId ties a
frame to its invocation."""

import json
from collections.abc import Mapping

import jsii
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ivs as ivs
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.chat.logic.frames import STAFF_ACTIONS, VIEWER_ACTIONS
from functions.common.settings import Env
from infra.chat.connections import ConnectionsMethod, grant_connections
from infra.chat.fanout import FanOut
from infra.chat.lifecycle import StreamLifecycle
from infra.config import VitrineConfig
from infra.functions import PythonFunctions
from infra.monitoring import PERIOD, Monitoring
from infra.nag import acknowledge, table_indexes_finding

STAGE_NAME = "live"

# Throttling. API Gateway throttles each route of a stage on its own: DefaultRouteSettings is
# every route's limit, RouteSettings raise it for the busy ones. Above them all sits the
# account's budget of 10,000 requests/s per region, shared by every API *and by every
# @connections post*, and the fan-out needs most of it: one post per viewer per frame. Sized
# for a 10,000-viewer show: the viewers' sustained traffic is ~600 frames/s (heartbeats
# 167/s, reactions, chat), and even with every route at its ceiling at once (under 4,000/s,
# tests/infrastructure/test_chat.py keeps it so) the fan-out keeps 6,000 posts/s.
# (rate per second, burst)
DEFAULT_THROTTLE = (40, 80)  # staff actions, questions, display names, $default
ROUTE_THROTTLES: Mapping[str, tuple[int, int]] = {
    "$connect": (500, 1000),  # a show starts: 10,000 viewers arrive within ~20 s
    "join": (500, 1000),  # one per (re)connection
    "heartbeat": (250, 500),  # one a minute per visible page: 167/s at 10,000 viewers
    "ping": (100, 200),  # keep-alives of idle pages
    "chat": (200, 400),  # slow mode paces each viewer; more than anyone can read
    "react": (300, 600),  # pages batch taps (<= 1 frame/s); a throttled one loses hearts only
    "answer_poll": (500, 1000),  # a poll's answers come within seconds of its opening
    "enter_contest": (500, 1000),  # likewise a contest's entries
}

# When the fan-out is late: IteratorAge beyond the coalescing window plus this. Viewers then
# see the chat (and the featured product's card on the socket) noticeably behind the video.
LATE_SECONDS = 5

# One JSON line per WebSocket event: who, which route, how it ended.
_ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "connectionId": "$context.connectionId",
        "eventType": "$context.eventType",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "error": "$context.error.message",
        "authorizerError": "$context.authorizer.error",
        "integrationError": "$context.integrationErrorMessage",
        "integrationLatency": "$context.integrationLatency",
        "ip": "$context.identity.sourceIp",
        "time": "$context.requestTime",
    }
)


class Chat(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: VitrineConfig,
        functions: PythonFunctions,
        monitoring: Monitoring,
        catalog: dynamodb.ITable,
        connections: dynamodb.ITable,
        events_table: dynamodb.ITable,
        chat: dynamodb.ITable,
        channel: ivs.CfnChannel,
        stream_state_rule: events.Rule,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
    ) -> None:
        super().__init__(scope, construct_id)

        self.authorize_function = functions.create(
            self,
            "Authorizer",
            handler="functions.chat.handlers.authorize.handler",
            service="chat",
            description="$connect authorizer: anonymous viewers, staff with a Cognito token",
            environment={
                Env.USER_POOL_ID: user_pool.user_pool_id,
                Env.USER_POOL_CLIENT_ID: user_pool_client.user_pool_client_id,
            },
        )

        self.connect_function = functions.create(
            self,
            "ConnectHandler",
            handler="functions.chat.handlers.connect.handler",
            service="chat",
            description="$connect: refuses banned viewers, records the connection and arrival",
            environment={
                Env.CATALOG_TABLE: catalog.table_name,
                Env.CONNECTIONS_TABLE: connections.table_name,
                Env.EVENTS_TABLE: events_table.table_name,
                Env.CHAT_TABLE: chat.table_name,
            },
        )
        catalog.grant_read_data(self.connect_function)
        connections.grant_write_data(self.connect_function)
        events_table.grant_write_data(self.connect_function)
        chat.grant_read_write_data(self.connect_function)  # the ban check, the viewer count

        self.disconnect_function = functions.create(
            self,
            "DisconnectHandler",
            handler="functions.chat.handlers.disconnect.handler",
            service="chat",
            description="$disconnect: forgets the connection, logs the watch time",
            environment={
                Env.CONNECTIONS_TABLE: connections.table_name,
                Env.EVENTS_TABLE: events_table.table_name,
                Env.CHAT_TABLE: chat.table_name,
            },
        )
        connections.grant_read_write_data(self.disconnect_function)
        events_table.grant_write_data(self.disconnect_function)
        chat.grant_write_data(self.disconnect_function)  # the viewer count

        self.default_function = functions.create(
            self,
            "DefaultHandler",
            handler="functions.chat.handlers.default.handler",
            service="chat",
            description="$default: answers malformed frames and unknown actions with an error",
            environment={},
            memory_size=512,
            timeout_seconds=29,
        )

        self.viewer_function = functions.create(
            self,
            "ViewerActions",
            handler="functions.chat.handlers.viewer_actions.handler",
            service="chat",
            description="Viewer actions: join, chat, react, ask, answer polls, enter contests",
            environment={
                Env.CATALOG_TABLE: catalog.table_name,
                Env.CONNECTIONS_TABLE: connections.table_name,
                Env.EVENTS_TABLE: events_table.table_name,
                Env.CHAT_TABLE: chat.table_name,
            },
            memory_size=512,
            timeout_seconds=10,
        )
        catalog.grant_read_data(self.viewer_function)
        connections.grant_read_data(self.viewer_function)  # who is speaking
        connections.grant(self.viewer_function, "dynamodb:UpdateItem")  # a viewer's new name
        events_table.grant_write_data(self.viewer_function)
        chat.grant_read_write_data(self.viewer_function)

        self.staff_function = functions.create(
            self,
            "StaffActions",
            handler="functions.chat.handlers.staff_actions.handler",
            service="chat",
            description="Staff actions: moderation, featured products, polls, contests, the show",
            environment={
                Env.CATALOG_TABLE: catalog.table_name,
                Env.CONNECTIONS_TABLE: connections.table_name,
                Env.EVENTS_TABLE: events_table.table_name,
                Env.CHAT_TABLE: chat.table_name,
                Env.CHANNEL_ARN: channel.attr_arn,
            },
            memory_size=512,
            timeout_seconds=29,
        )
        catalog.grant_read_write_data(self.staff_function)  # the show's status
        # A banned viewer's connections: found here, closed through @connections (DELETE);
        # `$disconnect` then deletes their records.
        connections.grant_read_data(self.staff_function)
        events_table.grant_write_data(self.staff_function)
        chat.grant_read_write_data(self.staff_function)
        self.staff_function.add_to_role_policy(
            iam.PolicyStatement(
                # The featured product's card in the video (timed metadata), "end show", and
                # the stream's state and playback URL when a show is armed.
                actions=["ivs:PutMetadata", "ivs:StopStream", "ivs:GetStream", "ivs:GetChannel"],
                resources=[channel.attr_arn],
            )
        )

        self.api = apigwv2.WebSocketApi(
            self,
            "Api",
            description="Vitrine live chat and call-to-action",
            route_selection_expression="$request.body.action",
            connect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration(
                    "ConnectIntegration", self.connect_function
                ),
                # Viewers have no token: identity source is the show, which every client sends.
                authorizer=authorizers.WebSocketLambdaAuthorizer(
                    "ShowAuthorizer",
                    self.authorize_function,
                    identity_source=["route.request.querystring.show"],
                ),
            ),
            disconnect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration(
                    "DisconnectIntegration", self.disconnect_function
                )
            ),
            default_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration(
                    "DefaultIntegration", self.default_function
                )
            ),
        )
        # One integration per function, shared by its routes (each route gets its own
        # invoke permission, scoped to its route key).
        self._add_routes(VIEWER_ACTIONS, "ViewerIntegration", self.viewer_function)
        self._add_routes(STAFF_ACTIONS, "StaffIntegration", self.staff_function)

        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.THREE_MONTHS
        )
        rate, burst = DEFAULT_THROTTLE
        self.stage = apigwv2.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=STAGE_NAME,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(rate_limit=rate, burst_limit=burst),
            access_log_settings=_AccessLogSettings(self.access_logs),
        )
        stage_resource = self.stage.node.default_child
        assert isinstance(stage_resource, apigwv2.CfnStage)
        stage_resource.route_settings = {
            route_key: {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}
            for route_key, (rate, burst) in ROUTE_THROTTLES.items()
        }
        # API Gateway refuses settings for a route key that does not exist yet.
        for route in self.api.node.children:
            if isinstance(route, apigwv2.WebSocketRoute):
                self.stage.node.add_dependency(route)

        grant_connections(self.stage, self.default_function, ConnectionsMethod.POST)
        grant_connections(self.stage, self.viewer_function, ConnectionsMethod.POST)
        # Staff close a banned viewer's sockets.
        grant_connections(
            self.stage, self.staff_function, ConnectionsMethod.POST, ConnectionsMethod.DELETE
        )

        self.fanout = FanOut(
            self,
            "FanOut",
            config=config,
            functions=functions,
            catalog=catalog,
            connections=connections,
            events=events_table,
            chat=chat,
            stage=self.stage,
        )
        self.lifecycle = StreamLifecycle(
            self,
            "Lifecycle",
            functions=functions,
            catalog=catalog,
            events_table=events_table,
            chat=chat,
            channel=channel,
            stream_state_rule=stream_state_rule,
        )

        self._monitor(monitoring, config)
        self._acknowledge_nag_findings(catalog, connections)

    @property
    def url(self) -> str:
        """wss://<api>.execute-api.<region>.amazonaws.com/live"""
        return self.stage.url

    @property
    def functions(self) -> Mapping[str, lambda_.Function]:
        """Every chat function, by the name the dashboard and the alarms give it."""
        return {
            "Authorizer": self.authorize_function,
            "Connect": self.connect_function,
            "Disconnect": self.disconnect_function,
            "Default": self.default_function,
            "ViewerActions": self.viewer_function,
            "StaffActions": self.staff_function,
            "FanOut": self.fanout.function,
            "FanOutShard": self.fanout.shard_function,
            "StreamState": self.lifecycle.function,
        }

    def _add_routes(
        self, actions: frozenset[str], integration_id: str, function: lambda_.Function
    ) -> None:
        integration = integrations.WebSocketLambdaIntegration(integration_id, function)
        for action in sorted(actions):
            self.api.add_route(action, integration=integration)

    def _monitor(self, monitoring: Monitoring, config: VitrineConfig) -> None:
        """Alarms and the chat's section of the dashboard (DESIGN §10)."""
        alarms: list[cloudwatch.IAlarm] = []
        for name, function in self.functions.items():
            # Handlers answer bad input with an error frame: an error is a bug or an outage,
            # and during a show a viewer's frame or a broadcast was lost.
            alarms += monitoring.function_alarms(
                self, name, function,
                domain="Chat", failed="unhandled error, timeout",
            )  # fmt: skip
        dead_letters = {
            "FanOutShards": self.fanout.shard_dead_letters,
            "FanOutStream": self.fanout.stream_failures,
            "StreamState": self.lifecycle.dead_letters,
        }
        for name, queue in dead_letters.items():
            alarms.append(
                monitoring.alarm(
                    self,
                    f"{name}DeadLetters",
                    metric=queue.metric_approximate_number_of_messages_visible(
                        period=PERIOD, statistic="Maximum"
                    ),
                    threshold=0,
                    comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    description=f"Chat {name}: failures are waiting in the dead-letter queue",
                )
            )
        iterator_age = self.fanout.function.metric(
            "IteratorAge", period=PERIOD, statistic="Maximum"
        )
        late_ms = (config.chat_coalesce_seconds + LATE_SECONDS) * 1000
        alarms.append(
            monitoring.alarm(
                self,
                "FanOutLate",
                metric=iterator_age,
                threshold=late_ms,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=2,
                description=(
                    f"Chat fan-out: events reach it more than {late_ms // 1000} s after they "
                    "were written; viewers see the chat late"
                ),
            )
        )
        shard_age = self.fanout.shard_queue.metric_approximate_age_of_oldest_message(
            period=PERIOD, statistic="Maximum"
        )
        alarms.append(
            monitoring.alarm(
                self,
                "FanOutShardsLate",
                metric=shard_age,
                threshold=LATE_SECONDS,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=2,
                description=(
                    f"Chat fan-out shards wait more than {LATE_SECONDS} s in their queue; "
                    "large audiences see the chat late"
                ),
            )
        )

        def per_function(metric: str, statistic: str, what: str = "") -> list[cloudwatch.IMetric]:
            return [
                function.metric(metric, period=PERIOD, statistic=statistic, label=f"{name}{what}")
                for name, function in self.functions.items()
            ]

        def api_metric(metric: str, label: str) -> cloudwatch.IMetric:
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=metric,
                dimensions_map={"ApiId": self.api.api_id, "Stage": STAGE_NAME},
                period=PERIOD,
                statistic="Sum",
                label=label,
            )

        queues = {
            "fan-out shards": self.fanout.shard_queue,
            **{f"dead letters: {name}": queue for name, queue in dead_letters.items()},
        }
        monitoring.section(
            "Live chat (WebSocket API, fan-out, IVS stream state)",
            [
                [
                    cloudwatch.GraphWidget(
                        title="WebSocket: connections and messages per minute",
                        left=[
                            api_metric("ConnectCount", "connections"),
                            # Both ways: the viewers' frames and every @connections post,
                            # what counts against the account's 10,000 requests/s.
                            api_metric("MessageCount", "messages in and out"),
                        ],
                        width=12,
                    ),
                    cloudwatch.GraphWidget(
                        title="WebSocket: errors per minute",
                        left=[
                            api_metric("ClientError", "refused by API Gateway (4XX, throttled)"),
                            api_metric("IntegrationError", "function answered an error"),
                            api_metric("ExecutionError", "function not reached"),
                        ],
                        width=12,
                    ),
                ],
                [
                    cloudwatch.GraphWidget(
                        title="Invocations per minute",
                        left=per_function("Invocations", "Sum"),
                        width=8,
                    ),
                    cloudwatch.GraphWidget(
                        title="Errors and throttles per minute",
                        left=per_function("Errors", "Sum"),
                        right=per_function("Throttles", "Sum", " throttled"),
                        width=8,
                    ),
                    cloudwatch.GraphWidget(
                        title="Duration p99 (ms)", left=per_function("Duration", "p99"), width=8
                    ),
                ],
                [
                    cloudwatch.GraphWidget(
                        title="Fan-out lag: stream iterator age (ms), oldest shard (s)",
                        left=[iterator_age.with_(label="stream iterator age")],
                        right=[shard_age.with_(label="oldest shard message")],
                        left_annotations=[
                            cloudwatch.HorizontalAnnotation(value=late_ms, label="late")
                        ],
                        width=12,
                    ),
                    cloudwatch.GraphWidget(
                        title="Queues: messages waiting",
                        left=[
                            queue.metric_approximate_number_of_messages_visible(
                                period=PERIOD, statistic="Maximum", label=name
                            )
                            for name, queue in queues.items()
                        ],
                        width=12,
                    ),
                ],
            ],
            alarms=alarms,
        )

    def _acknowledge_nag_findings(
        self, catalog: dynamodb.ITable, connections: dynamodb.ITable
    ) -> None:
        acknowledge(
            self,
            {
                table_indexes_finding(catalog): (
                    "CDK's table grants include the table's indexes; the chat reads shows by key "
                    "and may list live shows through the by_status index."
                ),
                table_indexes_finding(connections): (
                    "CDK's table grants include the table's indexes; the fan-out queries a "
                    "show's audience through the by_show index."
                ),
            },
        )
        acknowledge(
            self.api,
            {
                "AwsSolutions-APIG4": (
                    "API Gateway runs WebSocket authorizers on $connect only; every later frame "
                    "acts on an already authorized connection, whose role the handlers read "
                    "from the connections table."
                ),
            },
        )


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogSettings:
    """WebSocket access logs in a log group (jsii wants an object here, not a dict)."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._log_group = log_group

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return apigwv2.LogGroupLogDestination(self._log_group)

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(_ACCESS_LOG_FORMAT)
