"""The commerce path's benchmark (issue 7): a flash sale that must not oversell, against the
naive read-then-write baseline, in the same run. Results in bench/results/commerce.json (the
seven keys) and bench/results/commerce.md (the printed table).

1. Flash sale through the local gateway (the real runtime, the real Chalice app in its local
   Lambda environments): a product with one variant of STOCK units, VIEWERS viewers each with
   a cart of their own (opened first, not timed), then every one of them sending add-to-cart
   for one unit at the same moment (bench/commerce_clients.py, a process of its own).
   Expected: exactly STOCK answers 2xx and the rest 409 `out_of_stock`; a 429, a 5xx or no
   answer is none of these and is counted on its own. Latency of each add-to-cart (p50, p99)
   and requests per second (answers / wall time of the burst).
   Once the runtime has finished every invocation, the variant's counters are read back as
   staff read them (`GET /products/{sku}`) and as the catalog table holds them (a consistent
   read), and every cart line of the variant from the carts table: the invariant holds when
   the two readings agree, available + reserved + sold = stock, no counter is negative, and
   reserved + sold = the units of the lines of the carts that were answered 2xx, with no unit
   in any other cart.
2. The baseline (bench/commerce_naive.py), against the same embedded DynamoDB: VIEWERS buyers
   reading `available` and writing `available - 1` with no condition, on a variant of its own,
   all at once (VIEWERS threads, as VIEWERS Lambda environments would in AWS); and once more
   with as many threads as the cart function has local environments, the concurrency the real
   path had at the table. naive_oversold = buyers told "yes" - STOCK, at VIEWERS threads.

The runtime is `make dev`'s on free ports, from a template synthesized now (holds of an hour,
so that none lapses during the run), without the IVS stand-in: ffmpeg's test pattern would take
CPU from a path that has no video in it. Its work directory (the functions' logs) is kept in
bench/.work/commerce/ for a look after the run.

    make bench ARGS=commerce           (or: uv run python -m bench commerce)
    uv run python -m bench.commerce 200 20    a quick look (VIEWERS STOCK), printed, not written
"""

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.commerce_naive import NaiveSale, naive_sale
from local import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results" / "commerce.json"
REPORT = REPO_ROOT / "bench" / "results" / "commerce.md"
WORK_DIR = REPO_ROOT / "bench" / ".work" / "commerce"
STOCK = 100
VIEWERS = 1_000
HOLD_SECONDS = 3_600  # vitrine:holdSeconds for the run: no hold lapses before the read-back
API_GATEWAY_TIMEOUT_S = 29  # REST API integration timeout: a later answer is a 504 in AWS
CLIENT_TIMEOUT_S = 900  # generous: nothing is refused because a client gave up
DRAIN_TIMEOUT_S = 900
SETUP_TIMEOUT_S = 120
RESERVED, OUT_OF_STOCK = "2xx (reserved)", "409 out_of_stock"  # the two expected answers
NO_ANSWER = "no answer (timeout or transport error)"
KEYS = (
    "flash_sale_sold",
    "flash_sale_refused",
    "invariant_held",
    "naive_oversold",
    "add_to_cart_p50_ms",
    "add_to_cart_p99_ms",
    "requests_per_s",
)
COUNTERS = ("stock", "available", "reserved", "sold")
CHALICE_HANDLER = "functions.cart.app.app"


@dataclass(frozen=True, slots=True)
class Variant:
    product_sku: str
    sku: str

    @property
    def key(self) -> dict[str, str]:
        """The variant's item in the catalog table."""
        return {"pk": f"PRODUCT#{self.product_sku}", "sk": f"VARIANT#{self.sku}"}


# --- the runtime, staff, the catalog -------------------------------------------------------------


