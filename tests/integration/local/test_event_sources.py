"""Event source mappings against the embedded AWS: queues and streams from a small template,
polled by the local pollers, delivered to a fake function that records what it is given."""

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamModel, SqsModel

from functions.common import aws
from local.awslambda.invocation import FunctionError, Invocation
from local.cloudformation.template import Resource, Template
from local.embedded_aws import provision as embedded_aws
from local.embedded_aws.sqs import provision_queues
from local.event_sources import EventSourcePollers

pytestmark = pytest.mark.integration

FUNCTION = "Fn"


class Poisoned(Exception):
    pass


@dataclass
class FakeFunction:
    """An Invoker whose function records each event and answers with `respond(event)`; an
    exception it raises is the function's error."""

    respond: Callable[[dict[str, Any]], Any] = lambda event: None
    events: list[tuple[str, dict[str, Any], bool]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def invoke(self, function: str, event: Any, *, trigger: str) -> Invocation:
        try:
            payload, error = self.respond(event), None
        except Exception as raised:
            payload, error = None, FunctionError(type(raised).__name__, str(raised))
        with self._lock:
            self.events.append((function, event, error is None))
        return Invocation(function_name=function, payload=payload, error=error)

    def batches(self, function: str = FUNCTION, *, succeeded: bool | None = None) -> list[list]:
        """The record lists each invocation got, in order (of the successful ones only, or
        the failed ones only, when `succeeded` says so)."""
        with self._lock:
            return [
                event["Records"]
                for name, event, ok in self.events
                if name == function and succeeded in (None, ok)
            ]


def bodies(batch: list[dict[str, Any]]) -> list[str]:
    return [record["body"] for record in batch]


def keys(batch: list[dict[str, Any]]) -> list[str]:
    return [record["dynamodb"]["Keys"]["id"]["S"] for record in batch]


def stack(*resources: Resource) -> Template:
    """A template of `resources` under a fresh stack name, so reruns on a kept endpoint and
    other tests never share a queue or a table."""
    template = Template(
        stack_name=f"es{uuid.uuid4().hex[:10]}",
        resources={r.logical_id: r for r in resources},
        region=aws.region(),
    )
    function = Resource(FUNCTION, "AWS::Lambda::Function", {"FunctionName": FUNCTION})
    template.resources[FUNCTION] = function
    return template


def mapping(
    logical_id: str, source: dict[str, Any], function: str = FUNCTION, **properties: Any
) -> Resource:
    return Resource(
        logical_id,
        "AWS::Lambda::EventSourceMapping",
        {"FunctionName": {"Ref": function}, "EventSourceArn": source} | properties,
    )


@pytest.fixture
def run(aws_endpoint) -> Iterator[Callable[..., EventSourcePollers]]:
    """`run(template, function)` provisions the template and starts its pollers; they are
    stopped (and must stop) when the test ends."""
    started: list[EventSourcePollers] = []
    before = set(threading.enumerate())

    def start(template: Template, function: FakeFunction) -> EventSourcePollers:
        embedded_aws.provision(template, aws.client)
        provision_queues(template, aws.client("sqs"))
        pollers = EventSourcePollers(template, function, aws.client)
        pollers.start()
        started.append(pollers)
        return pollers

    yield start
    for pollers in started:
        pollers.stop()
    leftover = [
        thread.name
        for thread in set(threading.enumerate()) - before
        if thread.name.startswith(("sqs-", "ddb-"))
    ]
    assert not leftover, f"poller threads outlived stop(): {leftover}"


def queue_url(template: Template, logical_id: str) -> str:
    return str(template.resolve({"Ref": logical_id}))


def send(template: Template, logical_id: str, *messages: str, **extra: Any) -> None:
    sqs = aws.client("sqs")
    for body in messages:
        sqs.send_message(QueueUrl=queue_url(template, logical_id), MessageBody=body, **extra)


def messages_in(template: Template, logical_id: str) -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=queue_url(template, logical_id),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def receive_all(template: Template, logical_id: str, count: int) -> list[str]:
    """Bounded polling of a queue until `count` messages arrived."""
    sqs, received = aws.client("sqs"), list[str]()
    for _ in range(20):
        response = sqs.receive_message(
            QueueUrl=queue_url(template, logical_id), MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        received += [m["Body"] for m in response.get("Messages", [])]
        if len(received) >= count:
            break
    return received


QUEUE = Resource("Queue", "AWS::SQS::Queue", {"VisibilityTimeout": 1})
QUEUE_ARN = {"Fn::GetAtt": ["Queue", "Arn"]}


# -- queues --------------------------------------------------------------------------------


def test_queues_are_created_with_their_attributes_and_dead_letter_queue(aws_endpoint):
    template = stack(
        Resource(
            "Work",
            "AWS::SQS::Queue",
            {
                "VisibilityTimeout": 7,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]},
                    "maxReceiveCount": 3,
                },
                "KmsMasterKeyId": "alias/aws/sqs",
            },
        ),
        Resource("Dlq", "AWS::SQS::Queue", {"MessageRetentionPeriod": 1209600}),
        Resource(
            "Orders",
            "AWS::SQS::Queue",
            {"FifoQueue": True, "ContentBasedDeduplication": True},
        ),
    )
    provision_queues(template, aws.client("sqs"))
    provision_queues(template, aws.client("sqs"))  # again, as a restart on a kept endpoint

    sqs = aws.client("sqs")
    work = sqs.get_queue_attributes(QueueUrl=queue_url(template, "Work"), AttributeNames=["All"])
    assert work["Attributes"]["VisibilityTimeout"] == "7"
    assert json.loads(work["Attributes"]["RedrivePolicy"]) == {
        "deadLetterTargetArn": template.resolve({"Fn::GetAtt": ["Dlq", "Arn"]}),
        "maxReceiveCount": 3,
    }
    orders = template.resolve({"Fn::GetAtt": ["Orders", "QueueName"]})
    assert orders == f"{template.stack_name}-Orders.fifo"
    fifo = sqs.get_queue_attributes(QueueUrl=queue_url(template, "Orders"), AttributeNames=["All"])
    assert fifo["Attributes"]["FifoQueue"] == "true"
    assert fifo["Attributes"]["ContentBasedDeduplication"] == "true"


