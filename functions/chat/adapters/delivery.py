"""`deliver` (logic/delivery.py) wired to the connections table, where the connections that
answered 410 are marked gone: what the fan-out function and the shard workers call."""

from collections.abc import Sequence

from functions.chat.logic import delivery
from functions.chat.logic.delivery import Broadcaster, DeliveryReport, ShardQueue


def deliver(
    data: bytes,
    connection_ids: Sequence[str],
    *,
    show_id: str,
    api: Broadcaster,
    queue: ShardQueue | None,
    shard_size: int,
    attempt: int = 1,
) -> DeliveryReport:
    return delivery.deliver(
        data,
        connection_ids,
        show_id=show_id,
        api=api,
        queue=queue,
        shard_size=shard_size,
        forget=_forget,
        attempt=attempt,
    )


def _forget(connection_ids: Sequence[str]) -> None:
    # PynamoDB and the models cost ~150 ms of imports: a shard worker's cold start pays them
    # only when somebody left.
    from functions.chat.dal import connections

    connections.mark_gone(connection_ids)
