"""What IAM checks for each call Vitrine's functions make (small parameter dicts, no botocore)."""

import pytest

from local.iam.actions import ApiEndpoint, required_permissions
from local.iam.evaluation import UNKNOWN_RESOURCE as UNKNOWN
from local.iam.evaluation import Permission

REGION, ACCOUNT = "eu-west-1", "123456789012"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Shows"
CARTS = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Carts"
PARTITION_KEYS = {"Shows": "pk", "Carts": "cartId"}


def needs(service: str, operation: str, params: dict, **kwargs) -> list[Permission]:
    kwargs = {"region": REGION, "account": ACCOUNT, "partition_keys": PARTITION_KEYS} | kwargs
    return required_permissions(service, operation, params, **kwargs)


def pairs(service: str, operation: str, params: dict, **kwargs) -> list[tuple[str, str | None]]:
    return [(p.action, p.resource) for p in needs(service, operation, params, **kwargs)]


# --- DynamoDB


@pytest.mark.parametrize("operation", ["GetItem", "DeleteItem", "UpdateItem"])
def test_item_operations_on_the_table_with_leading_keys(operation):
    (permission,) = needs(
        "dynamodb",
        operation,
        {"TableName": "Shows", "Key": {"pk": {"S": "show#1"}, "sk": {"S": "meta"}}},
    )
    assert permission == Permission(
        f"dynamodb:{operation}", TABLE, {"dynamodb:LeadingKeys": ("show#1",)}
    )


def test_put_item_reads_leading_keys_from_the_item_low_level_or_boto3_resource():
    low_level = needs(
        "dynamodb", "PutItem", {"TableName": "Shows", "Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}
    )
    resource = needs("dynamodb", "PutItem", {"TableName": "Shows", "Item": {"pk": "a", "n": 1}})
    assert (
        low_level
        == resource
        == [Permission("dynamodb:PutItem", TABLE, {"dynamodb:LeadingKeys": ("a",)})]
    )


def test_leading_keys_unknown_when_the_table_schema_is_not():
    (permission,) = needs("dynamodb", "GetItem", {"TableName": "Other", "Key": {"id": {"S": "1"}}})
    assert permission.context == {}
    assert permission.unknown_keys == {"dynamodb:LeadingKeys"}


def test_table_name_may_be_an_arn():
    assert pairs("dynamodb", "GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "a"}}}) == [
        ("dynamodb:GetItem", TABLE)
    ]


def test_query_and_scan_on_an_index():
    params = {
        "TableName": "Shows",
        "IndexName": "byHost",
        "KeyConditionExpression": "#h = :h AND begins_with(sk, :s)",
        "ExpressionAttributeNames": {"#h": "host"},
        "ExpressionAttributeValues": {":h": {"S": "h1"}, ":s": {"S": "x"}},
    }
    assert pairs("dynamodb", "Query", params) == [("dynamodb:Query", f"{TABLE}/index/byHost")]
    assert pairs("dynamodb", "Scan", {"TableName": "Shows", "IndexName": "byHost"}) == [
        ("dynamodb:Scan", f"{TABLE}/index/byHost")
    ]
    assert pairs("dynamodb", "Scan", {"TableName": "Shows"}) == [("dynamodb:Scan", TABLE)]


def test_query_leading_key_from_the_key_condition():
    params = {
        "TableName": "Shows",
        "KeyConditionExpression": "#p = :p AND sk > :s",
        "ExpressionAttributeNames": {"#p": "pk"},
        "ExpressionAttributeValues": {":p": {"S": "show#9"}, ":s": {"S": "a"}},
    }
    (permission,) = needs("dynamodb", "Query", params)
    assert permission.context == {"dynamodb:LeadingKeys": ("show#9",)}


def test_batch_operations_per_table():
    get = {
        "RequestItems": {
            "Shows": {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "b"}}]},
            "Carts": {"Keys": [{"cartId": {"S": "c"}}]},
        }
    }
    assert needs("dynamodb", "BatchGetItem", get) == [
        Permission("dynamodb:BatchGetItem", TABLE, {"dynamodb:LeadingKeys": ("a", "b")}),
        Permission("dynamodb:BatchGetItem", CARTS, {"dynamodb:LeadingKeys": ("c",)}),
    ]
    write = {
        "RequestItems": {
            "Shows": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}],
            "Carts": [{"DeleteRequest": {"Key": {"cartId": {"S": "c"}}}}],
        }
    }
    assert pairs("dynamodb", "BatchWriteItem", write) == [
        ("dynamodb:BatchWriteItem", TABLE),
        ("dynamodb:BatchWriteItem", CARTS),
    ]


