"""A live room on the local runtime, with real WebSocket clients (issue 6).

1,000 viewers connect through the local gateway (`?show=&viewer=&name=`, `$connect`, then
`{"action": "join"}` and its snapshot), ramped at a steady pace and measured only once all are
in. 60 of them chat, round-robin, each below the 1 message/s pace rule, at 50 messages/s and then
at a typical 5. Every frame a viewer receives is counted (updates with messages, viewer counts,
the acks of its own messages). Then half the viewers leave, a moderator joins (the seeded staff,
a Cognito token) and, with 500 in the room, features a product every few seconds while the chat
runs at 5/s: the latencies from the send to each viewer's receipt.

- frames per viewer per second: frames received by the viewers in the window / viewers / s.
- every chat frame sent is accounted for once the run has settled (no frame answered and no
  message delivered for SETTLE_QUIET_S: the backlogs have drained): acked within ACK_WAIT_S of
  the phase's last send, acked late (the sender had stopped waiting: processed, but slowly),
  refused (pace rules), or never answered; a never-answered frame whose text reached viewers
  was processed (its answer was lost), one that reached nobody was never processed: a dropped
  frame, the bug to look for.
- lost messages: messages that exist (acked, in time or late, or seen by viewers) that a viewer
  connected from the phase's start until GRACE_S after the message was answered and after the
  last viewer received it never received in an `updates` frame (by message id).
- latency: the sender's (or moderator's) send time to each viewer's receipt, one clock (one
  client process), p50/p99 over every (message, viewer) pair, late messages included.
- Lambda: every invocation is timed in the bench's process (the runtime's own Lambda service),
  split into the wait for a free execution environment and the run in it; the gateway's
  invocation threads that wait for a turn are sampled too. So a backlog shows where it queues.

The clients run in a process of their own (asyncio, the `websockets` client, no compression:
API Gateway does not negotiate it), so that they share no interpreter with the gateway, which
serves in the bench's process. While each phase runs, the CPU of every process of the runtime is
sampled from /proc, so a target missed shows where the time went.

    uv run python -m bench.realtime_room        (this part alone; `python -m bench.realtime`)
    uv run python -m bench.realtime_room 1000 10   (1,000 viewers, 10 s windows: a quick look)
"""

import asyncio
import contextlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed

from local import REPO_ROOT

VIEWERS = 1_000
LATENCY_VIEWERS = 500
SENDERS = 60  # 50 msg/s round-robin: each sender posts every 1.2 s, below the 1/s pace rule
BUSY_RATE, TYPICAL_RATE = 50, 5  # chat messages per second
WINDOW_S = 25  # each measured phase
WARM_S = 3  # chat runs this long before frames are counted: the window reaches steady state
ACK_WAIT_S = 5  # after its last send, how long a phase waits for acks ("in time")
GRACE_S = 10  # after the chat stops, for the last windows to arrive before losses are counted
SETTLE_QUIET_S = 15  # the run has settled when no chat frame was answered for this long...
SETTLE_MAX_S = 180  # ...or after this long
PHASES = ("busy", "typical", "latency")
RAMP_PER_S = 40  # new connections a second ($connect and join are two Lambda invocations each)
RAMP_IN_FLIGHT = 8
FEATURE_EVERY_S = 3.0  # longer than a coalescing window: each feature is its own update


# --- the clients (run in their own process: `python -m bench.realtime_room clients`) -----------


@dataclass(eq=False)
class Client:
    """One WebSocket connection: counts its frames, notes when each message first arrived."""

    viewer_id: str
    name: str
    socket: Any = None
    frames: int = 0
    closed_at: float | None = None
    received: dict[str, float] = field(default_factory=dict)  # message id -> first receipt
    featured: list[tuple[str, float]] = field(default_factory=list)  # (sku, receipt)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # ref -> ack / error
    gateway_errors: list[float] = field(default_factory=list)  # API Gateway's own error frames
    texts: dict[str, str] | None = None  # the witness's: message text -> message id
    snapshot: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self) -> None:
        try:
            async for data in self.socket:
                at = time.time()
                self.frames += 1
                frame = json.loads(data)
                kind = frame.get("type")
                if kind == "updates":
                    for update in frame["updates"]:
                        if update["kind"] == "message":
                            message = update["message"]
                            message_id = sys.intern(message["message_id"])
                            self.received.setdefault(message_id, at)
                            if self.texts is not None:
                                self.texts.setdefault(message["text"], message_id)
                        elif update["kind"] == "featured":
                            self.featured.append((update["product"]["sku"], at))
                elif kind in ("ack", "error") and frame.get("ref"):
                    self.answers[frame["ref"]] = frame | {"at": at}
                elif kind == "snapshot":
                    self.snapshot.set()
                elif kind is None and "requestId" in frame:  # a failed invocation: no ref
                    self.gateway_errors.append(at)
        except Exception:
            pass
        finally:
            self.closed_at = time.time()


