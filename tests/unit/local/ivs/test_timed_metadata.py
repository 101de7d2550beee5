"""The publisher of one ffmpeg run's HLS, on real ffmpeg segments (data/) and a fake clock:
each cue lands in the segment, and at the PTS, that was live when it was put, in the live
HLS and the recording alike; the served playlist never names a segment not yet published."""

import json
import shutil
from pathlib import Path

import pytest

from local.ivs.id3 import txxx_tag
from local.ivs.mpegts import PTS_HZ, read_layout
from local.ivs.timed_metadata import HlsPublisher, StreamClock
from tests.unit.local.ivs import transport_stream
from tests.unit.local.ivs.transport_stream import DATA, es_loop

ID3_PID = 0x102
FIRST_PTS = read_layout((DATA / "0.ts").read_bytes()).first_pts
SEGMENT_TICKS = PTS_HZ // 2  # the data segments last 0.5 s
END_OF_FIRST = FIRST_PTS + SEGMENT_TICKS
SEGMENT_TAG = b"\x03segmentmetadata\x00"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Run:
    """ffmpeg's directories (its live staging, the recording) and the served one."""

    def __init__(self, root: Path) -> None:
        self.staging, self.served, self.recording = (root / n for n in ("staging", "srv", "rec"))
        for directory in (self.staging, self.served, self.recording):
            directory.mkdir()
        self.clock = Clock()
        self.publisher = HlsPublisher(self.staging, self.served, self.recording, self.clock)

    def ffmpeg_closes(self, *names: str, playlist_only: tuple[str, ...] = ()) -> None:
        """ffmpeg's files after it closed `names`: the segments, then the playlists."""
        for directory in (self.staging, self.recording):
            for name in names:
                shutil.copyfile(DATA / name, directory / name)
            listed = sorted({*(p.name for p in directory.glob("*.ts")), *playlist_only})
            entries = "".join(f"#EXTINF:0.500000,\n{name}\n" for name in listed)
            (directory / "playlist.m3u8").write_text(f"#EXTM3U\n{entries}")

    def tags_in(self, path: Path) -> list[tuple[int, bytes]]:
        """(PTS, ID3 tag) of every PES packet of the ID3 stream, which every PMT declares."""
        stream = transport_stream.read(path.read_bytes())
        assert all(
            (0x15, ID3_PID) in [(t, pid) for t, pid, _ in es_loop(pmt)] for pmt in stream.pmts
        )
        return [(pes.pts, pes.payload) for pes in stream.pes if pes.pid == ID3_PID]

    def cues_in(self, path: Path) -> list[tuple[int, bytes]]:
        """The PutMetadata cues: every tag but IVS's own segment tag."""
        return [(pts, tag) for pts, tag in self.tags_in(path) if SEGMENT_TAG not in tag]


def test_the_clock_pairs_each_close_with_its_end_and_trusts_the_least_late():
    clock = StreamClock(window=3)
    assert clock.pts_at(5.0) is None
    clock.observe(closed_at=10.3, end_pts=2 * PTS_HZ)  # seen 0.3 s late by a poll
    clock.observe(closed_at=12.1, end_pts=4 * PTS_HZ)
    assert clock.pts_at(12.5) == round(4.4 * PTS_HZ)
    for second in (6, 8, 10):  # the early sample leaves the window
        clock.observe(closed_at=second + 8.2, end_pts=second * PTS_HZ)
    assert clock.pts_at(18.2) == 10 * PTS_HZ


def test_nothing_is_put_before_the_first_segment_closed(tmp_path):
    run = Run(tmp_path)
    run.publisher.update()
    assert not run.publisher.put('{"early":true}')
    assert list(run.served.iterdir()) == []


def test_a_cue_goes_where_the_stream_was_live_when_it_was_put_live_and_recorded(tmp_path):
    run = Run(tmp_path)
    run.ffmpeg_closes("0.ts")
    run.publisher.update()  # 0.ts closed at 1000.0: its end was live then
    assert run.cues_in(run.served / "0.ts") == []  # declared, empty
    assert (run.served / "playlist.m3u8").read_text() == (run.staging / "playlist.m3u8").read_text()

    run.clock.now = 1000.2
    assert run.publisher.put('{"product_id":"p-1"}')
    run.clock.now = 1000.5
    run.ffmpeg_closes("1.ts")
    run.publisher.update()

    expected = [(END_OF_FIRST + round(0.2 * PTS_HZ), txxx_tag('{"product_id":"p-1"}'))]
    assert run.cues_in(run.served / "1.ts") == expected
    assert run.cues_in(run.recording / "1.ts") == expected  # rewritten in place
    assert run.cues_in(run.recording / "0.ts") == []
    assert sorted(p.name for p in run.served.iterdir()) == ["0.ts", "1.ts", "playlist.m3u8"]