def test_transactions_check_each_item_with_its_own_action():
    write = {
        "TransactItems": [
            {"Put": {"TableName": "Shows", "Item": {"pk": {"S": "a"}}}},
            {
                "Update": {
                    "TableName": "Carts",
                    "Key": {"cartId": {"S": "c"}},
                    "UpdateExpression": "SET x = :x",
                }
            },
            {"Delete": {"TableName": "Shows", "Key": {"pk": {"S": "b"}}}},
            {
                "ConditionCheck": {
                    "TableName": "Carts",
                    "Key": {"cartId": {"S": "d"}},
                    "ConditionExpression": "attribute_exists(cartId)",
                }
            },
        ]
    }
    assert pairs("dynamodb", "TransactWriteItems", write) == [
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:UpdateItem", CARTS),
        ("dynamodb:DeleteItem", TABLE),
        ("dynamodb:ConditionCheckItem", CARTS),
    ]
    get = {"TransactItems": [{"Get": {"TableName": "Shows", "Key": {"pk": {"S": "a"}}}}]}
    assert pairs("dynamodb", "TransactGetItems", get) == [("dynamodb:GetItem", TABLE)]


def test_table_management_and_listing():
    assert pairs("dynamodb", "DescribeTable", {"TableName": "Shows"}) == [
        ("dynamodb:DescribeTable", TABLE)
    ]
    assert pairs("dynamodb", "ListTables", {}) == [("dynamodb:ListTables", UNKNOWN)]


def test_partiql_statements():
    select = {"Statement": 'SELECT * FROM "Shows" WHERE pk = ?'}
    assert pairs("dynamodb", "ExecuteStatement", select) == [("dynamodb:PartiQLSelect", TABLE)]
    update = {"Statements": [{"Statement": "UPDATE \"Carts\" SET a = 'from x'"}]}
    assert pairs("dynamodb", "BatchExecuteStatement", update) == [("dynamodb:PartiQLUpdate", CARTS)]


def test_streams_on_the_stream_arn_signed_as_dynamodb():
    stream = f"{TABLE}/stream/2026-01-01T00:00:00.000"
    assert pairs("dynamodbstreams", "DescribeStream", {"StreamArn": stream}) == [
        ("dynamodb:DescribeStream", stream)
    ]
    assert pairs(
        "dynamodbstreams",
        "GetShardIterator",
        {"StreamArn": stream, "ShardId": "s", "ShardIteratorType": "LATEST"},
    ) == [("dynamodb:GetShardIterator", stream)]
    # A shard iterator starts with its stream's ARN (in AWS and in moto).
    assert pairs("dynamodbstreams", "GetRecords", {"ShardIterator": f"{stream}|1|AAAA"}) == [
        ("dynamodb:GetRecords", stream)
    ]
    assert pairs("dynamodbstreams", "ListStreams", {}) == [("dynamodb:ListStreams", UNKNOWN)]


# --- S3


