"""Creates the template's resources in the embedded AWS (moto, or AWS_ENDPOINT_URL).

Resources with data or identity are created here (tables, buckets, the user pool, secrets,
the IVS channel record, queues, rules, state machines); compute is what the local runtime runs
itself: functions (local/awslambda) and the APIs (local/apigateway), whose ids are recorded here so
that what refers to them (ARNs in policies) resolves. So are the ARNs of the IVS recording
configuration and stream key, which the local IVS stand-in plays (local/ivs)."""

import contextlib
from collections.abc import Callable
from typing import Any

from local.cloudformation.names import physical_name
from local.cloudformation.template import Resource, Template
from local.embedded_aws.secretsmanager import provision_secrets
from local.embedded_aws.sqs import provision_queues
from local.eventbridge import LocalTarget, provision_rules, provision_schedules
from local.stepfunctions.provision import provision_state_machines

TABLE_TYPE = "AWS::DynamoDB::Table"
# The local gateway serves one REST and one WebSocket API, under these ids.
LOCAL_REST_API_ID = "local-rest"
LOCAL_WEBSOCKET_API_ID = "local-ws"
BUCKET_TYPE = "AWS::S3::Bucket"


def provision(
    template: Template, client: Callable[[str], Any], *, site_domain: str = "127.0.0.1:8080"
) -> list[LocalTarget]:
    """Create every supported resource of `template` (idempotently) and record what it
    resolves to, so the functions' environment can be resolved afterwards. Call after
    `provide_functions`: queues, state machines and rules refer to the functions' ARNs.

    Returns the rule targets that the local runtime delivers to itself (functions, state
    machines): the embedded AWS delivers to none of them. `site_domain` is where the local
    gateway serves web/, which CloudFront serves in AWS."""
    for resource in template.of_type(TABLE_TYPE):
        _table(template, resource, client("dynamodb"))
    for resource in template.of_type(BUCKET_TYPE):
        _bucket(template, resource, client("s3"))
    _user_pools(template, client("cognito-idp"))
    provision_secrets(template, client("secretsmanager"))
    for resource in template.of_type("AWS::IVS::RecordingConfiguration"):
        arn = f"arn:aws:ivs:{template.region}:{template.account_id}:recording-configuration/local"
        template.provide(resource.logical_id, Ref=arn, Arn=arn)
    for resource in template.of_type("AWS::IVS::Channel"):
        _channel(template, resource, client("ivs"))
    for resource in template.of_type("AWS::IVS::StreamKey"):
        # The local IVS API answers GetStreamKey for this ARN (the runtime hands it over).
        arn = f"arn:aws:ivs:{template.region}:{template.account_id}:stream-key/local"
        template.provide(resource.logical_id, Ref=arn, Arn=arn)
    _apis(template)
    for distribution in template.of_type("AWS::CloudFront::Distribution"):
        template.provide(distribution.logical_id, DomainName=site_domain, Id="local-site")
    _log_groups(template)
    _roles(template)
    provision_queues(template, client("sqs"))
    provision_state_machines(template, client("stepfunctions"))
    targets = provision_rules(template, client("events"), client("sqs"), client("logs"))
    provision_schedules(template, client("scheduler"))
    return targets


def _table(template: Template, resource: Resource, dynamodb: Any) -> None:
    props = resource.properties
    name = props.get("TableName") or physical_name(template, resource)
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": "PAY_PER_REQUEST",
    }
    indexes = [
        {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
        for index in props.get("GlobalSecondaryIndexes", [])
    ]
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    if stream := props.get("StreamSpecification"):
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    try:
        description = dynamodb.create_table(**request)["TableDescription"]
    except dynamodb.exceptions.ResourceInUseException:
        description = dynamodb.describe_table(TableName=name)["Table"]
    ttl = props.get("TimeToLiveSpecification")
    status = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    # DynamoDB refuses to enable TTL twice: a restart against a kept endpoint must not fail.
    already = status.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
    if ttl and ttl.get("Enabled") and not already:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    attributes = {"Ref": name, "Arn": description["TableArn"]}
    if "LatestStreamArn" in description:
        attributes["StreamArn"] = description["LatestStreamArn"]
    template.provide(resource.logical_id, **attributes)


def _bucket(template: Template, resource: Resource, s3: Any) -> None:
    name = resource.properties.get("BucketName") or physical_name(
        template, resource, lowercase=True
    )
    location = {}
    if template.region != "us-east-1":  # S3's one region that refuses a location constraint
        location = {"CreateBucketConfiguration": {"LocationConstraint": template.region}}
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=name, **location)
    if resource.properties.get("VersioningConfiguration", {}).get("Status") == "Enabled":
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    template.provide(
        resource.logical_id,
        Ref=name,
        Arn=f"arn:aws:s3:::{name}",
        DomainName=f"{name}.s3.amazonaws.com",
        RegionalDomainName=f"{name}.s3.{template.region}.amazonaws.com",
    )


