"""IVS timed metadata through the local stand-in, seen by the real IVS web player in Chromium.

PutMetadata (boto3, at the runtime's IVS endpoint) puts each cue into the live HLS as ID3; the
player must raise TEXT_METADATA_CUE with exactly the text sent, at the frame that was live
when PutMetadata was called. The page is test-only (served by Playwright's routing on the
gateway's origin): amazon-ivs-player from web/node_modules, bundled on the fly by rolldown,
because the built viewer page does not expose its player."""

import json
import re
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from local.ivs.ffmpeg import ffmpeg_exe
from local.ivs.playlists import segment_durations
from tests.e2e.conftest import ROOT, RunningVitrine
from tests.ivs_id3 import SEGMENT_METADATA, id3_tags

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PLAYER_PACKAGE = ROOT / "web" / "node_modules" / "amazon-ivs-player"
ROLLDOWN = ROOT / "web" / "node_modules" / ".bin" / "rolldown"
PAGE_PATH = "/__timed-metadata-test__/"
CUES = 6

PAGE = """<!doctype html>
<meta charset="utf-8">
<title>timed metadata</title>
<video playsinline muted style="width: 320px"></video>
<script src="player.js"></script>
<script>
  const { create, PlayerEventType, PlayerState } = window.IVSPlayer;
  const player = create({
    wasmWorker: new URL("wasmworker.js", location.href).href,
    wasmBinary: new URL("wasmworker.wasm", location.href).href,
  });
  window.player = player;
  window.cues = [];
  player.addEventListener(PlayerEventType.TEXT_METADATA_CUE, (cue) => {
    window.cues.push({
      text: cue.text, description: cue.description, owner: cue.owner,
      startTime: cue.startTime, position: player.getPosition(), at: performance.now(),
    });
  });
  player.addEventListener(PlayerState.PLAYING, () => { document.body.dataset.state = "Playing"; });
  // As the viewer page does: a stream not reachable yet is loaded again a moment later.
  window.playerErrors = [];
  player.addEventListener(PlayerEventType.ERROR, (error) => {
    window.playerErrors.push(`${error.type} ${error.code}: ${error.message}`);
    setTimeout(() => player.load(STREAM_URL), 2000);
  });
  player.attachHTMLVideoElement(document.querySelector("video"));
  player.setAutoplay(true);
  player.setMuted(true);
  player.load(STREAM_URL);
</script>
"""


@pytest.fixture(scope="module")
def player_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """amazon-ivs-player as one script exposing `window.IVSPlayer`."""
    if not ROLLDOWN.exists() or not PLAYER_PACKAGE.exists():
        pytest.fail("web/node_modules is missing: `cd web && npm ci`")
    out = tmp_path_factory.mktemp("player")
    entry = out / "entry.js"
    entry.write_text(
        f'import * as IVSPlayer from "{PLAYER_PACKAGE / "dist" / "index.js"}";\n'
        "window.IVSPlayer = IVSPlayer;\n"
    )
    bundle = out / "player.js"
    subprocess.run(
        [str(ROLLDOWN), str(entry), "--format", "iife", "-o", str(bundle)],
        cwd=ROOT / "web",
        check=True,
        capture_output=True,
        timeout=120,
    )
    return bundle


@pytest.fixture
def open_player(vitrine: RunningVitrine, browser, player_bundle: Path):
    """Opens the test page on the gateway's origin, playing the live stream."""
    worker = PLAYER_PACKAGE / "dist" / "assets" / "amazon-ivs-wasmworker.min"
    stream_url = json.dumps(vitrine.config()["playbackUrl"])
    page_files = {
        "": ("text/html", PAGE.replace("STREAM_URL", stream_url)),
        "player.js": ("text/javascript", player_bundle.read_bytes()),
        "wasmworker.js": ("text/javascript", Path(f"{worker}.js").read_bytes()),
        "wasmworker.wasm": ("application/wasm", Path(f"{worker}.wasm").read_bytes()),
    }
    page_url = f"{vitrine.base_url}{PAGE_PATH}"

    def route(route) -> None:
        url = route.request.url
        if url.startswith(page_url):
            content_type, body = page_files[url.removeprefix(page_url)]
            route.fulfill(status=200, content_type=content_type, body=body)
        elif url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:  # only the local runtime is reachable: the player's calls home are aborted
            route.abort()

    context = browser.new_context()
    context.route("**/*", route)
    errors: list[str] = []

    def open_page():
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(page_url)
        return page

    yield open_page
    context.close()
    assert not errors, errors


@pytest.fixture
def player_page(open_player):
    return open_player()


def expect_playing(page) -> None:
    from playwright.sync_api import expect

    try:
        expect(page.locator("body")).to_have_attribute("data-state", "Playing", timeout=60_000)
    except AssertionError:
        pytest.fail(f"the player never played: {page.evaluate('window.playerErrors')}")
    page.wait_for_function("window.player.getPosition() > 1", timeout=30_000)


