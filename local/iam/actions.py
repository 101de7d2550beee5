"""What IAM checks for one botocore call: the actions, on which resources, with which keys.

Precise for the services Vitrine's functions call (DynamoDB and its streams, S3, SQS,
EventBridge, Step Functions, EventBridge Scheduler, IVS, API Gateway's @connections, Cognito,
Lambda, CloudWatch, X-Ray, Logs, Secrets Manager); any other call is
`<iam prefix>:<Operation>` on `*`.
Pure Python: the guard hands in the call's service, operation and parameters."""

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from local.iam.evaluation import UNKNOWN_RESOURCE, ContextValue, Permission

LEADING_KEYS = "dynamodb:LeadingKeys"


@dataclass(frozen=True, slots=True)
class ApiEndpoint:
    """A local @connections endpoint and the deployed WebSocket API stage it stands for.

    Real AWS endpoints (`https://<api id>.execute-api.<region>.amazonaws.com/<stage>`) name
    their API and stage; a local one (`http://127.0.0.1:8080/local`) does not, so the local
    runtime says which API (what the template's `Ref` of the API resolves to) and which stage
    (the template's StageName) it serves."""

    url: str  # the endpoint URL the handlers' client uses, e.g. http://127.0.0.1:8080/local
    api_id: str
    stage: str


@dataclass(frozen=True, slots=True)
class Call:
    """Where a call goes and what it asks for (one botocore API call)."""

    service: str  # botocore's service name, e.g. "dynamodb", "dynamodbstreams", "stepfunctions"
    operation: str  # e.g. "PutItem"
    params: Mapping[str, Any]
    region: str
    account: str
    endpoint_url: str | None = None
    api_endpoints: Sequence[ApiEndpoint] = ()
    partition_keys: Mapping[str, str] = field(default_factory=dict)  # table -> hash key

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


def required_permissions(
    service: str,
    operation: str,
    params: Mapping[str, Any],
    *,
    region: str,
    account: str,
    endpoint_url: str | None = None,
    signing_name: str | None = None,
    api_endpoints: Sequence[ApiEndpoint] = (),
    partition_keys: Mapping[str, str] | None = None,
) -> list[Permission]:
    """The permissions IAM checks for `operation` of botocore's `service` with `params`.

    `signing_name` (the service model's) names the IAM prefix of services this module does
    not cover; `partition_keys` (table name -> partition key attribute) gives
    dynamodb:LeadingKeys."""
    call = Call(
        service,
        operation,
        params,
        region,
        account,
        endpoint_url,
        tuple(api_endpoints),
        partition_keys or {},
    )
    mapping = _SERVICES.get(service)
    permissions = list(mapping(call)) if mapping is not None else []
    if not permissions:
        prefix = _IAM_PREFIXES.get(service) or signing_name or service
        # The resource is not known locally: only an Allow on "*" grants it, any Deny of the
        # action applies (local is never more permissive than AWS).
        permissions = [Permission(f"{prefix}:{operation}", UNKNOWN_RESOURCE)]
    if service == "dynamodb":
        # A request with no partition key (a Scan, DescribeTable) has no LeadingKeys at all.
        permissions = [
            p
            if LEADING_KEYS in p.context or LEADING_KEYS in p.unknown_keys
            else dataclasses.replace(p, absent_keys=frozenset({LEADING_KEYS}))
            for p in permissions
        ]
    # One check per distinct permission (a batch of ten messages to one queue is one check).
    unique: list[Permission] = []
    for permission in permissions:
        if permission not in unique:
            unique.append(permission)
    return unique


# botocore service name -> IAM prefix, where they differ (and signing names are no guide:
# CloudWatch signs as "monitoring").
_IAM_PREFIXES = {
    "dynamodbstreams": "dynamodb",
    "stepfunctions": "states",
    "apigatewaymanagementapi": "execute-api",
    "cloudwatch": "cloudwatch",
}

# --- DynamoDB -------------------------------------------------------------------------------

