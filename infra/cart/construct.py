"""The commerce path: an API Gateway REST API in front of the Chalice app in functions/cart.

CDK owns API Gateway, Chalice owns routing inside the function. The REST API mirrors Chalice's
route table (`app.routes`) resource by resource and method by method, so API Gateway answers
404/403 for what Chalice does not serve (no `{proxy+}` catch-all), and a new `@app.route`
appears here at the next synth."""

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ivs as ivs
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.common.settings import Env
from infra.config import VitrineConfig
from infra.functions import PythonFunctions
from infra.nag import acknowledge, table_indexes_finding

STAGE_NAME = "api"
CHALICE_HANDLER = "functions.cart.app.app"


def chalice_routes() -> Mapping[str, Mapping[str, object]]:
    """The Chalice route table: path -> {HTTP method: RouteEntry}."""
    from functions.cart.app import app  # imported on use: it loads the whole cart domain

    return app.routes


class Cart(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: VitrineConfig,
        functions: PythonFunctions,
        catalog: dynamodb.ITable,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
        channel: ivs.CfnChannel,
        stream_key: ivs.CfnStreamKey,
    ) -> None:
        super().__init__(scope, construct_id)
        routes = chalice_routes()

        self.function = functions.create(
            self,
            "ChaliceApp",
            handler=CHALICE_HANDLER,
            service="cart",
            description="REST API (Chalice): shows, products, carts, promos, checkout",
            environment={
                Env.BRAND_NAME: config.brand_name,
                Env.CATALOG_TABLE: catalog.table_name,
                Env.USER_POOL_ID: user_pool.user_pool_id,
                Env.USER_POOL_CLIENT_ID: user_pool_client.user_pool_client_id,
                Env.ALLOWED_ORIGINS: ",".join(config.allowed_origins),
                Env.CHANNEL_ARN: channel.attr_arn,
                Env.STREAM_KEY_ARN: stream_key.attr_arn,
            },
            memory_size=512,
            timeout_seconds=29,
        )
        # Staff create shows here. Carts, stock and the event log are granted with the
        # commerce features that write them.
        catalog.grant_read_write_data(self.function)
        # The host's encoder settings (GET /studio/ingest): the channel's ingest endpoint and
        # the value of its one stream key, nothing that changes the channel.
        self.function.add_to_role_policy(
            iam.PolicyStatement(actions=["ivs:GetChannel"], resources=[channel.attr_arn])
        )
        self.function.add_to_role_policy(
            iam.PolicyStatement(actions=["ivs:GetStreamKey"], resources=[stream_key.attr_arn])
        )

        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.THREE_MONTHS
        )
        self.api = apigw.RestApi(
            self,
            "RestApi",
            description="Vitrine commerce API (mirrors the Chalice routes of functions/cart)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # The account-level role API Gateway needs to write any log (also the WebSocket's).
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                tracing_enabled=True,
                metrics_enabled=True,
                throttling_rate_limit=200,
                throttling_burst_limit=400,
            ),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=list(config.allowed_origins),
                allow_methods=sorted({method for methods in routes.values() for method in methods}),
                allow_headers=["Content-Type", "Authorization"],
                max_age=Duration.hours(1),
            ),
        )

        # One integration, one invoke permission for the whole API (not one per method).
        integration = apigw.LambdaIntegration(self.function, scope_permission_to_method=False)
        for path, methods in routes.items():
            resource = self.api.root.resource_for_path(path)
            for method in methods:
                resource.add_method(method, integration)

        self._acknowledge_nag_findings(catalog)

    @property
    def url(self) -> str:
        """https://<api>.execute-api.<region>.amazonaws.com/api/"""
        return self.api.url

    def _acknowledge_nag_findings(self, catalog: dynamodb.ITable) -> None:
        acknowledge(
            self,
            {
                table_indexes_finding(catalog): (
                    "CDK's table grants include the table's indexes; the shows list queries the "
                    "by_status index."
                ),
            },
        )
        acknowledge(
            self.api,
            {
                "AwsSolutions-APIG2": (
                    "Chalice validates every body with the pydantic models of functions/cart "
                    "and answers 400 with the reason; API Gateway models would duplicate them."
                ),
                "AwsSolutions-APIG3": (
                    "The API is throttled per stage; a WAF web ACL is a per-brand cost and "
                    "policy decision, attached to the stage when a brand wants one."
                ),
                "AwsSolutions-APIG4": (
                    "Viewers are anonymous by design (catalog, carts); staff routes verify the "
                    "Cognito ID token and group inside Chalice (functions/common/auth.py)."
                ),
                "AwsSolutions-COG4": (
                    "Most routes serve anonymous viewers; staff routes check the Cognito token "
                    "and role in Chalice, so one API serves both audiences."
                ),
                (
                    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                    "AmazonAPIGatewayPushToCloudWatchLogs]"
                ): (
                    "The account-level role API Gateway uses to write logs; this AWS managed "
                    "policy is the one AWS documents for it and grants logs actions only."
                ),
            },
        )
