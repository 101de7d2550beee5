"""Timed metadata inside the local stream, where IVS puts PutMetadata's cues: in the video.

Each accepted cue becomes an ID3 tag (id3.py) in a PES packet of an ID3 stream that every
segment's PMT declares (mpegts.py), at the stream time that was live when PutMetadata was
called. The IVS web player raises `TEXT_METADATA_CUE` when its playhead reaches that time. The
live HLS and the recording's HLS carry the same cues, so replays raise them too, as IVS's do.

How: ffmpeg writes the live HLS into a staging directory that nobody serves. Each time a
segment closes, `HlsPublisher.update` rewrites it (the ID3 stream declared in its PMTs, the
cues due in it inserted) into the served directory, then publishes ffmpeg's playlist there.
The recording's segments are rewritten in place before the recorder uploads them.

Why not feed ffmpeg a live `timed_id3` input (a pipe carrying PAT, PMT and ID3 PES packets):
ffmpeg rebases every input to start at 0, so the cue input's offset would only be known once
the broadcast runs; its muxer interleaves packets by timestamp, so a cue input that stays
silent for minutes would hold audio and video back; and its probing waits for the input to
say something before the broadcast can start. Rewriting closed files keeps ffmpeg's command as
it was, cannot stall the encode, and costs one copy of each segment (a few ms, and at most
one poll, 0.1 s, of added latency).

Every segment also starts with IVS's own tag: a TXXX described `segmentmetadata` whose JSON
gives `stream_offset`, the segment's start in seconds since the broadcast began. The player
reads it for its stream time and raises no cue for it. It is needed, not decoration: the player
waits for data on every stream the PMT declares, so a live window whose segments hold no ID3
packet at all (a minute without PutMetadata) never starts playing.

Timing (StreamClock): a segment closes when the encoder has produced the keyframe that starts
the next one, so the instant the publisher sees it close pairs the wall clock with its end
PTS. Polling only ever makes that instant late, so the smallest offset over the last few
segments is the truest; a cue called at `t` gets the PTS `t - offset`."""

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from local.ivs.id3 import txxx_tag
from local.ivs.mpegts import (
    PTS_HZ,
    PTS_MODULO,
    Cue,
    MalformedSegment,
    read_layout,
    with_timed_id3,
)
from local.ivs.playlists import RENDITION_PLAYLIST, segment_durations

log = logging.getLogger("vitrine.local.ivs")

SEGMENT_METADATA = "segmentmetadata"  # the TXXX description the IVS player keeps for IVS


class StreamClock:
    """Which stream time (90 kHz PTS, unwrapped) is live at a `time.monotonic()` instant."""

    def __init__(self, window: int = 5) -> None:
        # Wall clock minus stream time, in seconds, as each recent segment closed.
        self._offsets: deque[float] = deque(maxlen=window)

    def observe(self, closed_at: float, end_pts: int) -> None:
        self._offsets.append(closed_at - end_pts / PTS_HZ)

    def pts_at(self, at: float) -> int | None:
        """None until a segment has closed."""
        if not self._offsets:
            return None
        return round((at - min(self._offsets)) * PTS_HZ)


