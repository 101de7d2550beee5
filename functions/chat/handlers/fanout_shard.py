"""Fan-out shard worker (SQS): posts each shard's frame to its part of a show's audience.

A shard's failed remainder goes back to the queue as a smaller shard (logic/delivery.py), so
no viewer gets a frame twice. A record is reported in `batchItemFailures` only when that could
not be done: a shard on its last attempt that still failed, a body that is no shard, or an
error of SQS or DynamoDB. SQS retries just that record, and its redrive policy parks it in the
dead-letter queue, whose depth alarm tells the on-call. (Powertools' BatchProcessor does the
same bookkeeping but costs 125 ms of imports at every cold start of a fan-out burst.)"""

from typing import TYPE_CHECKING, Any, TypedDict

from pydantic import ValidationError

from functions.chat.adapters.connections_api import ConnectionsApi
from functions.chat.adapters.delivery import deliver
from functions.chat.adapters.fanout_queue import FanoutQueue
from functions.chat.logic.delivery import DeliveryReport, FanoutShard
from functions.common.observability import instrumented, logger, metrics
from functions.common.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


class BatchResponse(TypedDict):
    batchItemFailures: list[dict[str, str]]


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> BatchResponse:
    settings = Settings.from_env()
    api = ConnectionsApi.from_endpoint(settings.require("websocket_endpoint"))
    queue = FanoutQueue(settings.require("fanout_queue_url"))
    failed: list[dict[str, str]] = []
    for record in event["Records"]:
        message_id = record["messageId"]
        try:
            shard = FanoutShard.model_validate_json(record["body"])
            report = deliver(
                shard.frame.encode(),
                shard.connection_ids,
                show_id=shard.show_id,
                api=api,
                queue=queue,
                shard_size=settings.fanout_shard_size,
                attempt=shard.attempt,
            )
        except ValidationError as error:
            problems = error.error_count()
            logger().error("not a shard", extra={"message_id": message_id, "problems": problems})
            failed.append({"itemIdentifier": message_id})
            continue
        except Exception:
            logger().exception("shard not delivered", extra={"message_id": message_id})
            failed.append({"itemIdentifier": message_id})
            continue
        _count(report)
        if report.failed:
            undelivered = {"show_id": shard.show_id, "viewers": len(report.failed)}
            logger().warning("shard undelivered after its last attempt", extra=undelivered)
            failed.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failed}


def _count(report: DeliveryReport) -> None:
    for name, value in (
        ("FanoutDelivered", report.delivered),
        ("FanoutGone", report.gone),
        ("FanoutRequeued", report.requeued),
        ("FanoutUndelivered", len(report.failed)),
        ("ConnectionsPosts", report.posts),  # each one a billed API Gateway message
    ):
        metrics().add_metric(name=name, unit="Count", value=value)