# -- SQS -----------------------------------------------------------------------------------


def test_sqs_batches_respect_batch_size_and_deliver_each_message_once(run):
    template = stack(QUEUE, mapping("Mapping", QUEUE_ARN, BatchSize=3))
    function = FakeFunction()
    embedded_aws.provision(template, aws.client)
    provision_queues(template, aws.client("sqs"))
    sent = [f"m{n}" for n in range(7)]
    send(
        template,
        "Queue",
        *sent,
        MessageAttributes={"show": {"DataType": "String", "StringValue": "s1"}},
    )

    pollers = run(template, function)
    pollers.wait_for("Mapping", lambda stats: stats.delivered == 7)

    batches = function.batches()
    assert max(len(batch) for batch in batches) == 3
    assert sorted(body for batch in batches for body in bodies(batch)) == sent
    assert messages_in(template, "Queue") == 0  # deleted, so never delivered again
    record = batches[0][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == template.resolve(QUEUE_ARN)
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(
        record["attributes"]
    )
    assert record["messageAttributes"]["show"] == {
        "stringValue": "s1",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    SqsModel.model_validate({"Records": batches[0]})  # what a handler's parser accepts


def test_sqs_partial_batch_failure_redelivers_only_the_failed_message(run):
    template = stack(
        QUEUE,
        mapping("Mapping", QUEUE_ARN, FunctionResponseTypes=["ReportBatchItemFailures"]),
    )
    failed_once: set[str] = set()

    def respond(event: dict[str, Any]) -> Any:
        failures = []
        for record in event["Records"]:
            if record["body"] == "bad" and "bad" not in failed_once:
                failed_once.add("bad")
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    function = FakeFunction(respond)
    embedded_aws.provision(template, aws.client)
    provision_queues(template, aws.client("sqs"))
    send(template, "Queue", "good1", "bad", "good2")

    pollers = run(template, function)
    pollers.wait_for("Mapping", lambda stats: stats.delivered == 3)

    first, *again = function.batches()
    assert sorted(bodies(first)) == ["bad", "good1", "good2"]
    assert [bodies(batch) for batch in again] == [["bad"]]
    assert again[0][0]["attributes"]["ApproximateReceiveCount"] == "2"


def test_sqs_poison_message_moves_to_the_dead_letter_queue_and_is_not_invoked_again(run):
    template = stack(
        Resource("Dlq", "AWS::SQS::Queue", {}),
        Resource(
            "Queue",
            "AWS::SQS::Queue",
            {
                "VisibilityTimeout": 1,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]},
                    "maxReceiveCount": 2,
                },
            },
        ),
        mapping("Mapping", QUEUE_ARN),
    )

    def respond(event: dict[str, Any]) -> None:
        if "poison" in bodies(event["Records"]):
            raise Poisoned("cannot parse")

    function = FakeFunction(respond)
    pollers = run(template, function)
    send(template, "Queue", "poison")

    assert receive_all(template, "Dlq", 1) == ["poison"]
    send(template, "Queue", "fine")  # the mapping goes on with the next message
    pollers.wait_for("Mapping", lambda stats: stats.delivered == 1)

    poisoned = [batch for batch in function.batches() if bodies(batch) == ["poison"]]
    assert [batch[0]["attributes"]["ApproximateReceiveCount"] for batch in poisoned] == [
        "1",
        "2",
    ]
    assert messages_in(template, "Queue") == 0


