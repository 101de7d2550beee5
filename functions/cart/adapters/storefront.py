"""The brand's storefront: the signed checkout webhook, and the secret both directions share.

The secret lives in Secrets Manager (CDK generates it); functions read it once per environment
and again after SECRET_MAX_AGE_SECONDS, so a rotated secret takes effect within that time."""

import time
import urllib.error
import urllib.request
from functools import cache

from pydantic import ValidationError

from functions.cart.logic.checkout import SIGNATURE_HEADER, HandOff, WebhookAnswer, sign
from functions.common.aws import client

WEBHOOK_TIMEOUT_SECONDS = 8  # within the API's 29 s, with room for the transaction before it
SECRET_MAX_AGE_SECONDS = 300


class StorefrontUnavailable(Exception):
    """The webhook did not answer a checkout URL: the viewer may retry the checkout."""


@cache
def _secret(secret_id: str, epoch: int) -> str:
    return str(client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])


def shared_secret(secret_id: str) -> str:
    return _secret(secret_id, int(time.time() // SECRET_MAX_AGE_SECONDS))


def send_checkout(url: str, secret: str, order: HandOff) -> WebhookAnswer:
    """POSTs the signed order; the brand answers where the viewer pays."""
    body = order.model_dump_json().encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Vitrine-Checkout/1",
            SIGNATURE_HEADER: sign(secret, body, int(time.time())),
            "Idempotency-Key": order.order_id,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            answer = response.read(64 * 1024)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise StorefrontUnavailable(f"the storefront's webhook failed: {error}") from error
    try:
        return WebhookAnswer.model_validate_json(answer)
    except ValidationError as error:
        raise StorefrontUnavailable("the storefront's webhook answered no checkout_url") from error