_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
_ITEM_OPERATIONS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem"}


def _dynamodb(call: Call) -> Iterator[Permission]:
    op, params = call.operation, call.params
    action = f"dynamodb:{op}"
    if op in _ITEM_OPERATIONS:
        table = params["TableName"]
        yield _item_permission(call, action, table, [params.get("Key") or params.get("Item")])
    elif op in ("Query", "Scan"):
        resource = _table_arn(call, params["TableName"])
        if index := params.get("IndexName"):
            resource = f"{resource}/index/{index}"
        if op == "Scan":
            yield Permission(action, resource)
        else:
            yield _with_leading_keys(action, resource, _query_keys(call))
    elif op == "BatchGetItem":
        for table, request in params.get("RequestItems", {}).items():
            yield _item_permission(call, action, table, request.get("Keys", []))
    elif op == "BatchWriteItem":
        for table, requests in params.get("RequestItems", {}).items():
            items = [
                (request.get("PutRequest") or {}).get("Item")
                or (request.get("DeleteRequest") or {}).get("Key")
                for request in requests
            ]
            yield _item_permission(call, action, table, items)
    elif op in ("TransactWriteItems", "TransactGetItems"):
        for transact_item in params.get("TransactItems", []):
            for kind, request in transact_item.items():
                yield _item_permission(
                    call,
                    f"dynamodb:{_TRANSACT_ACTIONS[kind]}",
                    request["TableName"],
                    [request.get("Key") or request.get("Item")],
                )
    elif op in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
        statements = (
            [params]
            if op == "ExecuteStatement"
            else params.get("Statements") or params.get("TransactStatements") or []
        )
        for statement in statements:
            yield from _partiql(call, statement.get("Statement", ""))
    elif "TableName" in params:
        yield Permission(action, _table_arn(call, params["TableName"]))
    elif "ResourceArn" in params:
        yield Permission(action, params["ResourceArn"])


def _dynamodb_streams(call: Call) -> Iterator[Permission]:
    action = f"dynamodb:{call.operation}"
    if arn := call.params.get("StreamArn"):
        yield Permission(action, arn)
    elif iterator := call.params.get("ShardIterator"):
        # A shard iterator starts with its stream's ARN: `<stream arn>|1|<opaque>`.
        stream_arn = iterator.split("|", 1)[0]
        yield Permission(action, stream_arn if stream_arn.startswith("arn:") else None)


def _table_arn(call: Call, table: str) -> str:
    return table if table.startswith("arn:") else call.arn("dynamodb", f"table/{table}")


def _item_permission(
    call: Call, action: str, table: str, keys: Sequence[Mapping[str, Any] | None]
) -> Permission:
    attribute = call.partition_keys.get(table.rsplit("/", 1)[-1])
    values = None
    if attribute is not None and all(key and attribute in key for key in keys):
        values = [_scalar(key[attribute]) for key in keys if key]
    return _with_leading_keys(action, _table_arn(call, table), values)


def _with_leading_keys(action: str, resource: str, values: Sequence[str] | None) -> Permission:
    if values is None:  # not computable here: a condition on it cannot grant
        return Permission(action, resource, unknown_keys=frozenset({LEADING_KEYS}))
    context: dict[str, ContextValue] = {LEADING_KEYS: tuple(dict.fromkeys(values))}
    return Permission(action, resource, context)


def _query_keys(call: Call) -> list[str] | None:
    """The partition key value of `pk = :v` in a Query's key condition, when it is a string."""
    params = call.params
    attribute = call.partition_keys.get(params["TableName"].rsplit("/", 1)[-1])
    expression = params.get("KeyConditionExpression")
    if attribute is None:
        return None
    if legacy := params.get("KeyConditions"):
        condition = legacy.get(attribute, {})
        values = condition.get("AttributeValueList") or []
        return [_scalar(values[0])] if condition.get("ComparisonOperator") == "EQ" else None
    if not isinstance(expression, str):  # boto3's Key("pk").eq(...) objects
        return None
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})
    for name, placeholder in re.findall(r"([#\w.]+)\s*=\s*(:\w+)", expression):
        if names.get(name, name) == attribute and placeholder in values:
            return [_scalar(values[placeholder])]
    return None