@contextmanager
def _runtime() -> Iterator[Any]:
    """`make dev`'s runtime on free ports, from a template synthesized now (cdk.out may lag
    behind infra/), with no IVS stand-in; its work directory kept in WORK_DIR."""
    from infra.synth import synthesize
    from local.apigateway.server import BackgroundServer
    from local.runtime import LocalRuntime, RuntimeOptions
    from tests.conftest import free_port

    saved = dict(os.environ)
    # The runtime starts its own embedded AWS, whatever another benchmark left set.
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    WORK_DIR.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as out:
        template = synthesize(Path(out), context={"vitrine:holdSeconds": HOLD_SECONDS})
        options = RuntimeOptions(port=free_port(), aws_port=free_port(), rtmp_port=free_port(),
                                 work_dir=WORK_DIR, template=template, stream=False)  # fmt: skip
        runtime = LocalRuntime(options)
        runtime.start()
        server = BackgroundServer(runtime.gateway(), options.host, options.port)
        try:
            server.start()
            runtime.start_triggers()
            yield runtime
        finally:
            server.stop()
            runtime.stop()
            os.environ.clear()
            os.environ.update(saved)


def _host_token(runtime: Any) -> str:
    """A host's Cognito ID token (the seeded staff), from the runtime's Cognito."""
    import boto3

    from functions.common import aws
    from local.seed import STAFF, STAFF_PASSWORD

    username = next(name for name, group in STAFF if group == "host")
    cognito = boto3.client("cognito-idp", endpoint_url=aws.endpoint_url("cognito-idp"))
    answer = cognito.initiate_auth(
        ClientId=runtime.runtime_config["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": STAFF_PASSWORD},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def _cart_function(runtime: Any) -> Any:
    """The REST API's function: the Chalice app."""
    for function in runtime.lambdas.functions:
        if function.handler == CHALICE_HANDLER:
            return function
    raise RuntimeError(f"no function runs {CHALICE_HANDLER}: is this Vitrine's template?")


def _expect(answer: httpx.Response, status: int, what: str) -> dict[str, Any]:
    if answer.status_code != status:
        raise RuntimeError(f"{what} answered {answer.status_code}: {answer.text[:500]}")
    body: dict[str, Any] = answer.json()
    return body


def _create_product(staff: httpx.Client, sku: str, name: str, stock: int) -> Variant:
    variant = Variant(sku, f"{sku}-ONE")
    body = {
        "sku": sku,
        "name": name,
        "price": "19.90",
        "currency": "EUR",
        "variants": [{"sku": variant.sku, "size": "One size", "stock": stock}],
    }
    _expect(staff.post("/products", json=body), 201, f"POST /products ({sku})")
    return variant


def _create_show(staff: httpx.Client, run_id: str, product_skus: list[str]) -> str:
    show_id = f"bench-flash-{run_id.lower()}"
    body = {
        "show_id": show_id,
        "title": "Bench: a flash sale",
        "host_name": "Hana",
        "starts_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "product_skus": product_skus,
    }
    _expect(staff.post("/shows", json=body), 201, "POST /shows")
    return show_id


def _api_counters(staff: httpx.Client, variant: Variant) -> dict[str, int] | None:
    product = _expect(staff.get(f"/products/{variant.product_sku}"), 200, "GET /products/{sku}")
    for found in product.get("variants", []):
        if found.get("sku") == variant.sku:
            # Staff should see every counter; what is missing is reported, not made up.
            return {name: int(found[name]) for name in COUNTERS if name in found}
    return None


def _table_counters(table: str, variant: Variant) -> dict[str, int] | None:
    from functions.common import aws

    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=table,
            Key={name: {"S": value} for name, value in variant.key.items()},
            ConsistentRead=True,
        )
        .get("Item")
    )
    if item is None:
        return None
    return {name: int(item[name]["N"]) for name in COUNTERS}


def _lines_of(table: str, sku: str) -> dict[str, tuple[int, str]]:
    """Every cart line of the variant in the carts table (a consistent scan): cart id ->
    (quantity, state)."""
    from functions.common import aws

    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "sku = :sku",
        "ExpressionAttributeValues": {":sku": {"S": sku}},
        "ConsistentRead": True,
    }
    lines: dict[str, tuple[int, str]] = {}
    while True:
        page = aws.client("dynamodb").scan(**request)
        for item in page.get("Items", []):
            lines[item["cart_id"]["S"]] = (int(item["quantity"]["N"]), item["state"]["S"])
        if "LastEvaluatedKey" not in page:
            return lines
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# --- the burst: the client process, the gateway's queue, the Lambda probe ----------------------


