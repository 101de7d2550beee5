"""One factory for AWS clients, so every adapter honours the same endpoint settings.

`AWS_ENDPOINT_URL` (or a service-specific `AWS_ENDPOINT_URL_<SERVICE>`) points every client at
the embedded moto server, at LocalStack, or nowhere (real AWS) without a code change."""

import os
from functools import cache
from typing import Any


def endpoint_url(service: str) -> str | None:
    """The endpoint override for `service` (boto3 naming, e.g. "dynamodb"), if any."""
    specific = f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}"
    return os.environ.get(specific) or os.environ.get("AWS_ENDPOINT_URL") or None


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def client(service: str, *, endpoint: str | None = None, max_attempts: int = 5) -> Any:
    """A cached boto3 client; boto3 is imported on first use to keep cold starts short.

    Cached per endpoint as resolved now, so a process whose `AWS_ENDPOINT_URL` changes (a
    benchmark or a test starting another embedded AWS) never talks to the old one.
    `max_attempts=1` turns botocore's retries off, for callers that retry on their own terms."""
    return _client(service, endpoint or endpoint_url(service), max_attempts)


@cache
def _client(service: str, endpoint: str | None, max_attempts: int) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        region_name=region(),
        endpoint_url=endpoint,
        config=Config(retries={"mode": "standard", "max_attempts": max_attempts}),
    )
