"""The flash sale's viewers, in a process of their own so that they share no interpreter with
the gateway (which serves in the bench's process). bench/commerce.py starts it:

    python -m bench.commerce_clients < plan.json

Each viewer has an HTTP client and a cart of its own (carts created beforehand, a few at a
time: setup, not measured); then every viewer's add-to-cart waits on one event, and all of them
are released at once. Each request is timed from its own send to its answer. Every answer is
kept, whatever it is: a 5xx, an unexpected 4xx or a transport error (a timeout) is reported,
never dropped.

Lines on stdout, JSON: `{"phase": "flash", "at": "start"|"end"}` around the burst (so the bench
can time the Lambda invocations of that window), then `{"result": {...}}`."""

import asyncio
import json
import ssl
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import httpx

CART_CONCURRENCY = 16  # carts created at once: setup, kept gentle
PARKED_S = 0.5  # every request task is parked on the release event before it is set


@dataclass(frozen=True, slots=True)
class Answer:
    """One add-to-cart: the viewer's cart, its HTTP status (None: no answer), the error code of
    a refusal, the items the cart holds after a 2xx, when it was sent (seconds after the
    release) and how long its answer took, and what went wrong when it did."""

    cart_id: str
    status: int | None
    code: str | None
    item_count: int | None
    sent_s: float
    ms: float
    detail: str | None


def _say(text: str) -> None:
    print(f"  [clients] {text}", file=sys.stderr, flush=True)


def _emit(**line: Any) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


@dataclass(eq=False)
class Viewer:
    """One viewer's phone: an HTTP client of its own (one connection, as a phone has), a cart."""

    http: httpx.AsyncClient
    viewer_id: str
    cart_id: str = ""


async def _create_carts(viewers: list[Viewer], show_id: str) -> None:
    """One cart per viewer. A cart that cannot be created is a failed setup (the burst would
    not be every viewer): it raises, naming what the API answered."""
    gate = asyncio.Semaphore(CART_CONCURRENCY)

    async def one(viewer: Viewer) -> None:
        body = {"show_id": show_id, "viewer_id": viewer.viewer_id, "traffic_source": "bench"}
        async with gate:
            answer = await viewer.http.post("/carts", json=body)
        if answer.status_code != 201:
            raise RuntimeError(f"POST /carts answered {answer.status_code}: {answer.text[:300]}")
        viewer.cart_id = str(answer.json()["cart_id"])

    await asyncio.gather(*(one(viewer) for viewer in viewers))


async def _add_to_cart(
    viewer: Viewer, line: dict[str, Any], release: asyncio.Event, released: list[float]
) -> Answer:
    await release.wait()
    started = time.perf_counter()
    sent_s = started - released[0]

    def answered(status: int | None, code: str | None, items: Any, detail: str | None) -> Answer:
        ms = (time.perf_counter() - started) * 1000
        return Answer(viewer.cart_id, status, code, items, sent_s, ms, detail)

    try:
        answer = await viewer.http.post(f"/carts/{viewer.cart_id}/lines", json=line)
    except httpx.HTTPError as error:  # a timeout, a reset connection: counted as failed
        return answered(None, None, None, f"{type(error).__name__}: {error}"[:300])
    try:
        body = answer.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return answered(answer.status_code, None, None, f"not JSON: {answer.text[:200]}")
    if answer.is_success:
        return answered(answer.status_code, None, body.get("item_count"), None)
    return answered(answer.status_code, body.get("code"), None, answer.text[:300])


def _client(plan: dict[str, Any], tls: ssl.SSLContext) -> httpx.AsyncClient:
    # One connection per viewer, as a phone has: one shared pool of 1,000 busy connections
    # costs httpcore seconds of CPU to manage (it scans its connections for every request),
    # which would be measured as the platform's latency.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return httpx.AsyncClient(
        base_url=plan["api_url"], timeout=plan["timeout_s"], verify=tls, limits=limits
    )


async def _flash_sale(plan: dict[str, Any]) -> dict[str, Any]:
    tls = ssl.create_default_context()  # one for all: building one per client is slow
    viewers = [
        Viewer(_client(plan, tls), f"{plan['run_id']}-viewer-{n}") for n in range(plan["viewers"])
    ]
    started = time.perf_counter()
    try:
        await _create_carts(viewers, plan["show_id"])
    finally:
        await asyncio.gather(*(viewer.http.aclose() for viewer in viewers))
    setup_s = time.perf_counter() - started
    _say(f"{len(viewers)} carts created in {setup_s:.1f} s")

    # The burst on fresh connections: a connection kept from the setup may be closed by the
    # gateway's keep-alive timeout (5 s) just as the add-to-cart is sent on it, and the request
    # would be lost to the harness, not to the platform. A phone that watched the show for a
    # while reconnects too: the connect is part of the time measured.
    for viewer in viewers:
        viewer.http = _client(plan, tls)
    line = {"product_sku": plan["product_sku"], "sku": plan["sku"], "quantity": 1}
    release, released = asyncio.Event(), [0.0]
    try:
        requests = [
            asyncio.create_task(_add_to_cart(viewer, line, release, released)) for viewer in viewers
        ]
        await asyncio.sleep(PARKED_S)
        _emit(phase="flash", at="start")
        cpu, released[0] = time.process_time(), time.perf_counter()
        release.set()
        answers = await asyncio.gather(*requests)
        wall_s, cpu_s = time.perf_counter() - released[0], time.process_time() - cpu
        _emit(phase="flash", at="end")
        _say(f"{len(answers)} add-to-cart answered in {wall_s:.1f} s")
    finally:
        await asyncio.gather(*(viewer.http.aclose() for viewer in viewers))
    return {
        "carts": len(viewers),
        "cart_setup_s": round(setup_s, 2),
        "wall_s": wall_s,
        "answers": [asdict(answer) for answer in answers],
        "client_cpu_s": round(cpu_s, 2),  # the clients' own CPU during the burst
    }


if __name__ == "__main__":
    _emit(result=asyncio.run(_flash_sale(json.loads(sys.stdin.read()))))