class GatewayQueue:
    """Samples how many invocations the gateway holds (running in its invocation threads or
    waiting for one), so the bench knows how many requests were in flight at once, and when
    the runtime has finished with every one of them (clients that gave up included)."""

    def __init__(self) -> None:
        from local.apigateway import invoke as gateway_invoke

        self._limiters = gateway_invoke._limiters  # one per event loop: the gateway's
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="bench-queue", daemon=True)

    def __enter__(self) -> "GatewayQueue":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def now(self) -> int:
        limiters = list(self._limiters.values())
        return sum(
            int(limiter.borrowed_tokens) + limiter.statistics().tasks_waiting
            for limiter in limiters
        )

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.most = max(self.most, self.now())

    def drain(self, timeout: float) -> float:
        """Seconds until the gateway holds no invocation for a whole second."""
        started = time.monotonic()
        idle_since: float | None = None
        while time.monotonic() - started < timeout:
            if self.now() == 0:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= 1:
                    return idle_since - started
            else:
                idle_since = None
            time.sleep(0.1)
        raise TimeoutError(f"the gateway still holds {self.now()} invocations after {timeout} s")


def _run_clients(plan: dict[str, Any], runtime: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The client process's result, and what the runtime did meanwhile: the Lambda invocations
    that ended during the burst, the CPU of each of its processes (bench/realtime_room.py's
    probes), the most invocations the gateway held at once and how long it took to finish
    them all once the clients had their answers."""
    from bench.realtime_room import InvocationProbe, PhaseCpu

    cpu = PhaseCpu()
    with InvocationProbe(runtime) as probe, GatewayQueue() as queue:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.commerce_clients"],
            cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(json.dumps(plan))
        process.stdin.close()
        result: dict[str, Any] | None = None
        for line in process.stdout:
            message = json.loads(line)
            if "phase" in message:
                probe.mark(message["phase"], message["at"])
                cpu.mark(message["phase"], message["at"])
            elif "result" in message:
                result = message["result"]
        if process.wait(timeout=60) != 0 or result is None:
            raise RuntimeError(f"the client process failed (exit {process.returncode})")
        drained_s = queue.drain(DRAIN_TIMEOUT_S)
        seen = {"most_in_gateway": queue.most, "drained_after_burst_s": round(drained_s, 1)}
        return result, probe.summary("flash") | {"cpu": cpu.busy["flash"]} | seen


# --- figures ------------------------------------------------------------------------------------


def _percentiles(values: list[float]) -> tuple[float | None, float | None]:
    if len(values) < 2:
        return (round(values[0], 1), round(values[0], 1)) if values else (None, None)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return round(statistics.median(values), 1), round(cuts[98], 1)


def _outcome(answer: dict[str, Any]) -> str:
    status, code = answer["status"], answer["code"]
    if status is None:
        return NO_ANSWER
    if 200 <= status < 300:
        return RESERVED
    if status == 409 and code == "out_of_stock":
        return OUT_OF_STOCK
    return f"{status} {code or ''}".strip()


@dataclass
class Invariant:
    """The invariant, computed from what was read back after the burst."""

    api: dict[str, int] | None
    table: dict[str, int] | None
    stock: int
    accepted_carts: set[str]  # the carts answered 2xx
    lines: dict[str, tuple[int, str]]  # every line of the variant: cart id -> (quantity, state)
    broken: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        api, table = self.api, self.table
        if api is None or table is None:
            self.broken.append(f"the variant's counters are missing (API {api}, table {table})")
            return
        if any(api[name] != table[name] for name in api):
            self.broken.append(f"GET /products says {api}, the catalog table holds {table}")
        if table["available"] + table["reserved"] + table["sold"] != table["stock"]:
            self.broken.append("available + reserved + sold != stock")
        if any(value < 0 for value in table.values()):
            self.broken.append("a counter is negative")
        if table["stock"] != self.stock:
            self.broken.append(f"stock is {table['stock']}, not {self.stock}")
        if table["reserved"] + table["sold"] != self.units_of_accepted:
            self.broken.append(
                f"reserved + sold = {table['reserved'] + table['sold']}, the lines of the carts "
                f"answered 2xx hold {self.units_of_accepted}"
            )
        if self.stray_lines:
            self.broken.append(f"{len(self.stray_lines)} carts not answered 2xx hold a line")
        if missing := self.accepted_carts - set(self.lines):
            self.broken.append(f"{len(missing)} carts answered 2xx hold no line")

    @property
    def api_missing(self) -> list[str]:
        """The counters `GET /products/{sku}` should show staff and does not."""
        return [name for name in COUNTERS if self.api is not None and name not in self.api]

    @property
    def held(self) -> bool:
        return not self.broken

    @property
    def units_of_accepted(self) -> int:
        return sum(q for cart, (q, _) in self.lines.items() if cart in self.accepted_carts)

    @property
    def stray_lines(self) -> dict[str, tuple[int, str]]:
        return {c: line for c, line in self.lines.items() if c not in self.accepted_carts}

    def summary(self) -> str:
        table = self.table or {}
        sums = (
            f"available {table.get('available')} + reserved {table.get('reserved')} + sold "
            f"{table.get('sold')} = {sum(table.get(n, 0) for n in COUNTERS[1:])} "
            f"(stock {table.get('stock')}); {len(self.lines)} lines of the variant, "
            f"{self.units_of_accepted} units in the {len(self.accepted_carts)} carts answered 2xx"
        )
        return sums + ("; holds" if self.held else "; BROKEN: " + "; ".join(self.broken))


@dataclass(frozen=True)
class Sale:
    """The flash sale's size: VIEWERS and STOCK for the results, smaller for a quick look."""

    viewers: int = VIEWERS
    stock: int = STOCK


def measure(runtime: Any, sale: Sale = Sale()) -> dict[str, Any]:
    """Both parts on a started LocalRuntime (its gateway serving); every figure, KEYS first."""
    from functions.common.settings import Env

    run_id = uuid.uuid4().hex[:10].upper()
    api_url = f"{runtime.base_url}/api"
    function = _cart_function(runtime)
    catalog_table = function.environment[Env.CATALOG_TABLE.value]
    carts_table = function.environment[Env.CARTS_TABLE.value]
    headers = {"authorization": f"Bearer {_host_token(runtime)}"}
    with httpx.Client(base_url=api_url, headers=headers, timeout=SETUP_TIMEOUT_S) as staff:
        flash = _create_product(staff, f"FLASH-{run_id}", "Bench: the flash tote", sale.stock)
        naive = _create_product(staff, f"NAIVE-{run_id}", "Bench: the naive baseline", sale.stock)
        naive_few = _create_product(staff, f"NAIVE4-{run_id}", "Bench: naive, few", sale.stock)
        show_id = _create_show(staff, run_id, [flash.product_sku])
        for variant in (flash, naive, naive_few):
            before = _table_counters(catalog_table, variant)
            if before != {"stock": sale.stock, "available": sale.stock, "reserved": 0, "sold": 0}:
                raise RuntimeError(f"{variant.sku} does not start with {sale.stock}: {before}")
        load = os.getloadavg()
        print(f"load average before the burst: {load[0]:.2f}", flush=True)
        plan = {
            "api_url": api_url,
            "run_id": run_id,
            "show_id": show_id,
            "product_sku": flash.product_sku,
            "sku": flash.sku,
            "viewers": sale.viewers,
            "timeout_s": CLIENT_TIMEOUT_S,
        }
        burst, lambdas = _run_clients(plan, runtime)
        print(f"the runtime finished every invocation {lambdas['drained_after_burst_s']} s "
              "after the last answer; reading the counters back", flush=True)  # fmt: skip
        api_counters = _api_counters(staff, flash)
    table_counters = _table_counters(catalog_table, flash)
    lines = _lines_of(carts_table, flash.sku)

    answers = burst["answers"]
    outcomes = Counter(_outcome(answer) for answer in answers)
    accepted = [answer for answer in answers if _outcome(answer) == RESERVED]
    invariant = Invariant(
        api_counters,
        table_counters,
        sale.stock,
        {answer["cart_id"] for answer in accepted},
        lines,
    )
    answered = [answer for answer in answers if answer["status"] is not None]
    p50, p99 = _percentiles([answer["ms"] for answer in answered])
    by_outcome = {
        label: _percentiles([a["ms"] for a in answers if _outcome(a) == label])
        for label in sorted(outcomes)
    }
    sent = sorted(answer["sent_s"] for answer in answers)

    endpoint = os.environ["AWS_ENDPOINT_URL"]
    lambda_concurrency = runtime.options.concurrency
    print(f"naive baseline: {sale.viewers} buyers, read then write, {sale.viewers} threads, "
          f"then {lambda_concurrency}", flush=True)  # fmt: skip
    baseline = naive_sale(endpoint, catalog_table, naive.key, sale.viewers, sale.viewers)
    baseline_few = naive_sale(
        endpoint, catalog_table, naive_few.key, sale.viewers, lambda_concurrency
    )
    return {
        "flash_sale_sold": len(accepted),
        "flash_sale_refused": outcomes[OUT_OF_STOCK],
        "invariant_held": invariant.held,
        "naive_oversold": baseline.oversold(sale.stock),
        "add_to_cart_p50_ms": p50,
        "add_to_cart_p99_ms": p99,
        "requests_per_s": round(len(answered) / burst["wall_s"], 1),
        "_details": {
            "sale": sale,
            "outcomes": dict(outcomes),
            "latency_by_outcome": by_outcome,
            "answers": answers,
            "failed": [a for a in answers if _outcome(a) not in (RESERVED, OUT_OF_STOCK)],
            "beyond_gateway_timeout": sum(
                1 for a in answered if a["ms"] > API_GATEWAY_TIMEOUT_S * 1000
            ),
            "invariant": invariant,
            "carts": burst["carts"],
            "cart_setup_s": burst["cart_setup_s"],
            "carts_holding_one_item": sum(1 for a in accepted if a["item_count"] == 1),
            "wall_s": round(burst["wall_s"], 2),
            "sent_spread_ms": round((sent[-1] - sent[0]) * 1000, 1) if sent else None,
            "latency_max_ms": round(max(a["ms"] for a in answers), 1) if answers else None,
            "client_cpu_s": burst["client_cpu_s"],
            "lambdas": lambdas,
            "naive": baseline,
            "naive_few": baseline_few,
            "lambda_concurrency": lambda_concurrency,
            "function": function,
            "load": load,
        },
    }


# --- the report ---------------------------------------------------------------------------------


def _naive_lines(naive: NaiveSale, stock: int, label: str) -> list[str]:
    lines = [
        f"  {label}: {naive.concurrency:,} threads, {naive.wall_s:.1f} s: told yes "
        f"{naive.succeeded}, told sold out {naive.refused}, failed calls {len(naive.errors)}; "
        f"oversold {naive.oversold(stock)}",
        f"    the item afterwards: {naive.final} ({naive.succeeded} units promised, "
        f"{naive.final.get('reserved', 0)} recorded: the other writes were lost)",
    ]
    return lines + [f"    error: {error}" for error in sorted(set(naive.errors))[:5]]


def _table(figures: dict[str, Any]) -> list[str]:
    details = figures["_details"]
    sale: Sale = details["sale"]
    invariant: Invariant = details["invariant"]
    outcomes: dict[str, int] = details["outcomes"]
    five_xx = sum(n for label, n in outcomes.items() if label[:1] == "5")
    throttled = sum(n for label, n in outcomes.items() if label.startswith("429"))
    other = sale.viewers - sum(outcomes.get(k, 0) for k in (RESERVED, OUT_OF_STOCK, NO_ANSWER))
    lines = [
        f"flash sale: {sale.viewers:,} viewers, one cart each, add-to-cart of 1 unit of a variant "
        f"of {sale.stock} at once, through the local gateway",
        "",
        f"{'measure':<34} {'value':>12}   expected",
        f"{'flash_sale_sold':<34} {figures['flash_sale_sold']:>12}   {sale.stock}",
        f"{'flash_sale_refused (409)':<34} {figures['flash_sale_refused']:>12}   "
        f"{sale.viewers - sale.stock}",
        f"{'invariant_held':<34} {str(figures['invariant_held']).lower():>12}   true",
        f"{'naive_oversold':<34} {figures['naive_oversold']:>12}   > 0 (the race it loses)",
        f"{'add_to_cart_p50_ms':<34} {figures['add_to_cart_p50_ms']!s:>12}",
        f"{'add_to_cart_p99_ms':<34} {figures['add_to_cart_p99_ms']!s:>12}",
        f"{'requests_per_s':<34} {figures['requests_per_s']:>12}",
        "",
        "answers of the burst, p50/p99 ms:",
    ]
    for label, count in sorted(outcomes.items(), key=lambda item: -item[1]):
        p50, p99 = details["latency_by_outcome"][label]
        lines.append(f"  {label:<42} {count:>5}   {p50} / {p99}")
    lines += [
        f"  of them 429: {throttled}, 5xx: {five_xx}, other 4xx: {other - throttled - five_xx}, "
        f"no answer: {outcomes.get(NO_ANSWER, 0)}",
        f"  answered after {API_GATEWAY_TIMEOUT_S} s (a 504 from API Gateway in AWS): "
        f"{details['beyond_gateway_timeout']}",
    ]
    for answer in details["failed"][:10]:
        status = answer["status"] or "no answer"
        lines.append(f"  {status} after {answer['ms']:.0f} ms: {answer['detail']}")
    answer_of = {answer["cart_id"]: answer for answer in details["answers"]}
    for cart_id, (quantity, state) in sorted(invariant.stray_lines.items())[:10]:
        answer = answer_of.get(cart_id, {})
        lines.append(
            f"  cart {cart_id} holds {quantity} ({state}) but was answered "
            f"{_outcome(answer) if answer else 'nothing'}"
        )
    lambdas = dict(details["lambdas"])
    lines += [
        f"2xx answers whose cart holds exactly one item: {details['carts_holding_one_item']}",
        f"invariant: {invariant.summary()}",
        f"  GET /products/{{sku}}: {invariant.api}"
        + (
            f" (it does not return {', '.join(invariant.api_missing)})"
            if invariant.api_missing
            else ""
        ),
        f"  catalog table (consistent read): {invariant.table}",
        f"burst: every request sent within {details['sent_spread_ms']} ms of the release; "
        f"most in the gateway at once {lambdas.pop('most_in_gateway')}; last answer after "
        f"{details['wall_s']} s, latency max {details['latency_max_ms']} ms",
        f"  the runtime finished its last invocation {lambdas.pop('drained_after_burst_s')} s "
        "after the last answer",
        f"  {details['carts']} carts opened first in {details['cart_setup_s']} s (not timed); "
        f"client process CPU in the burst {details['client_cpu_s']} s",
        "",
        f"Lambda during the burst ({details['lambda_concurrency']} environments per function): "
        "invocations/s; wait for an environment and run in it, p50/p99 (ms)",
    ]
    cpu: dict[str, float] = lambdas.pop("cpu")
    for name, value in lambdas.items():
        if isinstance(value, dict):
            lines.append(
                f"  {name}: {value['per_s']}/s, wait {value['wait_p50_ms']}/{value['wait_p99_ms']}"
                f", run {value['run_p50_ms']}/{value['run_p99_ms']}, most in flight "
                f"{value['most_in_flight']} ({value['environments']} environments)"
            )
        else:
            lines.append(f"  {name}: {value}")
    lines += ["", "CPU during the burst (cores: 1.00 = one core; the viewers' process: python)"]
    lines += [
        f"  {label[:60]:<60} {cores:5.2f}"
        for label, cores in sorted(cpu.items(), key=lambda item: -item[1])
        if cores >= 0.01
    ]
    lines += [
        "",
        f"naive baseline: {sale.viewers:,} buyers, GetItem (consistent) then UpdateItem "
        f"available = seen - 1 without a condition, on a variant of {sale.stock} of its own",
        *_naive_lines(details["naive"], sale.stock, "as many threads as buyers (the key)"),
        *_naive_lines(details["naive_few"], sale.stock, "as many threads as environments"),
    ]
    return lines


def _machine() -> str:
    model = next(
        (
            line.partition(":")[2].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def _embedded_dynamodb() -> str:
    """What serves DynamoDB in the embedded AWS: moto, and the runtime's own layer over it when
    there is one (its docstring's first sentence says what it does)."""
    try:
        from local.embedded_aws import dynamodb
    except ImportError:
        return "moto's own DynamoDB"
    first = (dynamodb.__doc__ or "").split(". ")[0].replace("\n", " ").strip()
    return f"moto with local/embedded_aws/dynamodb.py ({first.rstrip('.')})"


def _write_report(figures: dict[str, Any], lines: list[str]) -> None:
    details = figures["_details"]
    sale: Sale = details["sale"]
    failed = len(details["failed"])
    function = details["function"]
    reserved = function.reserved_concurrency
    verdict = (
        "Every answer was a 2xx or a 409 `out_of_stock`."
        if not failed
        else f"**{failed} of {sale.viewers:,} add-to-cart requests were neither a 2xx nor a 409 "
        "`out_of_stock` (5xx, 429, timeout, other 4xx): counted apart, listed under the table.**"
    )
    from local.apigateway.invoke import INVOCATION_THREADS

    report = [
        "# bench/commerce: a flash sale that must not oversell (issue 7)",
        "",
        "`make bench ARGS=commerce`. Keys in commerce.json; below is the printed output of the "
        f"run that wrote it ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC).",
        "",
        f"Machine: {_machine()}; load average {details['load'][0]:.2f} (1 min) before the "
        "burst. The machine is shared with other engineers running test suites: every figure "
        "is noisy, and latency and throughput most of all.",
        "",
        "The local runtime (`make dev`'s, on free ports, a template synthesized for the run with "
        f"`vitrine:holdSeconds` = {HOLD_SECONDS}, no IVS stand-in) serves the gateway in the "
        "bench's process; the embedded AWS (moto server) and every Lambda execution environment "
        "are processes of their own; the viewers are one more (asyncio + httpx, one connection "
        f"each). Local Lambda concurrency: {details['lambda_concurrency']} execution "
        "environments per function (local/awslambda/service.py DEFAULT_CONCURRENCY, "
        "RuntimeOptions.concurrency"
        + (f"; the function's reserved concurrency {reserved}" if reserved is not None else "")
        + f"), the gateway invokes from {INVOCATION_THREADS} threads "
        "(local/apigateway/invoke.py). So the 1,000 concurrent requests queue in the gateway "
        f"for {function.display_name}'s environments: the latencies are that queue, not one "
        "request's cost. The local gateway applies no throttle and no 29 s integration timeout "
        "(API Gateway would): both are counted, not enforced. DynamoDB: "
        f"{_embedded_dynamodb()}.",
        "",
        verdict,
        "",
        "```",
        *lines,
        "```",
        "",
    ]
    REPORT.write_text("\n".join(report))


def main() -> dict[str, Any]:
    with _runtime() as runtime:
        figures = measure(runtime)
    results = {key: figures[key] for key in KEYS}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    lines = _table(figures)
    print("\n" + "\n".join(lines))
    _write_report(figures, lines)
    print(f"written to {RESULTS.relative_to(REPO_ROOT)} and {REPORT.relative_to(REPO_ROOT)}")
    print(f"the runtime's work directory (functions' logs): {WORK_DIR.relative_to(REPO_ROOT)}")
    return results


if __name__ == "__main__":
    if len(sys.argv) > 1:  # a quick look: `python -m bench.commerce VIEWERS [STOCK]`, not written
        viewers = int(sys.argv[1])
        quick = Sale(viewers, int(sys.argv[2]) if len(sys.argv) > 2 else max(1, viewers // 10))
        with _runtime() as started:
            print("\n".join(_table(measure(started, quick))))
    else:
        main()