def test_s3_object_operations():
    object_arn = "arn:aws:s3:::replays/ivs/v1/master.m3u8"
    params = {"Bucket": "replays", "Key": "ivs/v1/master.m3u8"}
    assert pairs("s3", "GetObject", params) == [("s3:GetObject", object_arn)]
    assert pairs("s3", "HeadObject", params) == [("s3:GetObject", object_arn)]
    assert pairs("s3", "PutObject", params) == [("s3:PutObject", object_arn)]
    assert pairs("s3", "DeleteObject", params) == [("s3:DeleteObject", object_arn)]
    assert pairs("s3", "GetObject", params | {"VersionId": "v"}) == [
        ("s3:GetObjectVersion", object_arn)
    ]


def test_s3_listing_is_on_the_bucket():
    assert pairs("s3", "ListObjectsV2", {"Bucket": "replays", "Prefix": "ivs/"}) == [
        ("s3:ListBucket", "arn:aws:s3:::replays")
    ]
    assert pairs("s3", "ListObjects", {"Bucket": "replays"}) == [
        ("s3:ListBucket", "arn:aws:s3:::replays")
    ]
    assert pairs("s3", "ListBuckets", {}) == [("s3:ListAllMyBuckets", "*")]


@pytest.mark.parametrize(
    "source",
    ["src/a%20b.ts", "/src/a%20b.ts", {"Bucket": "src", "Key": "a b.ts"}],
)
def test_s3_copy_reads_the_source_and_writes_the_destination(source):
    params = {"Bucket": "dst", "Key": "c.ts", "CopySource": source}
    assert pairs("s3", "CopyObject", params) == [
        ("s3:GetObject", "arn:aws:s3:::src/a b.ts"),
        ("s3:PutObject", "arn:aws:s3:::dst/c.ts"),
    ]


@pytest.mark.parametrize(
    "operation", ["CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"]
)
def test_s3_multipart_upload_is_put_object(operation):
    params = {"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": 1}
    assert pairs("s3", operation, params) == [("s3:PutObject", "arn:aws:s3:::b/k")]


def test_s3_delete_objects_per_key():
    params = {"Bucket": "b", "Delete": {"Objects": [{"Key": "x"}, {"Key": "y"}]}}
    assert pairs("s3", "DeleteObjects", params) == [
        ("s3:DeleteObject", "arn:aws:s3:::b/x"),
        ("s3:DeleteObject", "arn:aws:s3:::b/y"),
    ]


# --- SQS, EventBridge, Step Functions, Scheduler


@pytest.mark.parametrize(
    ("url", "arn"),
    [
        (
            "https://sqs.us-west-2.amazonaws.com/111122223333/orders",
            "arn:aws:sqs:us-west-2:111122223333:orders",
        ),
        ("http://127.0.0.1:5000/123456789012/orders", f"arn:aws:sqs:{REGION}:123456789012:orders"),
    ],
)
def test_sqs_queue_url_to_arn(url, arn):
    assert pairs("sqs", "SendMessage", {"QueueUrl": url, "MessageBody": "x"}) == [
        ("sqs:SendMessage", arn)
    ]


def test_sqs_batches_are_their_single_action():
    url = "http://127.0.0.1:5000/123456789012/orders"
    arn = f"arn:aws:sqs:{REGION}:123456789012:orders"
    entries = {"QueueUrl": url, "Entries": [{"Id": "1"}, {"Id": "2"}]}
    assert pairs("sqs", "SendMessageBatch", entries) == [("sqs:SendMessage", arn)]
    assert pairs("sqs", "DeleteMessageBatch", entries) == [("sqs:DeleteMessage", arn)]
    assert pairs("sqs", "GetQueueUrl", {"QueueName": "orders"}) == [("sqs:GetQueueUrl", arn)]


