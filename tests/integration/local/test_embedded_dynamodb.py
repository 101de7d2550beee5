"""The embedded DynamoDB keeps transactions atomic under concurrent requests, as DynamoDB does
(local/embedded_aws/dynamodb.py): moto alone lost writes and oversold here."""

import threading
import uuid
from collections import Counter

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.integration

UNITS, THREADS, TRIES = 5, 24, 3
FILLER = 2000


@pytest.fixture
def table(aws_endpoint) -> str:
    name = f"atomic-{uuid.uuid4().hex[:8]}"
    client = boto3.client("dynamodb", endpoint_url=aws_endpoint)
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    client.put_item(TableName=name, Item={"pk": {"S": "stock"}, "available": {"N": str(UNITS)}})
    # A table with history, like the event log in a show: moto's copy of it took long enough
    # for the other threads' transactions to run in the middle of one.
    for batch in range(FILLER // 25):
        items = [{"PutRequest": {"Item": {"pk": {"S": f"old-{batch}-{n}"}}}} for n in range(25)]
        client.batch_write_item(RequestItems={name: items})
    return name


def reserve(client, table: str, claim: str) -> str:
    """One unit, and a claim item naming who got it: both or neither."""
    try:
        client.transact_write_items(
            TransactItems=[
                {"Update": {"TableName": table, "Key": {"pk": {"S": "stock"}},
                            "UpdateExpression": "ADD available :minus",
                            "ConditionExpression": "available >= :one",
                            "ExpressionAttributeValues": {":minus": {"N": "-1"},
                                                          ":one": {"N": "1"}}}},
                {"Put": {"TableName": table, "Item": {"pk": {"S": claim}}}},
            ]
        )  # fmt: skip
    except ClientError as error:
        return error.response["Error"]["Code"]
    return "reserved"


def test_racing_transactions_sell_exactly_the_stock_and_lose_no_write(aws_endpoint, table):
    outcomes: Counter[str] = Counter()
    start = threading.Barrier(THREADS)

    def viewer(n: int) -> None:
        client = boto3.client("dynamodb", endpoint_url=aws_endpoint)
        start.wait()
        for attempt in range(TRIES):
            outcomes[reserve(client, table, f"claim-{n}-{attempt}")] += 1

    threads = [threading.Thread(target=viewer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    client = boto3.client("dynamodb", endpoint_url=aws_endpoint)
    items = client.scan(TableName=table, ConsistentRead=True)["Items"]
    claims = [item for item in items if item["pk"]["S"].startswith("claim-")]
    assert len(items) == 1 + FILLER + len(claims)
    (counter,) = [item for item in items if item["pk"]["S"] == "stock"]
    assert outcomes == {"reserved": UNITS, "TransactionCanceledException": THREADS * TRIES - UNITS}
    assert int(counter["available"]["N"]) == 0
    assert len(claims) == UNITS  # every winner's claim kept: no restore erased one


def test_a_refused_transaction_leaves_no_stream_record(aws_endpoint, table):
    client = boto3.client("dynamodb", endpoint_url=aws_endpoint)
    for n in range(UNITS):
        assert reserve(client, table, f"claim-{n}") == "reserved"
    assert reserve(client, table, "claim-late") == "TransactionCanceledException"

    streams = boto3.client("dynamodbstreams", endpoint_url=aws_endpoint)
    arn = client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    keys: list[str] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        keys += [record["dynamodb"]["Keys"]["pk"]["S"] for record in page["Records"]]
        iterator = page.get("NextShardIterator") if page["Records"] else None
    assert "claim-late" not in keys
    assert keys.count("stock") == 1 + UNITS  # the first put, then one update per sale