@dataclass(frozen=True, eq=False)
class ChatFrame:
    sender: Client
    ref: str
    text: str  # unique in the run: how a frame that was never answered is found in updates
    sent_at: float


@dataclass(eq=False)
class ChatPhase:
    """One phase's chat frames, and who was in the room when it began."""

    name: str
    started_at: float
    present: list[Client]
    frames: list[ChatFrame] = field(default_factory=list)
    answer_deadline: float = float("inf")  # answers after this are late


def _emit(**line: Any) -> None:
    """A line for the bench's process (phase markers, the result), on stdout."""
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def _say(text: str) -> None:
    print(f"  [clients] {text}", file=sys.stderr, flush=True)


def _percentiles(values: list[float]) -> tuple[float | None, float | None]:
    if len(values) < 2:
        return (round(values[0], 1), round(values[0], 1)) if values else (None, None)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return round(statistics.median(values), 1), round(cuts[98], 1)


class Room:
    def __init__(self, plan: dict[str, Any]) -> None:
        self.ws_url = plan["ws_url"]
        self.show_id = plan["show_id"]
        self.token = plan["token"]
        self.skus = plan["skus"]
        self.viewers: list[Client] = []
        self.witness: Client | None = None  # the first viewer: stays all along, keeps texts
        self.moderator: Client | None = None
        self.connect_ms: list[float] = []
        self.connect_failures: list[str] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.refs = (f"r{n}" for n in itertools.count(1))
        self.phases: list[ChatPhase] = []
        self.client_cpu = 0.0  # cores the client process used in the last window

    async def open(self, client: Client, **query: str) -> None:
        from urllib.parse import urlencode

        from websockets.asyncio.client import connect

        params = {"show": self.show_id, "viewer": client.viewer_id, "device": "mobile"} | query
        started = time.perf_counter()
        client.socket = await connect(
            f"{self.ws_url}?{urlencode(params)}",
            compression=None,
            ping_interval=None,  # pages send heartbeats, not pings; the window is short
            max_size=2**20,
            open_timeout=60,
            max_queue=None,
        )
        task = asyncio.create_task(client.read())
        self.tasks.add(task)
        await client.socket.send(json.dumps({"action": "join"}))
        await asyncio.wait_for(client.snapshot.wait(), 60)
        self.connect_ms.append((time.perf_counter() - started) * 1000)

    async def ramp(self, count: int) -> float:
        """Connects `count` viewers at RAMP_PER_S; returns the connections made per second."""
        gate = asyncio.Semaphore(RAMP_IN_FLIGHT)
        started = time.perf_counter()

        async def one(index: int) -> None:
            client = Client(f"bench-{uuid.uuid4().hex[:12]}", f"Viewer {index}")
            if index == 0:
                client.texts = {}
            async with gate:
                try:
                    await self.open(client, name=client.name)
                    self.viewers.append(client)
                    if index == 0:
                        self.witness = client
                except Exception as error:
                    self.connect_failures.append(f"{type(error).__name__}: {error}"[:160])

        pending = []
        for index in range(count):
            pending.append(asyncio.create_task(one(index)))
            await asyncio.sleep(1 / RAMP_PER_S)
            if index % 200 == 199:
                _say(f"{len(self.viewers)} joined, {len(self.connect_failures)} failed")
        await asyncio.gather(*pending)
        if self.witness is not None:  # first in the list: never among those who leave
            self.viewers.remove(self.witness)
            self.viewers.insert(0, self.witness)
        return len(self.viewers) / (time.perf_counter() - started)

    async def request(self, client: Client, action: str, **fields: Any) -> tuple[str, float]:
        ref = next(self.refs)
        at = time.time()
        await client.socket.send(json.dumps({"action": action, "ref": ref} | fields))
        return ref, at

    async def chat(
        self, phase: ChatPhase, senders: list[Client], rate: float, seconds: float
    ) -> None:
        """`rate` messages a second for `seconds`, round-robin over `senders`; then waits
        ACK_WAIT_S for the answers (those after it are late)."""
        started = time.perf_counter()
        for n in itertools.count():
            due = started + n / rate
            if due - started >= seconds:
                break
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            sender = senders[n % len(senders)]
            text = f"bench {phase.name} message {n} at {rate:g}/s"
            try:
                ref, at = await self.request(sender, "chat", text=text)
            except ConnectionClosed:
                continue  # counted: its sender shows as dropped
            phase.frames.append(ChatFrame(sender, ref, text, at))
        await asyncio.sleep(ACK_WAIT_S)
        phase.answer_deadline = time.time()

    def frames(self) -> int:
        return sum(client.frames for client in self.viewers)

    async def phase(self, name: str, rate: float, *, feature: bool = False) -> dict[str, Any]:
        """Chat at `rate` for WARM_S + WINDOW_S (and features, if asked): frames, feature
        latencies and the answers in time; the rest of the chat's accounting waits for the run
        to settle (`account`)."""
        for client in self.viewers:
            client.featured.clear()
        present = [client for client in self.viewers if client.closed_at is None]
        chat = ChatPhase(name, time.time(), present)
        self.phases.append(chat)
        senders = present[:SENDERS]
        features: list[tuple[str, float]] = []

        async def count_frames() -> tuple[int, float]:
            await asyncio.sleep(WARM_S)
            _emit(phase=name, at="start")
            before, started, cpu = self.frames(), time.perf_counter(), time.process_time()
            await asyncio.sleep(WINDOW_S)
            self.client_cpu = (time.process_time() - cpu) / WINDOW_S
            _emit(phase=name, at="end")
            return self.frames() - before, time.perf_counter() - started

        async def feature_products() -> None:
            assert self.moderator is not None
            await asyncio.sleep(WARM_S)
            for n in range(int(WINDOW_S / FEATURE_EVERY_S)):
                sku = self.skus[n % len(self.skus)]
                with contextlib.suppress(ConnectionClosed):  # shows as a feature not sent
                    _ref, at = await self.request(self.moderator, "feature_product", sku=sku)
                    features.append((sku, at))
                await asyncio.sleep(FEATURE_EVERY_S)

        counting = asyncio.create_task(count_frames())
        probing = asyncio.create_task(self.probe_gateway(WARM_S + WINDOW_S))
        jobs = [self.chat(chat, senders, rate, WARM_S + WINDOW_S)]
        if feature:
            jobs.append(feature_products())
        await asyncio.gather(*jobs)
        frames, seconds = await counting
        gateway_ms = await probing
        in_time = sum(
            (answer := f.sender.answers.get(f.ref)) is not None and answer["type"] == "ack"
            for f in chat.frames
        )
        _say(f"{name}: chat done, {in_time} of {len(chat.frames)} acked; grace {GRACE_S}s")
        await asyncio.sleep(GRACE_S)

        connected = [c for c in present if c.closed_at is None]
        feature_ms = []
        for n, (sku, sent_at) in enumerate(features):
            until = features[n + 1][1] if n + 1 < len(features) else float("inf")
            for client in connected:
                seen = [at for s, at in client.featured if s == sku and sent_at <= at < until]
                if seen:
                    feature_ms.append((seen[0] - sent_at) * 1000)
        moderator_answers = self.moderator.answers if self.moderator else {}
        feature_p50, feature_p99 = _percentiles(feature_ms)
        gateway_p50, gateway_p99 = _percentiles(gateway_ms)
        result = {
            "viewers": len(present),
            "dropped_during_phase": len(present) - len(connected),
            "senders_dropped": sum(client.closed_at is not None for client in senders),
            "rate": rate,
            "chat_frames_sent": len(chat.frames),
            "frames_per_viewer_per_s": round(frames / len(present) / seconds, 2),
            "gateway_p50_ms": gateway_p50,
            "gateway_p99_ms": gateway_p99,
            "features_sent": len(features),
            "feature_refused": sum(a["type"] == "error" for a in moderator_answers.values()),
            "feature_pairs": len(feature_ms),
            "feature_latency_p50_ms": feature_p50,
            "feature_latency_p99_ms": feature_p99,
            "client_cpu": round(self.client_cpu, 2),
        }
        moderator_answers.clear()
        _say(f"{name}: {json.dumps(result)}")
        return result

    async def settle(self) -> float:
        """Waits until no chat frame was answered and no message reached the witness for
        SETTLE_QUIET_S (at most SETTLE_MAX_S): the queued frames and the fan-out's backlog
        have drained. Returns the wait."""
        started = time.time()
        frames = [f for phase in self.phases for f in phase.frames]
        witness = self.witness

        def progress() -> tuple[int, int]:
            answered = sum(f.ref in f.sender.answers for f in frames)
            return answered, len(witness.received) if witness else 0

        seen, changed_at = progress(), time.time()
        while time.time() - changed_at < SETTLE_QUIET_S and time.time() - started < SETTLE_MAX_S:
            await asyncio.sleep(1)
            if (now := progress()) != seen:
                seen, changed_at = now, time.time()
        _say(f"settled after {time.time() - started:.0f}s: {seen[0]} of {len(frames)} answered")
        return time.time() - started

    def account(self, phase: ChatPhase, ends_at: float) -> dict[str, Any]:
        """Every chat frame of the phase, once the run has settled: how it was answered, and
        which messages a viewer who stayed never received."""
        counts: Counter[str] = Counter()
        ack_ms: list[float] = []
        messages: dict[str, tuple[float, float]] = {}  # id -> (sent, answered or first seen)
        texts = self.witness.texts if self.witness and self.witness.texts is not None else {}
        for frame in phase.frames:
            answer = frame.sender.answers.get(frame.ref)
            if answer is None:
                message_id = texts.get(frame.text)
                if message_id is None:
                    counts["never_processed"] += 1
                    continue
                counts["unanswered_delivered"] += 1
                assert self.witness is not None
                messages[message_id] = (frame.sent_at, self.witness.received[message_id])
            elif answer["type"] == "ack":
                counts["acked_late" if answer["at"] > phase.answer_deadline else "acked"] += 1
                ack_ms.append((answer["at"] - frame.sent_at) * 1000)
                messages[answer["detail"]] = (frame.sent_at, answer["at"])
            else:
                counts[f"refused {answer['error']}"] += 1
        lost: set[str] = set()
        missing_pairs = 0
        chat_ms: list[float] = []
        for message_id, (sent_at, answered_at) in messages.items():
            # A viewer who left before the fan-out could reach them is not a loss: the last
            # viewer to receive it (a late message reaches the room late) sets the bar.
            receipts = [c.received[message_id] for c in phase.present if message_id in c.received]
            reached_by = max([answered_at, *receipts]) + GRACE_S
            for client in phase.present:
                if client.closed_at is not None and client.closed_at < reached_by:
                    continue
                received_at = client.received.get(message_id)
                if received_at is None:
                    missing_pairs += 1
                    lost.add(message_id)
                else:
                    chat_ms.append((received_at - sent_at) * 1000)
        senders = {frame.sender for frame in phase.frames}
        gateway_errors = sum(
            phase.started_at <= at < ends_at for client in senders for at in client.gateway_errors
        )
        ack_p50, ack_p99 = _percentiles(ack_ms)
        chat_p50, chat_p99 = _percentiles(chat_ms)
        refused = {key.partition(" ")[2]: n for key, n in counts.items() if key[:7] == "refused"}
        return {
            "messages_acked": counts["acked"],
            "messages_acked_late": counts["acked_late"],
            "messages_refused": " ".join(f"{k}:{n}" for k, n in sorted(refused.items())) or "0",
            "unanswered_delivered": counts["unanswered_delivered"],
            "never_processed": counts["never_processed"],
            "gateway_errors": gateway_errors,
            "ack_p50_ms": ack_p50,
            "ack_p99_ms": ack_p99,
            "lost_messages": len(lost),
            "missing_pairs": missing_pairs,
            "chat_latency_p50_ms": chat_p50,
            "chat_latency_p99_ms": chat_p99,
            "chat_latency_max_ms": round(max(chat_ms), 1) if chat_ms else None,
            "witness_dropped": bool(self.witness is None or self.witness.closed_at is not None),
        }

    async def probe_gateway(self, seconds: float) -> list[float]:
        """A static file from the gateway twice a second: how late its event loop answers
        (no Lambda behind it)."""
        url = self.ws_url.replace("ws://", "http://").rpartition("/")[0] + "/config.json"
        timings: list[float] = []
        ends = time.perf_counter() + seconds

        def get() -> float:
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=60) as answer:
                answer.read()
            return (time.perf_counter() - started) * 1000

        while time.perf_counter() < ends:
            timings.append(await asyncio.to_thread(get))
            await asyncio.sleep(0.5)
        return timings

    async def leave(self, keep: int) -> None:
        """Closes viewers (the last ones) until `keep` are left, at the ramp's pace."""
        self.viewers = [client for client in self.viewers if client.closed_at is None]
        while len(self.viewers) > keep:
            client = self.viewers.pop()
            with contextlib.suppress(Exception):
                await client.socket.close()
            await asyncio.sleep(1 / RAMP_PER_S)


