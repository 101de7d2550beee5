"""The chat's SQS queues: encrypted (SSE-SQS) and reachable over TLS only.

SSE-SQS rather than a KMS key: EventBridge and Lambda write to it without key policies, and
what the queues hold (chat frames, failed event positions) is no secret of the brand's."""

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge

# What a dead-letter queue keeps for the on-call: SQS's maximum.
DEAD_LETTER_RETENTION = Duration.days(14)


def encrypted_queue(scope: Construct, construct_id: str, **options: Any) -> sqs.Queue:
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        **options,
    )


def dead_letter_queue(
    scope: Construct, construct_id: str, *, failures_of: str | None = None
) -> sqs.Queue:
    """A queue where failures wait for the on-call (an alarm watches each one).

    `failures_of` names the service that writes to it directly, when it is not another queue's
    redrive target (cdk-nag only recognizes those as dead-letter queues)."""
    queue = encrypted_queue(scope, construct_id, retention_period=DEAD_LETTER_RETENTION)
    if failures_of:
        acknowledge(
            queue,
            {
                "AwsSolutions-SQS3": (
                    f"This queue is the on-failure destination of {failures_of}: nothing "
                    "consumes it but the on-call, alerted by its depth alarm."
                ),
            },
        )
    return queue