def _user_pools(template: Template, cognito: Any) -> None:
    for pool in template.of_type("AWS::Cognito::UserPool"):
        name = pool.properties.get("UserPoolName") or physical_name(template, pool)
        existing = [
            p for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == name
        ]
        pool_id = (
            existing[0]["Id"]
            if existing
            else cognito.create_user_pool(PoolName=name)["UserPool"]["Id"]
        )
        template.provide(
            pool.logical_id,
            Ref=pool_id,
            Arn=f"arn:aws:cognito-idp:{template.region}:{template.account_id}:userpool/{pool_id}",
            ProviderURL=f"cognito-idp.{template.region}.amazonaws.com/{pool_id}",
            ProviderName=f"cognito-idp.{template.region}.amazonaws.com/{pool_id}",
        )
    for client in template.of_type("AWS::Cognito::UserPoolClient"):
        pool_id = template.resolve(client.properties["UserPoolId"])
        name = client.properties.get("ClientName") or client.logical_id
        existing = [
            c
            for c in cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)[
                "UserPoolClients"
            ]
            if c["ClientName"] == name
        ]
        client_id = (
            existing[0]["ClientId"]
            if existing
            else cognito.create_user_pool_client(
                UserPoolId=pool_id,
                ClientName=name,
                ExplicitAuthFlows=client.properties.get("ExplicitAuthFlows", []),
            )["UserPoolClient"]["ClientId"]
        )
        template.provide(client.logical_id, Ref=client_id)
    for group in template.of_type("AWS::Cognito::UserPoolGroup"):
        pool_id = template.resolve(group.properties["UserPoolId"])
        with contextlib.suppress(cognito.exceptions.GroupExistsException):
            cognito.create_group(UserPoolId=pool_id, GroupName=group.properties["GroupName"])
        template.provide(group.logical_id, Ref=group.properties["GroupName"])


def _channel(template: Template, resource: Resource, ivs: Any) -> None:
    props = resource.properties
    name = props.get("Name") or physical_name(template, resource)
    found = [c for c in ivs.list_channels(filterByName=name)["channels"] if c["name"] == name]
    channel = (
        found[0]
        if found
        else ivs.create_channel(
            name=name,
            latencyMode=props.get("LatencyMode", "LOW"),
            type=props.get("Type", "STANDARD"),
        )["channel"]
    )
    template.provide(
        resource.logical_id,
        Ref=channel["arn"],
        Arn=channel["arn"],
        PlaybackUrl=channel.get("playbackUrl", ""),
        IngestEndpoint=channel.get("ingestEndpoint", ""),
    )


def _apis(template: Template) -> None:
    """The APIs' ids as the local gateway uses them (execute-api ARNs in policies)."""
    for api in template.of_type("AWS::ApiGateway::RestApi"):
        template.provide(api.logical_id, Ref=LOCAL_REST_API_ID, RootResourceId="root")
    for api in template.of_type("AWS::ApiGatewayV2::Api"):
        template.provide(api.logical_id, Ref=LOCAL_WEBSOCKET_API_ID, ApiId=LOCAL_WEBSOCKET_API_ID)


def _log_groups(template: Template) -> None:
    """Log groups are not created (functions log to .vitrine/logs/), but their ARNs resolve,
    so that a role's grant on its log group reads as it does in AWS."""
    for group in template.of_type("AWS::Logs::LogGroup"):
        name = group.properties.get("LogGroupName") or f"/aws/vitrine/{group.logical_id}"
        arn = f"arn:aws:logs:{template.region}:{template.account_id}:log-group:{name}:*"
        template.provide(group.logical_id, Ref=name, Arn=arn)


def _roles(template: Template) -> None:
    """Roles are not created (local/iam checks their policies itself); their ARNs resolve,
    for what names them (a rule's target role, a state machine's role)."""
    for role in template.of_type("AWS::IAM::Role"):
        name = role.properties.get("RoleName") or physical_name(template, role)[:64]
        path = role.properties.get("Path", "/")
        arn = f"arn:aws:iam::{template.account_id}:role{path}{name}"
        template.provide(role.logical_id, Ref=name, Arn=arn, RoleId=f"AROA{name[:16].upper()}")