def test_put_events_per_entry_bus_default_when_absent():
    params = {
        "Entries": [
            {"Source": "vitrine", "DetailType": "a", "Detail": "{}"},
            {"Source": "vitrine", "DetailType": "b", "Detail": "{}", "EventBusName": "shows"},
            {
                "Source": "vitrine",
                "DetailType": "c",
                "Detail": "{}",
                "EventBusName": "arn:aws:events:us-east-1:1:event-bus/x",
            },
        ]
    }
    assert pairs("events", "PutEvents", params) == [
        ("events:PutEvents", f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"),
        ("events:PutEvents", f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/shows"),
        ("events:PutEvents", "arn:aws:events:us-east-1:1:event-bus/x"),
    ]


def test_states_on_the_state_machine_or_the_execution():
    machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Replay"
    execution = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Replay:run1"
    assert pairs(
        "stepfunctions", "StartExecution", {"stateMachineArn": machine, "input": "{}"}
    ) == [("states:StartExecution", machine)]
    assert pairs("stepfunctions", "DescribeExecution", {"executionArn": execution}) == [
        ("states:DescribeExecution", execution)
    ]
    assert pairs("stepfunctions", "SendTaskSuccess", {"taskToken": "t", "output": "{}"}) == [
        ("states:SendTaskSuccess", None)
    ]


def test_scheduler_schedule_arn_and_pass_role():
    params = {
        "Name": "show-42-start",
        "ScheduleExpression": "at(2026-01-01T10:00:00)",
        "Target": {
            "Arn": "arn:aws:lambda:x",
            "RoleArn": "arn:aws:iam::123456789012:role/SchedulerRole",
        },
        "FlexibleTimeWindow": {"Mode": "OFF"},
    }
    assert needs("scheduler", "CreateSchedule", params) == [
        Permission(
            "scheduler:CreateSchedule",
            f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/show-42-start",
        ),
        Permission(
            "iam:PassRole",
            "arn:aws:iam::123456789012:role/SchedulerRole",
            {"iam:PassedToService": "scheduler.amazonaws.com"},
        ),
    ]
    assert pairs("scheduler", "DeleteSchedule", {"Name": "n", "GroupName": "shows"}) == [
        ("scheduler:DeleteSchedule", f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/shows/n")
    ]


# --- IVS, @connections, Cognito, Lambda, CloudWatch, X-Ray, others

CHANNEL = f"arn:aws:ivs:{REGION}:{ACCOUNT}:channel/AbCdef1G2hij"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("PutMetadata", {"channelArn": CHANNEL, "metadata": "x"}),
        ("GetStream", {"channelArn": CHANNEL}),
        ("StopStream", {"channelArn": CHANNEL}),
        ("GetChannel", {"arn": CHANNEL}),
    ],
)
def test_ivs_on_the_channel(operation, params):
    assert pairs("ivs", operation, params) == [(f"ivs:{operation}", CHANNEL)]


def test_ivs_stream_keys_by_their_own_arn():
    key = f"arn:aws:ivs:{REGION}:{ACCOUNT}:stream-key/g1H2I3j4k5L6"
    assert pairs("ivs", "GetStreamKey", {"arn": key}) == [("ivs:GetStreamKey", key)]
    assert pairs("ivs", "BatchGetStreamKey", {"arns": [key, f"{key}x"]}) == [
        ("ivs:BatchGetStreamKey", key),
        ("ivs:BatchGetStreamKey", f"{key}x"),
    ]


@pytest.mark.parametrize(
    ("operation", "method"),
    [("PostToConnection", "POST"), ("GetConnection", "GET"), ("DeleteConnection", "DELETE")],
)
def test_connections_on_a_real_endpoint(operation, method):
    endpoint = f"https://abc123.execute-api.{REGION}.amazonaws.com/live"
    assert pairs(
        "apigatewaymanagementapi", operation, {"ConnectionId": "c1="}, endpoint_url=endpoint
    ) == [
        (
            "execute-api:ManageConnections",
            f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/live/{method}/@connections/c1=",
        )
    ]


def test_connections_on_a_mapped_local_endpoint():
    local = ApiEndpoint(url="http://127.0.0.1:8080/local/", api_id="chatapi", stage="live")
    permissions = pairs(
        "apigatewaymanagementapi",
        "PostToConnection",
        {"ConnectionId": "c1", "Data": b"x"},
        endpoint_url="http://127.0.0.1:8080/local",
        api_endpoints=[local],
    )
    assert permissions == [
        (
            "execute-api:ManageConnections",
            f"arn:aws:execute-api:{REGION}:{ACCOUNT}:chatapi/live/POST/@connections/c1",
        )
    ]


def test_connections_on_an_unmapped_local_endpoint_name_its_host():
    (permission,) = pairs(
        "apigatewaymanagementapi",
        "PostToConnection",
        {"ConnectionId": "c1"},
        endpoint_url="http://127.0.0.1:9/local",
    )
    assert (
        permission[1]
        == f"arn:aws:execute-api:{REGION}:{ACCOUNT}:127.0.0.1:9/local/POST/@connections/c1"
    )


def test_cognito_on_the_user_pool():
    assert pairs(
        "cognito-idp", "AdminGetUser", {"UserPoolId": "eu-west-1_abc", "Username": "u"}
    ) == [
        (
            "cognito-idp:AdminGetUser",
            f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/eu-west-1_abc",
        )
    ]


@pytest.mark.parametrize(
    ("params", "arn"),
    [
        ({"FunctionName": "Notify"}, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Notify"),
        (
            {"FunctionName": "Notify", "Qualifier": "live"},
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Notify:live",
        ),
        (
            {"FunctionName": f"{ACCOUNT}:function:Notify"},
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Notify",
        ),
        (
            {"FunctionName": "arn:aws:lambda:us-east-1:1:function:N"},
            "arn:aws:lambda:us-east-1:1:function:N",
        ),
    ],
)
def test_lambda_invoke_is_invoke_function(params, arn):
    assert pairs("lambda", "Invoke", params) == [("lambda:InvokeFunction", arn)]


def test_cloudwatch_metrics_and_xray_on_star():
    (metrics,) = needs("cloudwatch", "PutMetricData", {"Namespace": "Vitrine", "MetricData": []})
    assert metrics == Permission(
        "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "Vitrine"}
    )
    assert pairs("xray", "PutTraceSegments", {"TraceSegmentDocuments": []}) == [
        ("xray:PutTraceSegments", UNKNOWN)
    ]
    assert pairs("xray", "PutTelemetryRecords", {}) == [("xray:PutTelemetryRecords", UNKNOWN)]


def test_logs_on_the_log_stream():
    params = {"logGroupName": "/aws/lambda/f", "logStreamName": "s", "logEvents": []}
    assert pairs("logs", "PutLogEvents", params) == [
        (
            "logs:PutLogEvents",
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/f:log-stream:s",
        )
    ]


def test_other_services_use_the_signing_name_as_prefix_on_star():
    assert pairs("sts", "GetCallerIdentity", {}) == [("sts:GetCallerIdentity", UNKNOWN)]
    assert pairs("sesv2", "SendEmail", {}, signing_name="ses") == [("ses:SendEmail", UNKNOWN)]
    assert pairs("cloudwatch", "GetMetricData", {}, signing_name="monitoring") == [
        ("cloudwatch:GetMetricData", UNKNOWN)
    ]
    assert pairs("stepfunctions", "ListStateMachines", {}, signing_name="states") == [
        ("states:ListStateMachines", UNKNOWN)
    ]


def test_secrets_manager_on_the_secret_arn_a_bare_name_is_unknown():
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:VitrineStack-Storefront-AbC123"

    assert pairs("secretsmanager", "GetSecretValue", {"SecretId": arn}) == [
        ("secretsmanager:GetSecretValue", arn)
    ]
    assert pairs("secretsmanager", "GetSecretValue", {"SecretId": "VitrineStack-Storefront"}) == [
        ("secretsmanager:GetSecretValue", UNKNOWN)
    ]