def test_sqs_fifo_keeps_each_message_group_in_order(run):
    fifo = Resource(
        "Queue",
        "AWS::SQS::Queue",
        # Long enough that a slow CI machine deletes a batch before it becomes visible again
        # (a duplicate delivery, as SQS itself would make), short enough to wait for.
        {"FifoQueue": True, "ContentBasedDeduplication": True, "VisibilityTimeout": 3},
    )
    template = stack(fifo, mapping("Mapping", QUEUE_ARN, BatchSize=3))
    in_flight: set[str] = set()
    overlaps: list[str] = []
    failed_first = threading.Event()
    lock = threading.Lock()

    def respond(event: dict[str, Any]) -> None:
        groups = {r["attributes"]["MessageGroupId"] for r in event["Records"]}
        with lock:
            overlaps.extend(groups & in_flight)
            in_flight.update(groups)
        try:
            # The first batch of group a fails: its later messages must wait for it.
            if "a0" in bodies(event["Records"]) and not failed_first.is_set():
                failed_first.set()
                raise Poisoned("first delivery fails")
        finally:
            with lock:
                in_flight.difference_update(groups)

    function = FakeFunction(respond)
    embedded_aws.provision(template, aws.client)
    provision_queues(template, aws.client("sqs"))
    sqs = aws.client("sqs")
    for group in ("a", "b"):
        for n in range(4):
            sqs.send_message(
                QueueUrl=queue_url(template, "Queue"),
                MessageBody=f"{group}{n}",
                MessageGroupId=group,
                # moto numbers FIFO messages only when given a deduplication id
                MessageDeduplicationId=f"{group}{n}",
            )

    pollers = run(template, function)
    pollers.wait_for("Mapping", lambda stats: stats.delivered == 8, timeout_s=30)

    delivered = [body for batch in function.batches(succeeded=True) for body in bodies(batch)]
    for group in ("a", "b"):
        assert [body for body in delivered if body.startswith(group)] == [
            f"{group}{n}" for n in range(4)
        ]
    assert failed_first.is_set()
    assert overlaps == []
    record = function.batches()[0][0]
    assert {"MessageGroupId", "MessageDeduplicationId", "SequenceNumber"} <= set(
        record["attributes"]
    )


