"""The chat's fan-out: every new event of the log reaches the show's viewers (DESIGN §5).

    events table ─stream─▶ fanout ─@connections─▶ the first FANOUT_SHARD_SIZE viewers
                  (batched   │
                   per show) └─SQS, one message per shard─▶ fanout_shard ─@connections─▶ the rest

The stream's batching window is the coalescing window: every message of a show posted within
it reaches each viewer as one frame. ParallelizationFactor stays at Lambda's default of 1, so
that a stream shard (and the shows partitioned onto it) is processed in order. Both paths end
in a dead-letter queue: a batch the fan-out gave up on (its stream positions: the events stay
in the table) and a shard message that failed three times."""

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.common.settings import Env
from infra.chat.connections import ConnectionsMethod, grant_connections
from infra.chat.queues import dead_letter_queue, encrypted_queue
from infra.config import VitrineConfig
from infra.functions import PythonFunctions
from infra.nag import acknowledge

# One full vCPU (Lambda allots CPU by memory): the fan-out is CPU-bound on signing requests.
ONE_VCPU_MB = 1769
FANOUT_TIMEOUT_SECONDS = 60
SHARD_TIMEOUT_SECONDS = 30
# The viewer count is broadcast at most this often (functions/common/settings.py's default).
VIEWER_COUNT_SECONDS = 5
# Stream records per invocation: a busy show's whole window, in one frame per viewer.
STREAM_BATCH_SIZE = 1000
# A batch that still fails after this many retries (each halving it) goes to the DLQ; and a
# record older than RECORD_AGE_SECONDS is no use to a live audience.
STREAM_RETRIES = 3
RECORD_AGE_SECONDS = 300
# Shard messages per invocation: each one is up to FANOUT_SHARD_SIZE posts.
SHARD_BATCH_SIZE = 5
# At most this many shard workers at once: 50 shards (50,000 viewers at the default shard
# size) in parallel, while the rest of the account's Lambda concurrency (1,000 by default)
# stays with the functions that serve the viewers' own frames. Their combined post rate is
# bounded by API Gateway anyway: a throttled post (429) is retried with backoff.
SHARD_CONCURRENCY = 50
SHARD_RECEIVES = 3  # deliveries of a shard message before it is dead-lettered


class FanOut(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: VitrineConfig,
        functions: PythonFunctions,
        catalog: dynamodb.ITable,
        connections: dynamodb.ITable,
        events: dynamodb.ITable,
        chat: dynamodb.ITable,
        stage: apigwv2.WebSocketStage,
    ) -> None:
        super().__init__(scope, construct_id)

        # Shard messages that failed SHARD_RECEIVES times.
        self.shard_dead_letters = dead_letter_queue(self, "ShardDeadLetters")
        self.shard_queue = encrypted_queue(
            self,
            "ShardQueue",
            # Lambda's advice: six times the consumer's timeout, so that a message is not
            # delivered again while a worker that retries throttled posts still holds it.
            visibility_timeout=Duration.seconds(6 * SHARD_TIMEOUT_SECONDS),
            # A chat frame an hour old is no use to anyone watching; failures reach the
            # dead-letter queue long before (after SHARD_RECEIVES visibility timeouts).
            retention_period=Duration.hours(1),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.shard_dead_letters, max_receive_count=SHARD_RECEIVES
            ),
        )
        # Where Lambda records the stream batches that the fan-out gave up on.
        self.stream_failures = dead_letter_queue(
            self, "StreamFailures", failures_of="the fan-out's stream mapping"
        )

        self.function = functions.create(
            self,
            "Handler",
            handler="functions.chat.handlers.fanout.handler",
            service="chat",
            description="Fan-out: each show's new events, coalesced, to its viewers",
            environment={
                Env.CATALOG_TABLE: catalog.table_name,
                Env.CONNECTIONS_TABLE: connections.table_name,
                Env.CHAT_TABLE: chat.table_name,
                Env.WEBSOCKET_ENDPOINT: stage.callback_url,
                Env.FANOUT_QUEUE_URL: self.shard_queue.queue_url,
                Env.FANOUT_SHARD_SIZE: str(config.fanout_shard_size),
                Env.VIEWER_COUNT_SECONDS: str(VIEWER_COUNT_SECONDS),
            },
            memory_size=ONE_VCPU_MB,
            timeout_seconds=FANOUT_TIMEOUT_SECONDS,
        )
        catalog.grant_read_data(self.function)
        connections.grant_read_data(self.function)  # a show's audience: the by_show index
        # A connection API Gateway answered 410 for is marked gone (`$disconnect` deletes it).
        connections.grant(self.function, "dynamodb:UpdateItem")
        chat.grant_read_write_data(self.function)  # the room's viewer count
        self.shard_queue.grant_send_messages(self.function)
        grant_connections(stage, self.function, ConnectionsMethod.POST)
        # Also grants the stream's reads (and ListStreams, on "*") and the DLQ's SendMessage.
        self.stream_mapping = event_sources.DynamoEventSource(
            events,
            starting_position=lambda_.StartingPosition.LATEST,
            batch_size=STREAM_BATCH_SIZE,
            max_batching_window=Duration.seconds(config.chat_coalesce_seconds),
            bisect_batch_on_error=True,
            retry_attempts=STREAM_RETRIES,
            max_record_age=Duration.seconds(RECORD_AGE_SECONDS),
            report_batch_item_failures=True,
            on_failure=event_sources.SqsDlq(self.stream_failures),
        )
        self.function.add_event_source(self.stream_mapping)

        self.shard_function = functions.create(
            self,
            "ShardHandler",
            handler="functions.chat.handlers.fanout_shard.handler",
            service="chat",
            description="Fan-out shard: one frame to one slice of a large audience",
            environment={
                Env.CONNECTIONS_TABLE: connections.table_name,
                Env.WEBSOCKET_ENDPOINT: stage.callback_url,
                # A shard's failed remainder is re-queued as a smaller shard of its own.
                Env.FANOUT_QUEUE_URL: self.shard_queue.queue_url,
                Env.FANOUT_SHARD_SIZE: str(config.fanout_shard_size),
            },
            memory_size=ONE_VCPU_MB,
            timeout_seconds=SHARD_TIMEOUT_SECONDS,
        )
        connections.grant(self.shard_function, "dynamodb:UpdateItem")  # connections gone
        self.shard_queue.grant_send_messages(self.shard_function)
        grant_connections(stage, self.shard_function, ConnectionsMethod.POST)
        self.shard_function.add_event_source(
            event_sources.SqsEventSource(
                self.shard_queue,
                batch_size=SHARD_BATCH_SIZE,
                report_batch_item_failures=True,
                max_concurrency=SHARD_CONCURRENCY,
            )
        )

        assert self.function.role is not None
        acknowledge(
            self.function.role,
            {
                "AwsSolutions-IAM5[Resource::*]": (
                    "X-Ray's PutTraceSegments and PutTelemetryRecords, and dynamodb:ListStreams "
                    "that Lambda's stream poller calls, have no resource-level permissions."
                ),
            },
        )