async def _run_clients(plan: dict[str, Any]) -> None:
    global WINDOW_S
    WINDOW_S = plan["window_s"]
    room = Room(plan)
    started = time.perf_counter()
    ramp_rate = await room.ramp(plan["viewers"])
    _say(f"ramp: {len(room.viewers)} joined in {time.perf_counter() - started:.0f}s")
    await asyncio.sleep(3)
    connect_p50, connect_p99 = _percentiles(room.connect_ms)
    result: dict[str, Any] = {
        "ramp": {
            "joined": len(room.viewers),
            "failed": len(room.connect_failures),
            "failures": sorted(set(room.connect_failures))[:5],
            "per_s": round(ramp_rate, 1),
            "connect_join_p50_ms": connect_p50,
            "connect_join_p99_ms": connect_p99,
        }
    }
    result["busy"] = await room.phase("busy", plan["busy_rate"])
    # Each phase starts on a drained room: the busy phase's backlog is not the typical chat's.
    result["busy"]["drained_s"] = round(await room.settle())
    result["typical"] = await room.phase("typical", plan["typical_rate"])
    result["typical"]["drained_s"] = round(await room.settle())
    _say(f"leaving: down to {plan['latency_viewers']} viewers")
    await room.leave(plan["latency_viewers"])
    await asyncio.sleep(5)  # $disconnect has removed them from the audience
    # The moderator joins for this phase only: with 1,000 viewers, one more connection would
    # take the room past the shard size (1,000), onto the SQS shard path (see the report).
    moderator = Client(f"bench-mod-{uuid.uuid4().hex[:8]}", "")
    try:
        await room.open(moderator, token=room.token)
        room.moderator = moderator
    except Exception as error:  # the room is still measured; "features sent" shows 0
        _say(f"the moderator could not join ({type(error).__name__}): no features")
    result["latency"] = await room.phase(
        "latency", plan["typical_rate"], feature=room.moderator is not None
    )
    result["settled_s"] = round(await room.settle())
    ends = [phase.started_at for phase in room.phases[1:]] + [time.time()]
    for phase, ends_at in zip(room.phases, ends, strict=True):
        result[phase.name] |= room.account(phase, ends_at)
    _emit(result=result)
    for client in [*room.viewers, *([room.moderator] if room.moderator else [])]:
        with contextlib.suppress(Exception):
            await client.socket.close()


