"""The runtime test stack: each kind of trigger the feature issues will use, once."""

from pathlib import Path

from aws_cdk import App, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra import REPO_ROOT

STACK_NAME = "RuntimeTestStack"
HANDLERS = "tests.lambda_fixtures.stack_handlers"
EVENT_SOURCE = "vitrine.runtime-test"
ORDER_PLACED = "Order Placed"


class RuntimeTestStack(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        code = lambda_.Code.from_asset(str(REPO_ROOT / "tests" / "lambda_fixtures"))
        self.observations = dynamodb.Table(
            self,
            "Observations",
            partition_key=dynamodb.Attribute(name="run", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            removal_policy=RemovalPolicy.DESTROY,
        )

        def function(name: str, handler: str, timeout: int = 10) -> lambda_.Function:
            created = lambda_.Function(
                self,
                name,
                runtime=lambda_.Runtime.PYTHON_3_13,
                handler=f"{HANDLERS}.{handler}",
                code=code,
                timeout=Duration.seconds(timeout),
                environment={"OBSERVATIONS_TABLE": self.observations.table_name},
            )
            self.observations.grant_read_write_data(created)
            return created

        # SQS → function, partial batch failures, poison messages to the dead-letter queue.
        self.orders_dlq = sqs.Queue(self, "OrdersDeadLetters")
        self.orders = sqs.Queue(
            self,
            "Orders",
            # Five times the function's timeout: an order deleted late on a busy machine must
            # not be delivered twice; the poison message still reaches its DLQ in ~30 s.
            visibility_timeout=Duration.seconds(10),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=2, queue=self.orders_dlq),
        )
        self.order_consumer = function("OrderConsumer", "consume_orders", timeout=2)
        self.order_consumer.add_event_source(
            sources.SqsEventSource(self.orders, batch_size=5, report_batch_item_failures=True)
        )

        # FIFO queue → function: order kept per message group.
        self.tickets = sqs.Queue(
            self,
            "Tickets",
            fifo=True,
            content_based_deduplication=True,
            # Six times the function's timeout, as AWS advises: a batch deleted late on a busy
            # machine must not become visible again and be delivered twice.
            visibility_timeout=Duration.seconds(12),
        )
        self.ticket_consumer = function("TicketConsumer", "consume_tickets", timeout=2)
        self.ticket_consumer.add_event_source(sources.SqsEventSource(self.tickets, batch_size=3))

        # DynamoDB stream → function, bisect on error, poison batches to an SQS destination.
        self.ledger = dynamodb.Table(
            self,
            "Ledger",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            stream=dynamodb.StreamViewType.NEW_IMAGE,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.ledger_failures = sqs.Queue(self, "LedgerFailures")
        self.ledger_consumer = function("LedgerConsumer", "consume_ledger")
        self.ledger_consumer.add_event_source(
            sources.DynamoEventSource(
                self.ledger,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=10,
                bisect_batch_on_error=True,
                retry_attempts=1,
                on_failure=sources.SqsDlq(self.ledger_failures),
            )
        )

        # EventBridge rule → state machine → functions, with a retry and a catch.
        self.flaky = function("Flaky", "flaky")
        self.fallback = function("Fallback", "fallback")
        attempt = tasks.LambdaInvoke(
            self, "Attempt", lambda_function=self.flaky, payload_response_only=True
        )
        attempt.add_retry(
            errors=["FlakyError"], max_attempts=2, interval=Duration.seconds(1), backoff_rate=1
        )
        attempt.add_catch(
            tasks.LambdaInvoke(
                self, "Recover", lambda_function=self.fallback, payload_response_only=True
            ),
            errors=["States.ALL"],
            result_path="$.error",
        )
        self.workflow = sfn.StateMachine(
            self,
            "Workflow",
            definition_body=sfn.DefinitionBody.from_chainable(attempt),
            timeout=Duration.minutes(5),
        )
        self.order_placed = events.Rule(
            self,
            "OrderPlaced",
            event_pattern=events.EventPattern(source=[EVENT_SOURCE], detail_type=[ORDER_PLACED]),
            targets=[
                targets.SfnStateMachine(
                    self.workflow,
                    input=events.RuleTargetInput.from_event_path("$.detail"),
                )
            ],
        )

        # A schedule → function.
        self.ticker = function("Ticker", "tick")
        events.Rule(
            self,
            "EveryMinute",
            schedule=events.Schedule.rate(Duration.minutes(1)),
            targets=[targets.LambdaFunction(self.ticker)],
        )

        # A function that schedules another one at a time of its choosing (EventBridge
        # Scheduler, as stock holds will expire), passing the scheduler's role.
        self.expire = function("Expire", "expire")
        scheduler_role = iam.Role(
            self, "SchedulerRole", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com")
        )
        self.expire.grant_invoke(scheduler_role)
        self.schedule_later = function("ScheduleLater", "schedule_later")
        self.schedule_later.add_environment("EXPIRE_FUNCTION_ARN", self.expire.function_arn)
        self.schedule_later.add_environment("SCHEDULER_ROLE_ARN", scheduler_role.role_arn)
        self.schedule_later.add_to_role_policy(
            iam.PolicyStatement(
                actions=["scheduler:CreateSchedule"],
                resources=[f"arn:aws:scheduler:{self.region}:{self.account}:schedule/default/*"],
            )
        )
        scheduler_role.grant_pass_role(self.schedule_later)

        # A function with one grant too few: it may write Observations, not the Ledger.
        self.under_granted = lambda_.Function(
            self,
            "UnderGranted",
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler=f"{HANDLERS}.write_where_asked",
            code=code,
            environment={
                "OBSERVATIONS_TABLE": self.observations.table_name,
                "LEDGER_TABLE": self.ledger.table_name,
            },
        )
        self.observations.grant_write_data(self.under_granted)
        self.under_granted.add_to_role_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.orders.queue_arn])
        )


def synthesize(outdir: Path) -> Path:
    """The test stack's template, synthesized without bundling (as `make synth` does)."""
    from infra.synth import SKIP_BUNDLING, cdk_json_context

    app = App(outdir=str(outdir), context={**cdk_json_context(), **SKIP_BUNDLING})
    RuntimeTestStack(app, STACK_NAME)
    assembly = app.synth()
    return Path(assembly.get_stack_by_name(STACK_NAME).template_full_path)