def _scalar(value: Any) -> str:
    """A key attribute as IAM sees it: {"S": "x"} (low-level) or "x" (boto3's resource)."""
    if isinstance(value, Mapping) and len(value) == 1:
        (inner,) = value.values()
        return str(inner)
    return str(value)


# The table of a PartiQL statement: `SELECT ... FROM "t"`, `INSERT INTO "t"`, `UPDATE "t"`,
# `DELETE FROM "t"` (a `"t"."index"` counts as the table).
_PARTIQL = re.compile(
    r"^\s*(?:(?P<Select>SELECT)\b.*?\bFROM|(?P<Insert>INSERT)\s+INTO|(?P<Update>UPDATE)"
    r'|(?P<Delete>DELETE)\s+FROM)\s+"?(?P<table>[^"\s.]+)',
    re.IGNORECASE | re.DOTALL,
)


def _partiql(call: Call, statement: str) -> Iterator[Permission]:
    match = _PARTIQL.match(statement)
    if match is not None:
        verb = next(verb for verb in ("Select", "Insert", "Update", "Delete") if match[verb])
        yield Permission(f"dynamodb:PartiQL{verb}", _table_arn(call, match["table"]))


# --- S3 -------------------------------------------------------------------------------------

_S3_OBJECT_ACTIONS = {
    "HeadObject": "GetObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "ListParts": "ListMultipartUploadParts",
}
_S3_BUCKET_ACTIONS = {
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "HeadBucket": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListMultipartUploads": "ListBucketMultipartUploads",
}


def _s3(call: Call) -> Iterator[Permission]:
    op, params = call.operation, call.params
    bucket, key = params.get("Bucket"), params.get("Key")
    if op in ("CopyObject", "UploadPartCopy"):
        source_bucket, source_key, version = _copy_source(params["CopySource"])
        action = "s3:GetObjectVersion" if version else "s3:GetObject"
        yield Permission(action, f"arn:aws:s3:::{source_bucket}/{source_key}")
        yield Permission("s3:PutObject", f"arn:aws:s3:::{bucket}/{key}")
    elif op == "DeleteObjects":
        for target in params.get("Delete", {}).get("Objects", []):
            action = "s3:DeleteObjectVersion" if target.get("VersionId") else "s3:DeleteObject"
            yield Permission(action, f"arn:aws:s3:::{bucket}/{target['Key']}")
    elif op == "ListBuckets":
        yield Permission("s3:ListAllMyBuckets", "*")
    elif bucket is not None and key is not None:
        action = _S3_OBJECT_ACTIONS.get(op, op)
        if params.get("VersionId") and action in ("GetObject", "DeleteObject"):
            action += "Version"
        yield Permission(f"s3:{action}", f"arn:aws:s3:::{bucket}/{key}")
    elif bucket is not None:
        yield Permission(f"s3:{_S3_BUCKET_ACTIONS.get(op, op)}", f"arn:aws:s3:::{bucket}")


def _copy_source(source: str | Mapping[str, str]) -> tuple[str, str, str | None]:
    """CopySource as a dict, or as `bucket/key[?versionId=v]` (URL-encoded, maybe a leading /)."""
    if isinstance(source, Mapping):
        return source["Bucket"], source["Key"], source.get("VersionId")
    path, _, query = source.lstrip("/").partition("?versionId=")
    bucket, _, key = path.partition("/")
    return bucket, unquote(key), query or None


# --- SQS ------------------------------------------------------------------------------------

_SQS_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}


