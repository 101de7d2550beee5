"""The show lifecycle's IVS side: "IVS Stream State Change" events move a show live and ended.

The Streaming construct's rule already logs every event; this adds the function as a second
target. IVS events are best effort (late, repeated, out of order): the function makes a
repeated one a no-op, and an event it could not take lands in one dead-letter queue, whether
EventBridge could not deliver it (the target's DeadLetterConfig) or the function failed on it
after Lambda's own retries (its asynchronous on-failure destination)."""

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_ivs as ivs
from aws_cdk import aws_lambda_destinations as destinations
from constructs import Construct

from functions.common.settings import Env
from infra.chat.queues import dead_letter_queue
from infra.functions import PythonFunctions

# EventBridge retries a failed delivery (a throttled function) with backoff for minutes;
# a show's start or end still undelivered after an hour is for the on-call, not for retries.
DELIVERY_RETRIES = 10
EVENT_AGE = Duration.hours(1)
FUNCTION_RETRIES = 2  # Lambda's own retries of an asynchronous invocation that failed


class StreamLifecycle(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: PythonFunctions,
        catalog: dynamodb.ITable,
        events_table: dynamodb.ITable,
        chat: dynamodb.ITable,
        channel: ivs.CfnChannel,
        stream_state_rule: events.Rule,
    ) -> None:
        super().__init__(scope, construct_id)

        self.dead_letters = dead_letter_queue(
            self, "DeadLetters", failures_of="the IVS stream-state rule target and function"
        )
        self.function = functions.create(
            self,
            "Handler",
            handler="functions.chat.handlers.stream_state.handler",
            service="chat",
            description="IVS Stream State Change: the armed show goes live, then ends",
            environment={
                Env.CHANNEL_ARN: channel.attr_arn,
                Env.CATALOG_TABLE: catalog.table_name,
                Env.EVENTS_TABLE: events_table.table_name,
                Env.CHAT_TABLE: chat.table_name,
            },
        )
        chat.grant_read_write_data(self.function)  # the armed show, the stream's record
        catalog.grant_read_write_data(self.function)  # the show's status
        events_table.grant_write_data(self.function)  # show.started, show.ended
        self.function.configure_async_invoke(
            on_failure=destinations.SqsDestination(self.dead_letters),
            retry_attempts=FUNCTION_RETRIES,
            max_event_age=EVENT_AGE,
        )
        stream_state_rule.add_target(
            targets.LambdaFunction(
                self.function,
                dead_letter_queue=self.dead_letters,
                retry_attempts=DELIVERY_RETRIES,
                max_event_age=EVENT_AGE,
            )
        )
