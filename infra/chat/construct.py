"""The real-time path: an API Gateway WebSocket API in front of functions/chat.

Viewers connect anonymously with `?show=<id>`; staff add `&token=<Cognito ID token>`, which the
`$connect` authorizer verifies. Every later frame goes to `$default`, which answers and fans out
through the API's @connections endpoint."""

import json

import jsii
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.common.settings import Env
from infra.functions import PythonFunctions
from infra.nag import acknowledge, logical_id, table_indexes_finding

STAGE_NAME = "live"

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
        functions: PythonFunctions,
        catalog: dynamodb.ITable,
        connections: dynamodb.ITable,
        events: dynamodb.ITable,
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
            description="$connect: records the connection, logs the viewer's arrival",
            environment={
                Env.CATALOG_TABLE: catalog.table_name,
                Env.CONNECTIONS_TABLE: connections.table_name,
                Env.EVENTS_TABLE: events.table_name,
            },
        )
        catalog.grant_read_data(self.connect_function)
        connections.grant_write_data(self.connect_function)
        events.grant_write_data(self.connect_function)

        self.disconnect_function = functions.create(
            self,
            "DisconnectHandler",
            handler="functions.chat.handlers.disconnect.handler",
            service="chat",
            description="$disconnect: forgets the connection, logs the watch time",
            environment={
                Env.CONNECTIONS_TABLE: connections.table_name,
                Env.EVENTS_TABLE: events.table_name,
            },
        )
        connections.grant_read_write_data(self.disconnect_function)
        events.grant_write_data(self.disconnect_function)

        self.default_function = functions.create(
            self,
            "DefaultHandler",
            handler="functions.chat.handlers.default.handler",
            service="chat",
            description="$default: every frame a client sends (answers via @connections)",
            # It needs nothing but @connections (granted below) until chat, fan-out and
            # featured products arrive: each brings its own table or channel grant.
            environment={},
            memory_size=512,
            timeout_seconds=29,
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

        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.THREE_MONTHS
        )
        self.stage = apigwv2.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=STAGE_NAME,
            auto_deploy=True,
            # Frames per second from all clients: room for a busy live chat, a cap on abuse.
            throttle=apigwv2.ThrottleSettings(rate_limit=500, burst_limit=1000),
            access_log_settings=_AccessLogSettings(self.access_logs),
        )
        self.stage.grant_management_api_access(self.default_function)

        self._acknowledge_nag_findings(catalog, connections)

    @property
    def url(self) -> str:
        """wss://<api>.execute-api.<region>.amazonaws.com/live"""
        return self.stage.url

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
                (
                    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:"
                    f"<AWS::AccountId>:<{logical_id(self.api)}>/{STAGE_NAME}/*/@connections/*]"
                ): (
                    "Connection ids are created at run time: $default may post to (and close) "
                    "any connection of this API's stage, and only of this stage."
                ),
            },
        )
        acknowledge(
            self.api,
            {
                "AwsSolutions-APIG4": (
                    "API Gateway runs WebSocket authorizers on $connect only; $default and "
                    "$disconnect act on an already authorized connection, whose role the "
                    "handlers read from the connections table."
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