# -- DynamoDB streams ----------------------------------------------------------------------

TABLE = Resource(
    "Table",
    "AWS::DynamoDB::Table",
    {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
    },
)
STREAM_ARN = {"Fn::GetAtt": ["Table", "StreamArn"]}


def put(template: Template, *ids: str) -> None:
    dynamodb = aws.client("dynamodb")
    name = template.resolve({"Ref": "Table"})
    for item_id in ids:
        dynamodb.put_item(TableName=name, Item={"id": {"S": item_id}, "n": {"N": "1"}})


def provisioned_with_items(template: Template, *ids: str) -> None:
    embedded_aws.provision(template, aws.client)
    provision_queues(template, aws.client("sqs"))
    put(template, *ids)


def test_stream_records_arrive_in_order_in_batches_of_batch_size(run):
    template = stack(
        TABLE, mapping("Mapping", STREAM_ARN, StartingPosition="TRIM_HORIZON", BatchSize=3)
    )
    function = FakeFunction()
    items = [f"item{n}" for n in range(7)]
    provisioned_with_items(template, *items)

    pollers = run(template, function)
    pollers.wait_for("Mapping", lambda stats: stats.delivered == 7)

    batches = function.batches()
    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert [key for batch in batches for key in keys(batch)] == items
    record = batches[0][0]
    assert record["eventName"] == "INSERT"
    assert record["eventVersion"] == "1.1"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == template.resolve(STREAM_ARN)
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], float)
    assert record["dynamodb"]["NewImage"] == {"id": {"S": "item0"}, "n": {"N": "1"}}
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    json.dumps(batches)  # the event is JSON, as Lambda's is
    DynamoDBStreamModel.model_validate({"Records": batches[0]})


def test_stream_partial_failure_is_retried_from_the_failed_record(run):
    template = stack(
        TABLE,
        mapping(
            "Mapping",
            STREAM_ARN,
            StartingPosition="TRIM_HORIZON",
            BatchSize=5,
            FunctionResponseTypes=["ReportBatchItemFailures"],
        ),
    )
    failed: list[str] = []

    def respond(event: dict[str, Any]) -> Any:
        for record in event["Records"]:
            if keys([record]) == ["item2"] and not failed:
                failed.append("item2")
                return {
                    "batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]
                }
        return {"batchItemFailures": []}

    function = FakeFunction(respond)
    provisioned_with_items(template, *[f"item{n}" for n in range(5)])

    pollers = run(template, function)
    pollers.wait_for("Mapping", lambda stats: stats.delivered == 5)

    assert [keys(batch) for batch in function.batches()] == [
        ["item0", "item1", "item2", "item3", "item4"],
        ["item2", "item3", "item4"],
    ]