class HlsPublisher:
    """The HLS of one ffmpeg run, published with its timed metadata. Thread-safe: the
    supervisor thread calls `update()` every poll and once ffmpeg has exited; `put()` comes
    from the IVS API."""

    def __init__(
        self,
        encoder_live_dir: Path,
        live_dir: Path,
        recording_dir: Path,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._now = clock
        self._stream_clock = StreamClock()
        self._live = _Output(encoder_live_dir, served_dir=live_dir)
        self._recording = _Output(recording_dir, served_dir=None)

    def put(self, metadata: str) -> bool:
        """Schedules the cue at the stream time live now; False before the first segment."""
        tag = txxx_tag(metadata)
        with self._lock:
            pts = self._stream_clock.pts_at(self._now())
            if pts is None:
                return False
            for output in (self._live, self._recording):
                output.pending.append(_Scheduled(pts, tag))
        return True

    def update(self) -> None:
        """Rewrites and publishes the segments ffmpeg has closed since the last call."""
        with self._lock:
            now = self._now()
            self._live.update(now, self._stream_clock)
            self._recording.update(now, None)


@dataclass(frozen=True, slots=True)
class _Scheduled:
    pts: int  # unwrapped
    tag: bytes


class _Output:
    """One HLS output of ffmpeg: its segments rewritten into `served_dir` with the playlist
    published after them, or rewritten in place (`served_dir` None)."""

    def __init__(self, source_dir: Path, served_dir: Path | None) -> None:
        self.source_dir = source_dir
        self.served_dir = served_dir
        self.pending: list[_Scheduled] = []  # cues not yet in a segment, in call order
        self._done: set[str] = set()
        self._listed_before: list[str] = []
        self._continuity = 0
        self._last_pts: int | None = None  # to unwrap the 33-bit PTS
        self._first_pts: int | None = None  # where the broadcast began, for stream_offset

    def update(self, now: float, stream_clock: StreamClock | None) -> None:
        try:
            playlist = (self.source_dir / RENDITION_PLAYLIST).read_text()
        except FileNotFoundError:
            return
        listed = segment_durations(playlist)
        for name, duration in listed:
            if name not in self._done and not self._rewrite(name, duration, now, stream_clock):
                return  # not on disk yet: publish nothing that refers to it
        if self.served_dir is not None:
            names = [name for name, _ in listed]
            _write_atomically(self.served_dir / RENDITION_PLAYLIST, playlist.encode())
            self._remove_unlisted(names)
            self._listed_before = names

    def _rewrite(self, name: str, duration: float, now: float, clock: StreamClock | None) -> bool:
        try:
            segment = (self.source_dir / name).read_bytes()
        except FileNotFoundError:
            return False
        try:
            segment = self._with_cues(segment, duration, now, clock)
        except MalformedSegment as error:  # never stall the stream: publish it as it is
            log.error("local IVS: segment %s goes out without its cues: %s", name, error)
        _write_atomically((self.served_dir or self.source_dir) / name, segment)
        self._done.add(name)
        return True

    def _with_cues(
        self, segment: bytes, duration: float, now: float, clock: StreamClock | None
    ) -> bytes:
        start = self._unwrap(read_layout(segment).first_pts)
        end = start + round(duration * PTS_HZ)
        if clock is not None:
            clock.observe(now, end)
        if self._first_pts is None:
            self._first_pts = start
        due = [cue for cue in self.pending if cue.pts < end]
        # A cue whose time already went out in the previous segment starts this one.
        cues = [
            Cue(start % PTS_MODULO, segment_metadata_tag((start - self._first_pts) / PTS_HZ)),
            *(Cue(max(cue.pts, start) % PTS_MODULO, cue.tag) for cue in due),
        ]
        rewritten, self._continuity = with_timed_id3(segment, cues, self._continuity)
        self.pending = [cue for cue in self.pending if cue.pts >= end]
        return rewritten

    def _unwrap(self, pts: int) -> int:
        if self._last_pts is not None:  # the wrap that lands nearest the previous segment
            pts += round((self._last_pts - pts) / PTS_MODULO) * PTS_MODULO
        self._last_pts = pts
        return pts

    def _remove_unlisted(self, names: list[str]) -> None:
        """Like ffmpeg's delete_segments: a segment goes one playlist after it left the list,
        so a player that just read the previous playlist can still fetch it."""
        assert self.served_dir is not None
        keep = {*names, *self._listed_before}
        for path in self.served_dir.glob("*.ts"):
            if path.name not in keep:
                path.unlink(missing_ok=True)


def segment_metadata_tag(stream_offset: float) -> bytes:
    """IVS's per-segment tag: where the segment starts in the broadcast, in seconds."""
    return txxx_tag(json.dumps({"stream_offset": round(stream_offset, 3)}), SEGMENT_METADATA)


def _write_atomically(path: Path, data: bytes) -> None:
    """The gateway and the uploader may read `path` at any moment: never half a file."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