def _sqs(call: Call) -> Iterator[Permission]:
    params = call.params
    action = f"sqs:{_SQS_ACTIONS.get(call.operation, call.operation)}"
    if url := params.get("QueueUrl"):
        yield Permission(action, _queue_arn(call, url))
    elif name := params.get("QueueName"):
        account = params.get("QueueOwnerAWSAccountId") or call.account
        yield Permission(action, f"arn:aws:sqs:{call.region}:{account}:{name}")


def _queue_arn(call: Call, url: str) -> str:
    """`https://sqs.<region>.amazonaws.com/<account>/<name>` (or moto's) -> the queue's ARN."""
    parts = urlsplit(url)
    account, _, name = parts.path.strip("/").partition("/")
    host = parts.hostname or ""
    region = host.split(".")[1] if host.startswith("sqs.") and host.count(".") > 2 else call.region
    return f"arn:aws:sqs:{region}:{account}:{name}"


# --- EventBridge ----------------------------------------------------------------------------


def _events(call: Call) -> Iterator[Permission]:
    op, params = call.operation, call.params
    if op == "PutEvents":
        for entry in params.get("Entries", []):
            yield Permission("events:PutEvents", _bus_arn(call, entry.get("EventBusName")))
    elif op in ("PutRule", "DeleteRule", "DescribeRule", "EnableRule", "DisableRule"):
        yield Permission(f"events:{op}", _rule_arn(call, params["Name"], params))
    elif op in ("PutTargets", "RemoveTargets", "ListTargetsByRule"):
        yield Permission(f"events:{op}", _rule_arn(call, params["Rule"], params))


def _bus_arn(call: Call, bus: str | None) -> str:
    bus = bus or "default"
    return bus if bus.startswith("arn:") else call.arn("events", f"event-bus/{bus}")


def _rule_arn(call: Call, rule: str, params: Mapping[str, Any]) -> str:
    bus = (params.get("EventBusName") or "default").rsplit("/", 1)[-1]
    return call.arn("events", f"rule/{rule}" if bus == "default" else f"rule/{bus}/{rule}")


# --- Step Functions -------------------------------------------------------------------------


def _states(call: Call) -> Iterator[Permission]:
    action = f"states:{call.operation}"
    for parameter in ("executionArn", "stateMachineArn", "activityArn", "mapRunArn"):
        if arn := call.params.get(parameter):
            yield Permission(action, arn)
            return
    if "taskToken" in call.params:  # the token does not say which state machine it is of
        yield Permission(action, None)


# --- EventBridge Scheduler ------------------------------------------------------------------


def _scheduler(call: Call) -> Iterator[Permission]:
    op, params = call.operation, call.params
    if op in ("CreateSchedule", "UpdateSchedule", "DeleteSchedule", "GetSchedule"):
        group = params.get("GroupName") or "default"
        yield Permission(
            f"scheduler:{op}", call.arn("scheduler", f"schedule/{group}/{params['Name']}")
        )
        if role := params.get("Target", {}).get("RoleArn"):
            yield Permission(
                "iam:PassRole", role, {"iam:PassedToService": "scheduler.amazonaws.com"}
            )
    elif op in ("CreateScheduleGroup", "DeleteScheduleGroup", "GetScheduleGroup"):
        yield Permission(
            f"scheduler:{op}", call.arn("scheduler", f"schedule-group/{params['Name']}")
        )
    elif arn := params.get("ResourceArn"):
        yield Permission(f"scheduler:{op}", arn)


# --- IVS, Cognito, Lambda -------------------------------------------------------------------


def _ivs(call: Call) -> Iterator[Permission]:
    action = f"ivs:{call.operation}"
    for parameter in ("channelArn", "arn", "resourceArn"):
        if arn := call.params.get(parameter):
            yield Permission(action, arn)
            return
    for arn in call.params.get("arns", []):  # BatchGetChannel, BatchGetStreamKey
        yield Permission(action, arn)


