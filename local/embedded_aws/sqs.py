"""The template's SQS queues, created in the embedded AWS with the attributes CloudFormation sets.

Queues are created in dependency order (a dead-letter queue before the queue that redrives to
it), and creating them again against a kept endpoint updates them instead of failing."""

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from local.cloudformation.names import physical_name
from local.cloudformation.template import Resource, Template

QUEUE_TYPE = "AWS::SQS::Queue"

# CloudFormation property -> SQS attribute, for the plain-valued ones.
_ATTRIBUTES = (
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "MaximumMessageSize",
    "DeduplicationScope",
    "FifoThroughputLimit",
)
_ALREADY_EXISTS = {
    "QueueAlreadyExists",
    "QueueNameExists",
    "AWS.SimpleQueueService.QueueNameExists",
}
_MAX_NAME = 80


def provision_queues(template: Template, sqs: Any) -> None:
    """Create (or update) every `AWS::SQS::Queue` of `template`; provide Ref (the queue URL),
    Arn and QueueName. KmsMasterKeyId is ignored: the embedded AWS does not encrypt."""
    for resource in _dependency_order(template):
        _queue(template, resource, sqs)


def queue_name(template: Template, resource: Resource) -> str:
    """QueueName, or a generated name like CloudFormation's (FIFO names end in `.fifo`)."""
    explicit = resource.properties.get("QueueName")
    if explicit:
        return str(template.resolve(explicit))
    if _is_true(resource.properties.get("FifoQueue")):
        return physical_name(template, resource)[: _MAX_NAME - len(".fifo")] + ".fifo"
    return physical_name(template, resource)[:_MAX_NAME]


def _queue(template: Template, resource: Resource, sqs: Any) -> None:
    props = resource.properties
    name = queue_name(template, resource)
    attributes = {key: str(template.resolve(props[key])) for key in _ATTRIBUTES if key in props}
    if "ContentBasedDeduplication" in props:
        attributes["ContentBasedDeduplication"] = _flag(props["ContentBasedDeduplication"])
    if redrive := props.get("RedrivePolicy"):
        policy = template.resolve(redrive)
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": policy["deadLetterTargetArn"],
                "maxReceiveCount": int(policy["maxReceiveCount"]),
            }
        )
    fifo = {"FifoQueue": "true"} if _is_true(props.get("FifoQueue")) else {}
    try:
        url = sqs.create_queue(QueueName=name, Attributes=attributes | fifo)["QueueUrl"]
    except ClientError as error:
        if error.response["Error"]["Code"] not in _ALREADY_EXISTS:
            raise
        # A kept endpoint holds the queue with older attributes: bring them up to date
        # (FifoQueue cannot change after creation, which the name already guarantees).
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        if attributes:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    template.provide(resource.logical_id, Ref=url, Arn=arn, QueueName=name)


def _dependency_order(template: Template) -> list[Resource]:
    """Queues such that each comes after the queues its properties refer to (its DLQ)."""
    queues = {queue.logical_id: queue for queue in template.of_type(QUEUE_TYPE)}
    ordered: list[Resource] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in done:
            return
        if logical_id in visiting:
            raise ValueError(f"queues refer to each other in a cycle through {logical_id}")
        visiting.add(logical_id)
        for reference in _references(queues[logical_id].properties):
            if reference in queues:
                visit(reference)
        visiting.discard(logical_id)
        done.add(logical_id)
        ordered.append(queues[logical_id])

    for logical_id in queues:
        visit(logical_id)
    return ordered


def _references(value: Any) -> Iterator[str]:
    """The logical ids that Ref and Fn::GetAtt in `value` name."""
    if isinstance(value, list):
        for item in value:
            yield from _references(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                yield item
            elif key == "Fn::GetAtt":
                yield item.split(".", 1)[0] if isinstance(item, str) else item[0]
            else:
                yield from _references(item)


def _is_true(value: Any) -> bool:
    return str(value).lower() == "true"


def _flag(value: Any) -> str:
    return "true" if _is_true(value) else "false"
