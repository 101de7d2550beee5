"""The commerce path: an API Gateway REST API in front of the Chalice app in functions/cart.

CDK owns API Gateway, Chalice owns routing inside the function. The REST API mirrors Chalice's
route table (`app.routes`) resource by resource and method by method, so API Gateway answers
404/403 for what Chalice does not serve (no `{proxy+}` catch-all), and a new `@app.route`
appears here at the next synth."""

from collections.abc import Mapping
from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ivs as ivs
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.common.settings import Env
from infra.chat.queues import dead_letter_queue, encrypted_queue
from infra.config import VitrineConfig
from infra.functions import PythonFunctions
from infra.monitoring import Monitoring
from infra.nag import acknowledge, table_indexes_finding

if TYPE_CHECKING:
    from functions.cart.handlers.api import Operation

STAGE_NAME = "api"
CHALICE_HANDLER = "functions.cart.app.app"
HOLD_EXPIRY_HANDLER = "functions.cart.handlers.hold_expiry.handler"
PERIOD = Duration.minutes(1)


def chalice_routes() -> Mapping[str, Mapping[str, object]]:
    """The Chalice route table: path -> {HTTP method: RouteEntry}."""
    from functions.cart.app import app  # imported on use: it loads the whole cart domain

    return app.routes


def operations() -> dict[tuple[str, str], "Operation"]:
    """Each REST operation's declaration (who may call it, its throttle), by (path, method)."""
    from functions.cart.handlers.api import OPERATIONS

    return {(operation.path, operation.method): operation for operation in OPERATIONS}