def test_every_segment_starts_with_ivs_segment_tag_giving_its_time_in_the_broadcast(tmp_path):
    # Without an ID3 packet in the live window the player never starts (it waits for data
    # on every declared stream), so each segment carries one even when nobody put a cue.
    run = Run(tmp_path)
    run.ffmpeg_closes("0.ts")
    run.publisher.update()
    run.ffmpeg_closes("1.ts")
    run.publisher.update()
    for directory in (run.served, run.recording):
        for name, offset in (("0.ts", 0.0), ("1.ts", 0.5)):
            expected = txxx_tag(json.dumps({"stream_offset": offset}), "segmentmetadata")
            start = FIRST_PTS + round(offset * PTS_HZ)
            assert run.tags_in(directory / name)[0] == (start, expected), (directory, name)


def test_a_cue_not_yet_due_waits_for_its_segment(tmp_path):
    run = Run(tmp_path)
    run.ffmpeg_closes("0.ts")
    run.publisher.update()
    run.clock.now = 1000.7  # 0.7 s after the close: past the end of 1.ts
    run.publisher.put("later")
    run.ffmpeg_closes("1.ts")
    run.publisher.update()
    assert run.cues_in(run.served / "1.ts") == []
    assert run.publisher._live.pending  # still waiting, for the segment after 1.ts


def test_a_cue_due_in_a_published_segment_is_moved_to_the_start_of_the_next(tmp_path):
    run = Run(tmp_path)
    run.ffmpeg_closes("0.ts")
    run.publisher.update()
    run.clock.now = 999.9  # put 0.1 s before the first close was seen: its time is in 0.ts
    run.publisher.put("x")
    run.ffmpeg_closes("1.ts")
    run.publisher.update()
    assert run.cues_in(run.served / "1.ts") == [(END_OF_FIRST, txxx_tag("x"))]


def test_the_playlist_waits_for_a_listed_segment_that_is_not_on_disk_yet(tmp_path):
    run = Run(tmp_path)
    run.ffmpeg_closes("0.ts")
    run.publisher.update()
    published = (run.served / "playlist.m3u8").read_text()
    run.ffmpeg_closes(playlist_only=("1.ts",))  # listed, still being renamed
    run.publisher.update()
    assert (run.served / "playlist.m3u8").read_text() == published
    run.ffmpeg_closes("1.ts")
    run.publisher.update()
    assert "1.ts" in (run.served / "playlist.m3u8").read_text()


def test_served_segments_go_one_playlist_after_leaving_it(tmp_path):
    run = Run(tmp_path)
    run.ffmpeg_closes("0.ts", "1.ts")
    run.publisher.update()
    (run.staging / "0.ts").unlink()  # ffmpeg's delete_segments: 0.ts leaves the window
    run.ffmpeg_closes()
    run.publisher.update()
    assert (run.served / "0.ts").exists()  # a player may have just read the last playlist
    run.publisher.update()
    assert not (run.served / "0.ts").exists()
    assert (run.served / "1.ts").exists()


def test_a_segment_it_cannot_read_goes_out_as_ffmpeg_wrote_it_and_keeps_the_cue(tmp_path, caplog):
    run = Run(tmp_path)
    run.ffmpeg_closes("0.ts")
    run.publisher.update()
    run.publisher.put("kept")
    for directory in (run.staging, run.recording):
        (directory / "1.ts").write_bytes(b"\x47" + b"\x00" * 186)  # not whole packets
    run.ffmpeg_closes(playlist_only=("1.ts",))
    run.publisher.update()
    assert (run.served / "1.ts").read_bytes() == b"\x47" + b"\x00" * 186
    assert "goes out without its cues" in caplog.text
    assert [cue.tag for cue in run.publisher._live.pending] == [txxx_tag("kept")]


@pytest.mark.parametrize("name", ["0.ts", "1.ts"])
def test_data_segments_are_what_the_tests_assume(name):
    layout = read_layout((DATA / name).read_bytes())
    assert layout.first_pts == FIRST_PTS + (SEGMENT_TICKS if name == "1.ts" else 0)