@pytest.fixture
def ivs(vitrine: RunningVitrine):
    """boto3's IVS client at the runtime's IVS endpoint, as the functions get it."""
    return boto3.client(
        "ivs",
        endpoint_url=f"{vitrine.base_url}/local/ivs",
        region_name="us-east-1",
        config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def channel_arn(vitrine: RunningVitrine) -> str:
    """The stack's one channel, as the runtime provisioned it in its embedded AWS."""
    embedded = boto3.client("ivs", endpoint_url=vitrine.aws_endpoint, region_name="us-east-1")
    (channel,) = embedded.list_channels()["channels"]
    return str(channel["arn"])


def test_the_ivs_player_raises_each_put_metadata_cue_at_the_frame_live_when_it_was_put(
    vitrine: RunningVitrine, player_page, ivs, channel_arn: str
):
    page = player_page
    expect_playing(page)

    sent: list[dict] = []
    with SegmentWatcher(vitrine) as watcher:
        watcher.wait_for_new_segments(1)
        for index in range(CUES):
            text = json.dumps({"type": "product.featured", "product_id": f"p-{uuid.uuid4().hex}"})
            position = page.evaluate("({position: player.getPosition(), at: performance.now()})")
            called_at = time.monotonic()
            ivs.put_metadata(channelArn=channel_arn, metadata=text)
            sent.append({"text": text, "called_at": called_at, "page": position})
            time.sleep(1.3 if index % 2 else 0.4)  # within PutMetadata's 5 calls per second
        texts = [call["text"] for call in sent]
        page.wait_for_function(
            "texts => texts.every(text => window.cues.some(cue => cue.text === text))",
            arg=texts,
            timeout=45_000,
        )
    raised = page.evaluate("window.cues")
    assert [cue["text"] for cue in raised if cue["text"] in texts] == texts  # each once, in order

    # In the stream: every live segment declares the ID3 stream; each cue sits at the stream
    # time that was live when PutMetadata was called (as this test saw segments close).
    probes = watcher.probes()
    assert all(probe.declares_timed_id3 for probe in probes), [p.streams for p in probes]
    cue_pts = {text: pts for probe in probes for pts, text in probe.put_metadata_cues}
    assert set(texts) <= set(cue_pts), f"a cue is missing from the live segments {watcher.errors}"
    offset = min(probe.appeared_at - probe.end_pts / 90_000 for probe in probes)
    placements = [cue_pts[call["text"]] / 90_000 - (call["called_at"] - offset) for call in sent]
    # This test sees a segment a little after the stand-in does, so a cue may land a little
    # after what the test takes for live; never before it, nor by more than a poll or two.
    assert all(-0.25 < placement < 0.75 for placement in placements), placements

    # In the player: each cue raised once with exactly its text, when the playhead reached
    # it, and placed on the player's timeline as far apart as the calls were.
    first_call, first_cue = sent[0], cue_for(raised, sent[0]["text"])
    delays = []
    for call in sent:
        cue = cue_for(raised, call["text"])
        assert (cue["description"], cue["owner"]) == ("", "")
        assert cue["startTime"] > call["page"]["position"]  # ahead of the playhead at the call
        assert abs(cue["position"] - cue["startTime"]) < 0.5, cue
        apart = cue["startTime"] - first_cue["startTime"]
        assert abs(apart - (call["called_at"] - first_call["called_at"])) < 0.25, (call, cue)
        delays.append((cue["at"] - call["page"]["at"]) / 1000)
    print(
        f"\nPutMetadata → TEXT_METADATA_CUE over {CUES} cues: "
        f"p50 {statistics.median(delays):.2f}s, max {max(delays):.2f}s "
        f"(the player's distance behind live); cue time - live time at the call: "
        + ", ".join(f"{placement:+.2f}s" for placement in placements)
    )


def test_the_player_starts_a_stream_whose_whole_window_carries_no_put_metadata_cue(
    vitrine: RunningVitrine, open_player
):
    """The player waits for data on every stream the PMT declares: a live window without a
    single ID3 packet (a minute without PutMetadata) would never start. IVS's own per-segment
    tag keeps the ID3 stream alive, with each segment's time in the broadcast."""
    with SegmentWatcher(vitrine) as watcher:
        watcher.wait_for_quiet_window()
    page = open_player()  # now: the playlist it loads names only those quiet segments
    expect_playing(page)
    raised = page.evaluate("window.cues")
    assert all(cue["description"] == SEGMENT_METADATA for cue in raised), raised

    probes = watcher.probes()
    offsets = [probe.stream_offset for probe in probes]
    assert None not in offsets, [probe.cues for probe in probes]
    durations = [probe.duration for probe in probes]
    for before, after, duration in zip(offsets, offsets[1:], durations, strict=False):
        assert after == pytest.approx(before + duration, abs=0.05)  # type: ignore[operator]


def cue_for(raised: list[dict], text: str) -> dict:
    return next(cue for cue in raised if cue["text"] == text)


@dataclass
class SegmentProbe:
    """One live segment as ffmpeg's own demuxer reads it."""

    appeared_at: float  # time.monotonic() when this test first saw it listed
    duration: float  # its #EXTINF
    streams: str  # ffmpeg's description of the segment's streams
    end_pts: int  # its first video PTS plus its #EXTINF duration
    cues: list[tuple[int, str, str]]  # (PTS, TXXX description, TXXX value) of each ID3 tag

    @property
    def declares_timed_id3(self) -> bool:
        return bool(re.search(r"Stream #0:2\[0x102\]: Data: timed_id3", self.streams))

    @property
    def put_metadata_cues(self) -> list[tuple[int, str]]:
        return [(pts, value) for pts, description, value in self.cues if description == ""]

    @property
    def stream_offset(self) -> float | None:
        """IVS's own `segmentmetadata` tag at the segment's start: its time in the broadcast."""
        offsets = [json.loads(v)["stream_offset"] for _, d, v in self.cues if d == SEGMENT_METADATA]
        return offsets[0] if offsets else None


class SegmentWatcher:
    """Polls the live playlist the gateway serves and keeps each new segment, with the time it
    appeared: a viewer's view of the stream's clock."""

    def __init__(self, vitrine: RunningVitrine) -> None:
        self._playlist_url = vitrine.config()["playbackUrl"].replace(
            "master.m3u8", "360p30/playlist.m3u8"
        )
        self._dir = vitrine.work_dir / f"watched-{uuid.uuid4().hex[:8]}"
        self._dir.mkdir()
        self._seen: dict[str, tuple[float, float, Path]] = {}
        self._probed: dict[Path, SegmentProbe] = {}
        self.window = 0  # segments in the live playlist, as last read
        self._listed_at_start: set[str] | None = None  # closed before the watch: when, unknown
        self._stop = threading.Event()
        self.errors: list[str] = []  # what the gateway failed to answer
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> "SegmentWatcher":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def wait_for_new_segments(self, count: int) -> None:
        deadline = time.monotonic() + 30
        while len(self._closed_while_watched()) < count:
            assert time.monotonic() < deadline, "no new live segment for 30 s"
            time.sleep(0.1)

    def wait_for_quiet_window(self) -> None:
        """Until the segments of a whole playlist, all closed while watched, carry no
        PutMetadata cue (other tests feature products on the same channel)."""
        deadline = time.monotonic() + 90
        while True:
            probes, window = self.probes(), self.window
            quiet = probes[-window:] if window and len(probes) >= window else None
            if quiet and not any(probe.put_metadata_cues for probe in quiet):
                return
            assert time.monotonic() < deadline, "PutMetadata cues kept coming for 90 s"
            time.sleep(0.5)

    def _poll(self) -> None:
        base = self._playlist_url.rsplit("/", 1)[0]
        while not self._stop.wait(0.05):
            try:
                with urllib.request.urlopen(self._playlist_url, timeout=10) as answer:
                    listed = segment_durations(answer.read().decode())
                self.window = len(listed)
            except urllib.error.URLError as error:  # the gateway busy: the next poll will do
                self.errors.append(str(error))
                continue
            now = time.monotonic()
            if self._listed_at_start is None:
                self._listed_at_start = {name for name, _ in listed}
            for name, duration in listed:
                if name in self._seen or name in self._listed_at_start:
                    continue
                try:
                    with urllib.request.urlopen(f"{base}/{name}", timeout=10) as answer:
                        (path := self._dir / name).write_bytes(answer.read())
                except urllib.error.URLError as error:
                    self.errors.append(f"{name}: {error}")
                    continue
                self._seen[name] = (now, duration, path)

    def _closed_while_watched(self) -> list[tuple[float, float, Path]]:
        return list(self._seen.values())

    def probes(self) -> list[SegmentProbe]:
        for appeared_at, duration, path in self._closed_while_watched():
            if path not in self._probed:
                self._probed[path] = probe_segment(path, appeared_at, duration)
        return list(self._probed.values())


def probe_segment(path: Path, appeared_at: float, duration: float) -> SegmentProbe:
    video = ffmpeg_frames(path, "0:v")
    streams = ffmpeg_run(path).stderr.decode(errors="replace")
    end_pts = video[0] + round(duration * 90_000)
    cues = [(tag.pts, tag.description, tag.value) for tag in id3_tags(path)]
    return SegmentProbe(appeared_at, duration, streams, end_pts, cues)


def ffmpeg_frames(path: Path, stream: str) -> list[int]:
    """The PTS of each packet of `stream`, as written (`-copyts`), from ffmpeg's framecrc."""
    output = ffmpeg_run(path, "-map", stream, "-c", "copy", "-copyts", "-f", "framecrc", "-")
    return [
        int(line.split(",")[2])
        for line in output.stdout.decode().splitlines()
        if line and not line.startswith("#")
    ]


def ffmpeg_run(path: Path, *output: str) -> subprocess.CompletedProcess[bytes]:
    argv = [ffmpeg_exe(None), "-hide_banner", "-i", str(path), *output]
    if not output:  # only the description of the input
        argv += ["-f", "null", "-"]
    return subprocess.run(argv, capture_output=True, timeout=30, check=True)