class Cart(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: VitrineConfig,
        functions: PythonFunctions,
        monitoring: Monitoring,
        catalog: dynamodb.ITable,
        carts: dynamodb.ITable,
        events_table: dynamodb.ITable,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
        channel: ivs.CfnChannel,
        stream_key: ivs.CfnStreamKey,
    ) -> None:
        super().__init__(scope, construct_id)
        routes = chalice_routes()
        declared = operations()

        # Powertools idempotency records: a retried checkout answers what the first one did.
        self.idempotency = dynamodb.Table(
            self,
            "IdempotencyTable",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="expiration",
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=RemovalPolicy.DESTROY,  # short-lived records, nothing to keep
        )
        # Signs the checkout webhook and the storefront's order confirmations (both ways).
        self.storefront_secret = secretsmanager.Secret(
            self,
            "StorefrontSecret",
            description="Vitrine: HMAC-SHA256 key shared with the brand's storefront",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=48, exclude_punctuation=True
            ),
        )
        acknowledge(
            self.storefront_secret,
            {
                "AwsSolutions-SMG4": (
                    "The brand's storefront holds a copy of this key: rotating it is a change "
                    "made with the brand (docs/commerce.md), not on a timer that would break "
                    "their webhook receiver."
                ),
            },
        )
        # The hold timer: one delayed message per reservation, due when its hold ends.
        self.hold_dead_letters = dead_letter_queue(self, "HoldDeadLetters")
        self.holds = encrypted_queue(
            self,
            "HoldsQueue",
            visibility_timeout=Duration.seconds(60),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=5, queue=self.hold_dead_letters
            ),
        )

        self.function = functions.create(
            self,
            "ChaliceApp",
            handler=CHALICE_HANDLER,
            service="cart",
            description="REST API (Chalice): shows, products, carts, promos, checkout",
            environment={
                Env.BRAND_NAME: config.brand_name,
                Env.TIME_ZONE: config.time_zone,
                Env.CATALOG_TABLE: catalog.table_name,
                Env.CARTS_TABLE: carts.table_name,
                Env.EVENTS_TABLE: events_table.table_name,
                Env.IDEMPOTENCY_TABLE: self.idempotency.table_name,
                Env.HOLDS_QUEUE_URL: self.holds.queue_url,
                Env.HOLD_SECONDS: str(config.hold_seconds),
                Env.CHECKOUT_ADAPTER: config.checkout.adapter,
                Env.CHECKOUT_URL: config.checkout.url,
                Env.CHECKOUT_OPENS_IN: config.checkout.opens_in,
                Env.STOREFRONT_SECRET_ARN: self.storefront_secret.secret_arn,
                Env.USER_POOL_ID: user_pool.user_pool_id,
                Env.USER_POOL_CLIENT_ID: user_pool_client.user_pool_client_id,
                Env.ALLOWED_ORIGINS: ",".join(config.allowed_origins),
                Env.CHANNEL_ARN: channel.attr_arn,
                Env.STREAM_KEY_ARN: stream_key.attr_arn,
            },
            memory_size=512,
            timeout_seconds=29,
        )
        catalog.grant_read_write_data(self.function)
        carts.grant_read_write_data(self.function)
        # Cart lines, sales and promo pushes write their events (in the same transactions).
        events_table.grant_write_data(self.function)
        self.idempotency.grant_read_write_data(self.function)
        self.holds.grant_send_messages(self.function)
        self.storefront_secret.grant_read(self.function)

        self.hold_expiry = functions.create(
            self,
            "HoldExpiry",
            handler=HOLD_EXPIRY_HANDLER,
            service="cart",
            description="Puts the units of a cart's lapsed reservation back on sale",
            environment={
                Env.CATALOG_TABLE: catalog.table_name,
                Env.CARTS_TABLE: carts.table_name,
                Env.EVENTS_TABLE: events_table.table_name,
                Env.HOLDS_QUEUE_URL: self.holds.queue_url,
            },
            timeout_seconds=30,
        )
        catalog.grant_read_write_data(self.hold_expiry)
        carts.grant_read_write_data(self.hold_expiry)
        events_table.grant_write_data(self.hold_expiry)
        self.holds.grant_send_messages(self.hold_expiry)  # a hold longer than SQS's delay
        self.hold_expiry.add_event_source(
            event_sources.SqsEventSource(self.holds, batch_size=10, report_batch_item_failures=True)
        )
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
                # Each operation's own throttle (the add-to-cart routes sized for a flash sale).
                method_options={
                    f"{path}/{method}": apigw.MethodDeploymentOptions(
                        throttling_rate_limit=operation.throttle.rate,
                        throttling_burst_limit=operation.throttle.burst,
                    )
                    for (path, method), operation in declared.items()
                    if operation.throttle.rate != 200
                },
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
        # Staff operations also pass API Gateway's Cognito authorizer (the role is Chalice's
        # to check: a Cognito group is not a scope).
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self, "StaffAuthorizer", cognito_user_pools=[user_pool]
        )
        for path, methods in routes.items():
            resource = self.api.root.resource_for_path(path)
            for method in methods:
                operation = declared.get((path, method))
                if operation is not None and operation.staff:
                    resource.add_method(
                        method,
                        integration,
                        authorizer=self.authorizer,
                        authorization_type=apigw.AuthorizationType.COGNITO,
                    )
                else:
                    resource.add_method(method, integration)

        self._monitor(monitoring)
        self._acknowledge_nag_findings(catalog)

    @property
    def url(self) -> str:
        """https://<api>.execute-api.<region>.amazonaws.com/api/"""
        return self.api.url

    def _monitor(self, monitoring: Monitoring) -> None:
        alarms: list[cloudwatch.IAlarm] = []
        # A throttled invocation is a 500 to the viewer, or a hold released late.
        for name, function in {"Api": self.function, "HoldExpiry": self.hold_expiry}.items():
            alarms += monitoring.function_alarms(
                self, name, function,
                domain="Commerce", failed="a bug or an outage",
            )  # fmt: skip
        alarms.append(
            monitoring.alarm(
                self,
                "HoldsDeadLettered",
                metric=self.hold_dead_letters.metric_approximate_number_of_messages_visible(
                    period=PERIOD, statistic="Maximum"
                ),
                threshold=0,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                description="Commerce: lapsed holds could not be released (units stay reserved)",
            )
        )
        alarms.append(
            monitoring.alarm(
                self,
                "HoldsLate",
                metric=self.holds.metric_approximate_age_of_oldest_message(
                    period=PERIOD, statistic="Maximum"
                ),
                threshold=960,  # SQS's 15-minute delay, and a minute more
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                description="Commerce: lapsed holds wait to be released; stock shows sold out",
            )
        )

        def api_metric(metric: str, label: str | None = None) -> cloudwatch.IMetric:
            # A label turns an alarm's metric into metric math; only the graphs carry one.
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=metric,
                dimensions_map={"ApiName": self.api.rest_api_name, "Stage": STAGE_NAME},
                period=PERIOD,
                statistic="Sum",
                label=label,
            )

        alarms.append(
            monitoring.alarm(
                self,
                "ApiServerErrors",
                metric=api_metric("5XXError"),
                threshold=5,
                description="Commerce API: 5xx answers (viewers could not shop)",
            )
        )
        monitoring.section(
            "Commerce (REST API, carts, holds)",
            [
                [
                    cloudwatch.GraphWidget(
                        title="REST API: requests and errors per minute",
                        left=[api_metric(name, name) for name in ("Count", "4XXError", "5XXError")],
                        width=12,
                    ),
                    cloudwatch.GraphWidget(
                        title="Holds: waiting, and released per minute",
                        left=[
                            self.holds.metric_approximate_number_of_messages_delayed(
                                period=PERIOD, statistic="Maximum", label="holds running"
                            ),
                            self.hold_dead_letters.metric_approximate_number_of_messages_visible(
                                period=PERIOD, statistic="Maximum", label="holds dead-lettered"
                            ),
                        ],
                        right=[self.hold_expiry.metric_invocations(period=PERIOD, statistic="Sum")],
                        width=12,
                    ),
                ]
            ],
            alarms=alarms,
        )

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
                    "Viewers are anonymous by design (catalog, carts, checkout); staff routes "
                    "have the Cognito authorizer, and Chalice checks their role."
                ),
                "AwsSolutions-COG4": (
                    "Viewer routes are anonymous by design; every staff route has the Cognito "
                    "user pool authorizer (infra/cart/construct.py)."
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