# --- the bench's side: a show, a token, the client process, CPU per runtime process -------------


def _cpu_seconds(pid: int, thread: str = "") -> float:
    with open(f"/proc/{pid}/task/{thread}/stat" if thread else f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _label(pid: int) -> str | None:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        text = " ".join(part.decode(errors="replace") for part in command)
        if "local.awslambda.worker" in text:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            for entry in environ:
                if entry.startswith(b"AWS_LAMBDA_FUNCTION_NAME="):
                    return f"lambda {entry.partition(b'=')[2].decode()}"
            return "lambda ?"
        if "local.embedded_aws.server" in text:
            return "embedded AWS (moto)"
        if "ffmpeg" in text:
            return "ffmpeg (IVS stand-in)"
        if "bench.realtime_room clients" in text:
            return "WebSocket clients"
        return Path(command[0].decode()).name or None
    except OSError:
        return None


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, IndexError):
                continue
            children[ppid].append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        for child in children[pid]:
            found.append(child)
            stack.append(child)
    return found


def _cpu_snapshot() -> dict[str, float]:
    """CPU seconds so far: the bench process's threads by name (the gateway is one), each other
    runtime process by role, and the whole machine."""
    me = os.getpid()
    totals: dict[str, float] = defaultdict(float)
    names = {thread.native_id: thread.name for thread in threading.enumerate()}
    for task in Path(f"/proc/{me}/task").iterdir():
        try:
            group = _thread_group(names.get(int(task.name), ""))
            totals[f"bench process: {group}"] += _cpu_seconds(me, task.name)
        except OSError:
            continue
    for pid in _descendants(me):
        label = _label(pid)
        if label is not None:
            try:
                totals[label] += _cpu_seconds(pid)
            except OSError:
                continue
    with open("/proc/stat") as stat:
        cpu = [int(n) for n in stat.readline().split()[1:]]
    totals["machine (all processes, 2 cores = 200%)"] = (sum(cpu) - cpu[3] - cpu[4]) / os.sysconf(
        "SC_CLK_TCK"
    )
    return totals