def _cognito_idp(call: Call) -> Iterator[Permission]:
    if pool := call.params.get("UserPoolId"):
        yield Permission(
            f"cognito-idp:{call.operation}", call.arn("cognito-idp", f"userpool/{pool}")
        )
    elif arn := call.params.get("ResourceArn"):
        yield Permission(f"cognito-idp:{call.operation}", arn)


_LAMBDA_ACTIONS = {
    "Invoke": "InvokeFunction",
    "InvokeAsync": "InvokeFunction",
    "InvokeWithResponseStream": "InvokeFunction",
}


def _lambda(call: Call) -> Iterator[Permission]:
    name = call.params.get("FunctionName")
    if not name:
        return
    action = f"lambda:{_LAMBDA_ACTIONS.get(call.operation, call.operation)}"
    yield Permission(action, _function_arn(call, name, call.params.get("Qualifier")))


def _function_arn(call: Call, name: str, qualifier: str | None) -> str:
    """A function name, `name:qualifier`, `account:function:name` or ARN -> its (qualified) ARN."""
    if name.startswith("arn:"):
        arn = name
    elif ":function:" in name:
        arn = f"arn:aws:lambda:{call.region}:{name}"
    else:
        arn = call.arn("lambda", f"function:{name}")
    if qualifier and arn.count(":") == 6:
        arn = f"{arn}:{qualifier}"
    return arn


# --- API Gateway @connections ---------------------------------------------------------------

_CONNECTION_METHODS = {
    "PostToConnection": "POST",
    "GetConnection": "GET",
    "DeleteConnection": "DELETE",
}


def _connections(call: Call) -> Iterator[Permission]:
    method = _CONNECTION_METHODS.get(call.operation)
    if method is None:
        return
    api_id, stage = _api_and_stage(call)
    resource = call.arn(
        "execute-api", f"{api_id}/{stage}/{method}/@connections/{call.params['ConnectionId']}"
    )
    yield Permission("execute-api:ManageConnections", resource)


def _api_and_stage(call: Call) -> tuple[str, str]:
    url = (call.endpoint_url or "").rstrip("/")
    for endpoint in call.api_endpoints:
        if url == endpoint.url.rstrip("/"):
            return endpoint.api_id, endpoint.stage
    parts = urlsplit(url)
    host = parts.hostname or ""
    stage = parts.path.strip("/").split("/", 1)[0]
    if ".execute-api." in host:
        return host.split(".", 1)[0], stage
    # An endpoint nobody mapped: its host stands in the resource, so the refusal shows it.
    return parts.netloc, stage


# --- CloudWatch, Logs -----------------------------------------------------------------------


def _cloudwatch(call: Call) -> Iterator[Permission]:
    if call.operation == "PutMetricData":
        yield Permission(
            "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": call.params["Namespace"]}
        )


def _logs(call: Call) -> Iterator[Permission]:
    group = call.params.get("logGroupName")
    if group is None:
        return
    resource = f"log-group:{group}"
    if stream := call.params.get("logStreamName"):
        resource += f":log-stream:{stream}"
    yield Permission(f"logs:{call.operation}", call.arn("logs", resource))


def _secretsmanager(call: Call) -> Iterator[Permission]:
    # An ARN names the secret; a bare name lacks the random suffix of its ARN, so it is
    # left unknown (only an Allow on "*" grants it, as for services not covered here).
    secret = call.params.get("SecretId", "")
    if secret.startswith("arn:"):
        yield Permission(f"secretsmanager:{call.operation}", secret)


_SERVICES: dict[str, Callable[[Call], Iterator[Permission]]] = {
    "dynamodb": _dynamodb,
    "dynamodbstreams": _dynamodb_streams,
    "s3": _s3,
    "sqs": _sqs,
    "events": _events,
    "stepfunctions": _states,
    "scheduler": _scheduler,
    "ivs": _ivs,
    "apigatewaymanagementapi": _connections,
    "cognito-idp": _cognito_idp,
    "lambda": _lambda,
    "cloudwatch": _cloudwatch,
    "logs": _logs,
    "secretsmanager": _secretsmanager,
}
