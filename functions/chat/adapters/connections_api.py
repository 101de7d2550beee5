"""API Gateway's @connections API: frames to one WebSocket connection, or to many at once.

The endpoint is the API's own (from the request context, or Settings.websocket_endpoint for
functions that a stream or a queue triggers) unless `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI`
overrides it, as the local gateway does.

Retries are this module's, not botocore's (its retries are off for this client), so what a
throttled broadcast does is explicit and testable: 429 / LimitExceededException /
ThrottlingException are retried with exponential backoff and full jitter (a random wait
between 0 and base·2ⁿ, capped, so that thousands of throttled posts do not retry in step), up
to a bounded number of attempts, and so is a pooled keep-alive connection that the endpoint
closed before answering (botocore's ConnectionClosedError: the post got no answer); 410 Gone
means the viewer left; any other error fails that one post and the rest go on."""

import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel

from functions.chat.logic.delivery import Delivery
from functions.common import aws

# Posts in flight per function. Measured on 2 cores against an endpoint that answers in 10 ms
# (bench/realtime_fanout.py): 8 threads post 610/s, 16: 1,060/s, 32: 1,520/s, 64: 1,350/s.
# Each post costs botocore ~0.6 ms of CPU (signing, serializing, parsing), so one process is
# CPU-bound near 1,500/s: beyond 32, threads only queue for the interpreter lock. Above that,
# the audience is sharded to parallel workers (logic/delivery.py).
DEFAULT_CONCURRENCY = 32
_THROTTLED = frozenset(
    {"LimitExceededException", "ThrottlingException", "TooManyRequestsException"}
)


class Outcome(Enum):
    DELIVERED = "delivered"
    GONE = "gone"  # 410: the connection closed; forget it
    FAILED = "failed"


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: retry n waits uniform(0, min(cap, base·2ⁿ))."""

    attempts: int = 5  # posts in all, the first one included
    base_s: float = 0.05
    cap_s: float = 2.0

    def delay(self, retry: int, jitter: float) -> float:
        return jitter * min(self.cap_s, self.base_s * 2.0**retry)


@dataclass(frozen=True)
class _Posted:
    outcome: Outcome
    posts: int
    error: Exception | None = None


class ConnectionsApi:
    def __init__(
        self,
        client: Any,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        backoff: Backoff = Backoff(),
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        """`client` is a boto3 `apigatewaymanagementapi` client (thread-safe), with a
        connection pool of at least `concurrency` and its own retries off."""
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self._client = client
        self._backoff = backoff
        self._sleep = sleep
        self._jitter = jitter
        self.concurrency = concurrency
        # Threads start on first use and stay for the next invocation of a warm function.
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="connections-api")

    @classmethod
    def for_request(cls, request_context: dict[str, Any]) -> "ConnectionsApi":
        """The API that a WebSocket route's event came through."""
        return cls.from_endpoint(
            f"https://{request_context['domainName']}/{request_context['stage']}"
        )

    @classmethod
    def from_endpoint(cls, url: str) -> "ConnectionsApi":
        """The API at `url` (https://<api>.execute-api.<region>.amazonaws.com/<stage>); one
        shared instance per endpoint, so a warm function reuses its threads and connections."""
        return _shared(aws.endpoint_url("apigatewaymanagementapi") or url)

    def send(self, connection_id: str, frame: BaseModel) -> bool:
        """Post one frame; False when the connection is gone (410), so the caller can forget it.
        Raises the last error when the post failed otherwise (throttling included, after its
        retries)."""
        posted = self._post(connection_id, frame.model_dump_json().encode())
        if posted.error is not None:
            raise posted.error
        return posted.outcome is Outcome.DELIVERED

    def close(self, connection_id: str) -> None:
        """Disconnect a client (DeleteConnection); one already gone is fine."""
        from botocore.exceptions import ClientError

        try:
            self._client.delete_connection(ConnectionId=connection_id)
        except ClientError as error:
            if _error_code(error) != "GoneException":
                raise

    def broadcast(self, data: bytes, connection_ids: Sequence[str]) -> Delivery:
        """Post `data` to every connection, `concurrency` posts at a time."""
        if len(connection_ids) == 1:
            results = [self._post(connection_ids[0], data)]
        else:
            results = list(self._pool.map(lambda cid: self._post(cid, data), connection_ids))
        gone, failed = [], []
        for connection_id, result in zip(connection_ids, results, strict=True):
            if result.outcome is Outcome.GONE:
                gone.append(connection_id)
            elif result.outcome is Outcome.FAILED:
                failed.append(connection_id)
        return Delivery(
            delivered=len(connection_ids) - len(gone) - len(failed),
            gone=gone,
            failed=failed,
            posts=sum(result.posts for result in results),
        )

    def _post(self, connection_id: str, data: bytes) -> _Posted:
        from botocore.exceptions import BotoCoreError, ClientError, ConnectionClosedError

        for attempt in range(1, self._backoff.attempts + 1):
            try:
                self._client.post_to_connection(ConnectionId=connection_id, Data=data)
            except ClientError as error:
                code = _error_code(error)
                if code == "GoneException":
                    return _Posted(Outcome.GONE, attempt)
                if code not in _THROTTLED or attempt == self._backoff.attempts:
                    return _Posted(Outcome.FAILED, attempt, error)
            except ConnectionClosedError as error:  # a stale pooled connection: no answer
                if attempt == self._backoff.attempts:
                    return _Posted(Outcome.FAILED, attempt, error)
            except BotoCoreError as error:  # no answer: connection refused, timed out
                return _Posted(Outcome.FAILED, attempt, error)
            else:
                return _Posted(Outcome.DELIVERED, attempt)
            self._sleep(self._backoff.delay(attempt - 1, self._jitter()))
        raise AssertionError("unreachable: the last attempt returns")


def _error_code(error: Any) -> str:
    response = error.response
    code = str(response.get("Error", {}).get("Code") or "")
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if status == 410:
        return "GoneException"
    if status == 429 and code not in _THROTTLED:
        return "TooManyRequestsException"
    return code


@cache
def _shared(endpoint: str) -> ConnectionsApi:
    return ConnectionsApi(connections_client(endpoint, DEFAULT_CONCURRENCY))


def connections_client(endpoint: str, pool_size: int) -> Any:
    """A boto3 client for @connections: its pool sized to the posts in flight, no retries."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "apigatewaymanagementapi",
        region_name=aws.region(),
        endpoint_url=endpoint,
        config=Config(
            retries={"total_max_attempts": 1},  # ours, in ConnectionsApi._post
            max_pool_connections=pool_size,
            connect_timeout=3,
            read_timeout=5,
        ),
    )