def _thread_group(name: str) -> str:
    if name == "gateway":
        return "gateway (uvicorn)"
    if name == "MainThread":
        return "main thread (this bench)"
    return "triggers, pollers, Lambda IPC"


@dataclass
class PhaseCpu:
    started: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    busy: dict[str, dict[str, float]] = field(default_factory=dict)  # phase -> label -> cores

    def mark(self, phase: str, at: str) -> None:
        now = _cpu_snapshot() | {"_clock": time.monotonic()}
        if at == "start":
            self.started[phase] = now
            return
        before = self.started[phase]
        elapsed = now["_clock"] - before["_clock"]
        self.busy[phase] = {
            label: (value - before.get(label, 0.0)) / elapsed
            for label, value in now.items()
            if label != "_clock"
        }


@dataclass(frozen=True, slots=True)
class _Timed:
    function: str
    started: float
    ended: float
    ran_s: float  # inside the execution environment; the rest waited for one


class InvocationProbe:
    """Times every invocation of the runtime's Lambda service (it runs in this process): the
    wait for a free execution environment and the run in it, per function; and samples the
    gateway's invocation threads, where frames wait when every thread is taken."""

    def __init__(self, runtime: Any) -> None:
        from local.apigateway import invoke as gateway_invoke
        from local.awslambda.environment import ExecutionEnvironment

        self._lambdas = runtime.lambdas
        self._gateway_invoke = gateway_invoke
        self._environment = ExecutionEnvironment
        self._invoke = self._lambdas.invoke
        self._run = ExecutionEnvironment.invoke
        self._here = threading.local()
        self._lock = threading.Lock()
        self.timed: list[_Timed] = []
        self.gateway_waiting: list[tuple[float, int]] = []  # (when, invocations waiting)
        self._sampling = threading.Event()
        self.marks: dict[str, float] = {}

    def __enter__(self) -> "InvocationProbe":
        here, run = self._here, self._run

        def invoke(function: str, event: Any, *, trigger: str) -> Any:
            here.ran = 0.0
            started = time.monotonic()
            try:
                return self._invoke(function, event, trigger=trigger)
            finally:
                name = self._lambdas.function(function).name
                with self._lock:
                    self.timed.append(_Timed(name, started, time.monotonic(), here.ran))

        def timed_run(environment: Any, request: dict[str, Any], timeout: float) -> Any:
            started = time.monotonic()
            try:
                return run(environment, request, timeout)
            finally:
                here.ran = getattr(here, "ran", 0.0) + time.monotonic() - started

        self._lambdas.invoke = invoke
        self._environment.invoke = timed_run
        threading.Thread(target=self._sample, name="bench-probe", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sampling.set()
        self._environment.invoke = self._run
        del self._lambdas.invoke  # the instance attribute: back to the class's method

    def _sample(self) -> None:
        while not self._sampling.wait(0.25):
            limiters = list(self._gateway_invoke._limiters.values())  # one per event loop
            if limiters:
                waiting = sum(limiter.statistics().tasks_waiting for limiter in limiters)
                self.gateway_waiting.append((time.monotonic(), waiting))

    def mark(self, phase: str, at: str) -> None:
        self.marks[f"{phase} {at}"] = time.monotonic()

    def summary(self, phase: str) -> dict[str, Any]:
        """Per function, the invocations that ended in the phase's window: their number, how
        long they waited for an environment and ran in it, and how many overlapped at most."""
        start, end = self.marks[f"{phase} start"], self.marks[f"{phase} end"]
        with self._lock:
            timed = list(self.timed)
        found: dict[str, Any] = {}
        for function in sorted({t.function for t in timed}):
            label = self._lambdas.function(function).display_name
            mine = [t for t in timed if t.function == function and start <= t.ended < end]
            if not mine:
                continue
            waits = [(t.ended - t.started - t.ran_s) * 1000 for t in mine]
            runs = [t.ran_s * 1000 for t in mine]
            edges = sorted(
                [(t.started, 1) for t in timed if t.function == function and t.started < end]
                + [(t.ended, -1) for t in timed if t.function == function and t.ended < end]
            )
            in_flight = most = 0
            for when, step in edges:
                in_flight += step
                if when >= start:
                    most = max(most, in_flight)
            found[label] = {
                "per_s": round(len(mine) / (end - start), 1),
                "wait_p50_ms": _percentiles(waits)[0],
                "wait_p99_ms": _percentiles(waits)[1],
                "run_p50_ms": _percentiles(runs)[0],
                "run_p99_ms": _percentiles(runs)[1],
                "most_in_flight": most,
                "environments": self._lambdas.environments(function),
            }
        waiting = [n for when, n in self.gateway_waiting if start <= when < end]
        found["gateway threads: most invocations waiting"] = max(waiting, default=0)
        return found


def _mapping_stats(runtime: Any) -> dict[str, tuple[int, int]]:
    """Invocations and records of each event source mapping of the chat path, so far."""
    pollers = runtime.triggers.event_sources if runtime.triggers else None
    found = {}
    for mapping in runtime.template.of_type("AWS::Lambda::EventSourceMapping"):
        if pollers is None:
            break
        stats = pollers.stats(mapping.logical_id)
        label = "fanout (stream)" if "Shard" not in mapping.logical_id else "fanout_shard (SQS)"
        found[label] = (stats.invocations, stats.records_invoked)
    return found


def coalescing_window(runtime: Any) -> float:
    """The stream mapping's batching window: the coalescing window in effect."""
    for mapping in runtime.template.of_type("AWS::Lambda::EventSourceMapping"):
        if "MaximumBatchingWindowInSeconds" in mapping.properties and "Shard" not in str(
            mapping.logical_id
        ):
            return float(mapping.properties["MaximumBatchingWindowInSeconds"])
    return 0.0


def _staff_token(runtime: Any, role: str) -> str:
    import boto3

    from functions.common import aws
    from local.seed import STAFF, STAFF_PASSWORD

    username = next(name for name, group in STAFF if group == role)
    cognito = boto3.client("cognito-idp", endpoint_url=aws.endpoint_url("cognito-idp"))
    answer = cognito.initiate_auth(
        ClientId=runtime.runtime_config["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": STAFF_PASSWORD},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def _create_show(runtime: Any, host_token: str, skus: list[str]) -> str:
    show_id = f"bench-room-{uuid.uuid4().hex[:10]}"
    body = {
        "show_id": show_id,
        "title": "Bench: a busy room",
        "host_name": "Hana",
        "starts_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "product_skus": skus,
    }
    request = urllib.request.Request(
        f"{runtime.base_url}/api/shows",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "authorization": host_token},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        if answer.status != 201:
            raise RuntimeError(f"creating the show answered {answer.status}")
    return show_id


def _run_client_process(
    plan: dict[str, Any], runtime: Any, probe: InvocationProbe
) -> tuple[dict[str, Any], PhaseCpu]:
    cpu = PhaseCpu()
    mappings: dict[str, dict[str, tuple[int, int]]] = {}
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.realtime_room", "clients"],
        cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(json.dumps(plan))
    process.stdin.close()
    result: dict[str, Any] | None = None
    try:
        for line in process.stdout:
            message = json.loads(line)
            if "phase" in message:
                cpu.mark(message["phase"], message["at"])
                probe.mark(message["phase"], message["at"])
                mappings[f"{message['phase']} {message['at']}"] = _mapping_stats(runtime)
            elif "result" in message:
                result = message["result"]
    finally:
        if process.wait(timeout=120) != 0 or result is None:
            raise RuntimeError(f"the client process failed (exit {process.returncode})")
    for phase in result:
        if f"{phase} start" in mappings:
            start, end = mappings[f"{phase} start"], mappings[f"{phase} end"]
            result[phase]["mappings"] = {
                label: (end[label][0] - start[label][0], end[label][1] - start[label][1])
                for label in end
            }
    return result, cpu


def measure(runtime: Any) -> dict[str, Any]:
    """The room's figures on a started LocalRuntime (its gateway serving, triggers started)."""
    from local.seed import DEMO_PRODUCTS

    skus = [product.sku for product in DEMO_PRODUCTS]
    show_id = _create_show(runtime, _staff_token(runtime, "host"), skus)
    plan = {
        "ws_url": runtime.runtime_config["websocketUrl"],
        "show_id": show_id,
        "token": _staff_token(runtime, "moderator"),
        "skus": skus,
        "viewers": VIEWERS,
        "latency_viewers": LATENCY_VIEWERS,
        "busy_rate": BUSY_RATE,
        "typical_rate": TYPICAL_RATE,
        "window_s": WINDOW_S,
    }
    window = coalescing_window(runtime)
    if not window:
        raise RuntimeError("the template has no batching event log stream: `make synth` first")
    print(f"load average before the room: {os.getloadavg()[0]:.1f}", flush=True)
    with InvocationProbe(runtime) as probe:
        result, cpu = _run_client_process(plan, runtime, probe)
    for phase in PHASES:
        result[phase]["lambda"] = probe.summary(phase)
    dropped_slow = runtime.hub.dropped_slow_clients
    print(json.dumps(result), file=sys.stderr, flush=True)  # every figure, for a closer look
    _print_table(result, cpu, window, dropped_slow)
    busy, typical, latency = (result[phase] for phase in PHASES)
    return {
        "frames_per_viewer_per_s": busy["frames_per_viewer_per_s"],
        "frames_per_viewer_per_s_at_5": typical["frames_per_viewer_per_s"],
        "lost_messages": sum(result[phase]["lost_messages"] for phase in PHASES),
        "chat_latency_p50_ms": latency["chat_latency_p50_ms"],
        "chat_latency_p99_ms": latency["chat_latency_p99_ms"],
        "feature_latency_p50_ms": latency["feature_latency_p50_ms"],
        "feature_latency_p99_ms": latency["feature_latency_p99_ms"],
    }


def _print_table(result: dict[str, Any], cpu: PhaseCpu, window: float, dropped_slow: int) -> None:
    ramp = result["ramp"]
    print(f"\nlive room on the local runtime; coalescing window {window:g} s (the event log "
          "stream's MaximumBatchingWindowInSeconds, vitrine:chatCoalesceSeconds)")  # fmt: skip
    print(f"ramp: {ramp['joined']} of {VIEWERS} viewers joined ({ramp['failed']} failed) at "
          f"{ramp['per_s']}/s; connect+join p50 {ramp['connect_join_p50_ms']} ms, "
          f"p99 {ramp['connect_join_p99_ms']} ms {ramp['failures'] or ''}")  # fmt: skip
    rows = [
        ("viewers in the room", "viewers"),
        ("chat rate (msg/s)", "rate"),
        ("frames / viewer / s", "frames_per_viewer_per_s"),
        ("chat frames sent", "chat_frames_sent"),
        (f"  acked within {ACK_WAIT_S} s of the last send", "messages_acked"),
        ("  acked late (processed, sender gave up)", "messages_acked_late"),
        ("  refused (pace rules)", None),
        ("  never answered, reached viewers", "unanswered_delivered"),
        ("  never answered, never processed", "never_processed"),
        ("API Gateway error frames (failed invocation)", "gateway_errors"),
        ("chat ack p50 (ms), late acks included", "ack_p50_ms"),
        ("chat ack p99 (ms), late acks included", "ack_p99_ms"),
        ("gateway GET /config.json p50 (ms)", "gateway_p50_ms"),
        ("gateway GET /config.json p99 (ms)", "gateway_p99_ms"),
        ("lost messages", "lost_messages"),
        ("  missing (message, viewer) pairs", "missing_pairs"),
        ("viewers dropped in the phase", "dropped_during_phase"),
        ("  of them chat senders", "senders_dropped"),
        ("chat latency p50 (ms)", "chat_latency_p50_ms"),
        ("chat latency p99 (ms)", "chat_latency_p99_ms"),
        ("chat latency max (ms)", "chat_latency_max_ms"),
        ("features sent / refused", None),
        ("feature latency p50 (ms)", "feature_latency_p50_ms"),
        ("feature latency p99 (ms)", "feature_latency_p99_ms"),
        ("client process CPU (cores)", "client_cpu"),
    ]
    print(f"\n{'':<44}" + "".join(f"{phase:>18}" for phase in PHASES))
    for label, key in rows:
        cells = []
        for phase in PHASES:
            figures = result[phase]
            if key is not None:
                value = figures[key]
            elif label.startswith("features"):
                value = f"{figures['features_sent']} / {figures['feature_refused']}"
            else:
                refused = figures["messages_refused"]
                value = (
                    sum(int(n.rpartition(":")[2]) for n in refused.split()) if refused != "0" else 0
                )
            cells.append(f"{'-' if value in (None, {}) else str(value):>18}")
        print(f"{label:<44}" + "".join(cells))
    for label in ("fanout (stream)", "fanout_shard (SQS)"):
        cells = []
        for phase in PHASES:
            invocations, records = result[phase].get("mappings", {}).get(label, (0, 0))
            cells.append(f"{invocations / WINDOW_S:.2f}/s ({records / max(invocations, 1):.0f})")
        print(f"{label + ' inv/s (records)':<44}" + "".join(f"{c:>18}" for c in cells))
    for phase in PHASES:
        print(f"{phase}: chat frames refused: {result[phase]['messages_refused']}")
    drained = (result["busy"]["drained_s"], result["typical"]["drained_s"])
    print(f"drained before the next phase: {drained[0]} s after busy, {drained[1]} s after typical")
    print(f"run settled {result['settled_s']} s after the last phase (nothing answered or "
          f"delivered for {SETTLE_QUIET_S} s); witness dropped: "
          f"{any(result[phase]['witness_dropped'] for phase in PHASES)}")  # fmt: skip
    print("\nLambda in the measured windows: invocations/s; wait for an environment and run in "
          "it, p50/p99 (ms); most in flight (environments)")  # fmt: skip
    functions = sorted({name for phase in PHASES for name in result[phase]["lambda"]})
    for name in functions:
        cells = []
        for phase in PHASES:
            figures = result[phase]["lambda"].get(name)
            if isinstance(figures, dict):
                cells.append(
                    f"{figures['per_s']}/s wait {figures['wait_p50_ms']}/{figures['wait_p99_ms']}"
                    f" run {figures['run_p50_ms']}/{figures['run_p99_ms']}"
                    f" in flight {figures['most_in_flight']} ({figures['environments']})"
                )
            else:
                cells.append("-" if figures is None else str(figures))
        print(f"{name[:44]}:")
        for phase, cell in zip(PHASES, cells, strict=True):
            print(f"    {phase:<8} {cell}")
    print(f"slow clients dropped by the gateway: {dropped_slow}")
    print("\nCPU in the measured windows (cores: 1.00 = one core busy)")
    machine = "machine (all processes, 2 cores = 200%)"
    for busy in cpu.busy.values():
        busy["other programs on the machine"] = busy[machine] - sum(
            cores for label, cores in busy.items() if label != machine
        )
    labels = sorted({label for busy in cpu.busy.values() for label in busy if busy[label] >= 0.005})
    for label in labels:
        shares = "".join(f"{cpu.busy.get(phase, {}).get(label, 0.0):>18.2f}" for phase in PHASES)
        print(f"{label[:44]:<44}{shares}")


@contextmanager
def _runtime() -> Iterator[Any]:
    """bench/realtime.py's runtime (`make dev`'s on free ports), provisioned from a template
    synthesized now: cdk.out may lag behind infra/."""
    from infra.synth import synthesize
    from local.apigateway.server import BackgroundServer
    from local.runtime import LocalRuntime, RuntimeOptions
    from tests.conftest import free_port

    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]
    with tempfile.TemporaryDirectory() as work:
        template = synthesize(Path(work) / "cdk.out")
        options = RuntimeOptions(port=free_port(), aws_port=free_port(), rtmp_port=free_port(),
                                 work_dir=Path(work), template=template)  # fmt: skip
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


if __name__ == "__main__":
    if sys.argv[1:2] == ["clients"]:
        asyncio.run(_run_clients(json.loads(sys.stdin.read())))
    else:
        if len(sys.argv) > 1:  # a quick look: `python -m bench.realtime_room VIEWERS [SECONDS]`
            VIEWERS, LATENCY_VIEWERS = int(sys.argv[1]), int(sys.argv[1]) // 2
            WINDOW_S = int(sys.argv[2]) if len(sys.argv) > 2 else WINDOW_S
        with _runtime() as started:
            print(json.dumps(measure(started), indent=2))