def test_stream_poison_record_is_bisected_out_and_sent_to_the_on_failure_queue(run):
    retries = 2
    template = stack(
        TABLE,
        Resource("Failures", "AWS::SQS::Queue", {}),
        mapping(
            "Mapping",
            STREAM_ARN,
            StartingPosition="TRIM_HORIZON",
            BatchSize=8,
            BisectBatchOnFunctionError=True,
            MaximumRetryAttempts=retries,
            DestinationConfig={"OnFailure": {"Destination": {"Fn::GetAtt": ["Failures", "Arn"]}}},
        ),
    )

    def respond(event: dict[str, Any]) -> None:
        if "item3" in keys(event["Records"]):
            raise Poisoned("item3 is poison")

    function = FakeFunction(respond)
    items = [f"item{n}" for n in range(8)]
    provisioned_with_items(template, *items)

    pollers = run(template, function)
    stats = pollers.wait_for("Mapping", lambda stats: stats.delivered + stats.dropped == 8)

    assert (stats.delivered, stats.dropped) == (7, 1)
    delivered = [key for batch in function.batches(succeeded=True) for key in keys(batch)]
    assert delivered == [item for item in items if item != "item3"]
    alone = [batch for batch in function.batches() if keys(batch) == ["item3"]]
    assert len(alone) == retries + 1
    (body,) = receive_all(template, "Failures", 1)
    failure = json.loads(body)
    poison_sequence = alone[0][0]["dynamodb"]["SequenceNumber"]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["functionArn"].endswith(f":function:{FUNCTION}")
    assert failure["requestContext"]["approximateInvokeCount"] >= retries + 1
    assert failure["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert failure["version"] == "1.0"
    info = failure["DDBStreamBatchInfo"]
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == poison_sequence
    assert info["batchSize"] == 1
    assert info["streamArn"] == template.resolve(STREAM_ARN)
    assert info["shardId"].startswith("shardId-")
    assert info["approximateArrivalOfFirstRecord"].endswith("Z")


def test_stream_trim_horizon_reads_old_records_and_latest_only_new_ones(run):
    template = stack(
        TABLE,
        Resource("Latest", "AWS::Lambda::Function", {"FunctionName": "Latest"}),
        mapping("FromStart", STREAM_ARN, StartingPosition="TRIM_HORIZON"),
        mapping("FromNow", STREAM_ARN, "Latest", StartingPosition="LATEST"),
    )
    function = FakeFunction()
    provisioned_with_items(template, "before")

    pollers = run(template, function)
    pollers.wait_for("FromNow", lambda stats: stats.shards == 1)
    put(template, "after")
    pollers.wait_for("FromStart", lambda stats: stats.delivered == 2)
    pollers.wait_for("FromNow", lambda stats: stats.delivered == 1)

    assert [key for batch in function.batches() for key in keys(batch)] == ["before", "after"]
    assert [key for batch in function.batches("Latest") for key in keys(batch)] == ["after"]


def test_sqs_messages_no_filter_matches_are_deleted_without_invoking(run):
    only_adds = json.dumps({"body": {"kind": ["add"]}})
    template = stack(
        QUEUE, mapping("Mapping", QUEUE_ARN, FilterCriteria={"Filters": [{"Pattern": only_adds}]})
    )
    function = FakeFunction()
    embedded_aws.provision(template, aws.client)
    provision_queues(template, aws.client("sqs"))
    send(template, "Queue", json.dumps({"kind": "add"}), json.dumps({"kind": "remove"}))

    pollers = run(template, function)
    stats = pollers.wait_for("Mapping", lambda stats: stats.delivered + stats.filtered == 2)

    assert (stats.delivered, stats.filtered) == (1, 1)
    assert [json.loads(body)["kind"] for batch in function.batches() for body in bodies(batch)] == [
        "add"
    ]
    assert messages_in(template, "Queue") == 0


def test_sqs_batching_window_gathers_messages_sent_apart_into_one_batch(run):
    """With MaximumBatchingWindowInSeconds, Lambda waits for the window to close (or the batch
    to fill) before invoking: messages sent a moment apart arrive together."""
    # AWS asks for a visibility timeout longer than the window (and the function's timeout).
    queue = Resource("Queue", "AWS::SQS::Queue", {"VisibilityTimeout": 30})
    template = stack(
        queue, mapping("Mapping", QUEUE_ARN, BatchSize=10, MaximumBatchingWindowInSeconds=3)
    )
    function = FakeFunction()
    pollers = run(template, function)
    for n in range(3):
        send(template, "Queue", f"w{n}")
        threading.Event().wait(0.3)
    pollers.wait_for("Mapping", lambda stats: stats.delivered == 3)
    batches = function.batches()
    assert sorted(body for batch in batches for body in bodies(batch)) == ["w0", "w1", "w2"]
    # Each of Lambda's pollers (two here) waits out its own window: without one, every
    # message sent apart would be a batch of its own.
    assert max(len(batch) for batch in batches) >= 2
