"""Where Vitrine keeps its data: the DynamoDB tables of functions/common/models.py and of the
domains' own dal/ (functions/chat/dal/models.py), and the recordings and replays buckets.

Each table mirrors its PynamoDB model(s) exactly (key names, key types, indexes, TTL attribute);
tests/infrastructure compares the synthesized tables with the models. Data outlives the stack
(RemovalPolicy.RETAIN): deleting a show's recordings or carts is never a side effect of
`cdk destroy`."""

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge

_S = dynamodb.AttributeType.STRING


def _key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=_S)


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)

        # ShowModel (pk SHOW#id, sk SHOW) and ProductModel (pk PRODUCT#sku, sk PRODUCT).
        self.catalog = self._table("CatalogTable", _key("pk"), _key("sk"))
        self.catalog.add_global_secondary_index(
            index_name="by_status", partition_key=_key("status"), sort_key=_key("starts_at")
        )
        # CartLineModel: the cart header and its lines; abandoned carts expire.
        self.carts = self._table(
            "CartsTable", _key("cart_id"), _key("line_id"), time_to_live_attribute="expires_at"
        )
        # ConnectionModel: open WebSockets, outliving API Gateway's 2 h limit only until TTL.
        self.connections = self._table(
            "ConnectionsTable", _key("connection_id"), time_to_live_attribute="expires_at"
        )
        self.connections.add_global_secondary_index(
            index_name="by_show", partition_key=_key("show_id"), sort_key=_key("connection_id")
        )
        # EventModel: the event log; its stream feeds the KPI processor with each new event.
        self.events = self._table(
            "EventsTable",
            _key("show_id"),
            _key("event_key"),
            stream=dynamodb.StreamViewType.NEW_IMAGE,
        )
        # The chat's items (functions/chat/dal/models.py): each show room's live state, its
        # messages, polls, contests and moderation; votes and entries in partitions of their own.
        self.chat = self._table(
            "ChatTable", _key("pk"), _key("sk"), time_to_live_attribute="expires_at"
        )
        # KpiModel and ReplayModel.
        self.kpis = self._table("KpisTable", _key("show_id"), _key("metric"))
        self.replays = self._table("ReplaysTable", _key("show_id"), _key("recording_session_id"))

        # Server access logs of every bucket below, and CloudFront's standard logs (the web
        # construct writes there too): CloudFront's log delivery needs object ACLs.
        self.access_logs_bucket = s3.Bucket(
            self,
            "AccessLogsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # IVS auto-record writes here (SSE-S3: IVS does not write to KMS-encrypted buckets).
        self.recordings_bucket = self._bucket("RecordingsBucket", "recordings/")
        # Replay manifests, WebVTT chapters and thumbnails published by the replay workflow.
        self.replays_bucket = self._bucket("ReplaysBucket", "replays/")

        self._acknowledge_nag_findings()

    def _table(
        self,
        construct_id: str,
        partition_key: dynamodb.Attribute,
        sort_key: dynamodb.Attribute | None = None,
        **options: object,
    ) -> dynamodb.Table:
        # dynamodb.Table (AWS::DynamoDB::Table), not TableV2: the local runtime creates the
        # tables in moto straight from these properties.
        return dynamodb.Table(
            self,
            construct_id,
            partition_key=partition_key,
            sort_key=sort_key,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=RemovalPolicy.RETAIN,
            **options,
        )

    def _bucket(self, construct_id: str, log_prefix: str) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix=log_prefix,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _acknowledge_nag_findings(self) -> None:
        acknowledge(
            self.access_logs_bucket,
            {
                "AwsSolutions-S1": (
                    "This is the access-log bucket itself; logging it into itself would loop."
                ),
            },
        )
