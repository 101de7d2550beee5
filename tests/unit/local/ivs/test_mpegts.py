"""Transport stream surgery on real ffmpeg segments (data/: two 0.5 s HLS segments of H.264 +
AAC as ffmpeg's hls muxer writes them), read back by an independent reader."""

import pytest

from local.ivs.id3 import txxx_tag
from local.ivs.mpegts import (
    METADATA_DESCRIPTOR,
    PTS_MODULO,
    Cue,
    MalformedSegment,
    crc32_mpeg2,
    encode_pts,
    pes_packets,
    pes_pts,
    read_layout,
    signed_pts_delta,
    with_timed_id3,
)
from tests.unit.local.ivs import transport_stream
from tests.unit.local.ivs.transport_stream import DATA, es_loop, video_pts

SEGMENT = (DATA / "0.ts").read_bytes()
ID3_PID = 0x102  # after ffmpeg's video (0x100) and audio (0x101)


def test_crc32_mpeg2_matches_the_standard_check_value():
    assert crc32_mpeg2(b"123456789") == 0x0376E6E7
    pmt = transport_stream.read(SEGMENT).pmts[0]
    assert crc32_mpeg2(pmt) == 0  # a section followed by its CRC checks to zero


@pytest.mark.parametrize("pts", [0, 1, 127_920, (1 << 32) + 12_345, PTS_MODULO - 1])
def test_pts_round_trips_through_the_pes_header(pts):
    header = b"\x00\x00\x01\xbd\x00\x08\x84\x80\x05" + encode_pts(pts)
    assert pes_pts(header) == pts
    assert encode_pts(pts + PTS_MODULO) == encode_pts(pts)


def test_pts_deltas_cross_the_33_bit_wrap():
    assert signed_pts_delta(5, PTS_MODULO - 5) == 10
    assert signed_pts_delta(PTS_MODULO - 5, 5) == -10


def test_the_layout_names_the_program_the_video_and_a_free_pid():
    layout = read_layout(SEGMENT)
    assert (layout.pmt_pid, layout.timing_pid, layout.id3_pid) == (0x1000, 0x100, ID3_PID)
    assert layout.first_pts == video_pts(transport_stream.read(SEGMENT))[0][1] == 127_920


def test_every_pmt_declares_the_id3_stream_as_ffmpeg_does_and_nothing_else_changes():
    rewritten, continuity = with_timed_id3(SEGMENT, [], continuity=3)
    assert continuity == 3
    assert len(rewritten) == len(SEGMENT)
    before, after = transport_stream.read(SEGMENT), transport_stream.read(rewritten)
    assert after.pmts
    assert len(after.pmts) == len(before.pmts)
    for old, new in zip(before.pmts, after.pmts, strict=True):
        assert crc32_mpeg2(new) == 0
        assert new[3:8] == old[3:8]  # same program number and version
        assert es_loop(new) == [*es_loop(old), (0x15, ID3_PID, METADATA_DESCRIPTOR)]
    assert bytes.fromhex("260d ffff 49443320 ff 49443320 00 0f") == METADATA_DESCRIPTOR
    changed = [
        i for i, (a, b) in enumerate(zip(before.packets, after.packets, strict=True)) if a != b
    ]
    assert changed == [i for i, p in enumerate(before.packets) if p[1:3] == b"\x50\x00"]  # PMTs


def test_a_rewritten_segment_is_not_declared_twice():
    once, _ = with_timed_id3(SEGMENT, [], 0)
    twice, _ = with_timed_id3(once, [], 0)
    assert twice == once


def test_each_cue_is_a_pes_before_the_first_frame_at_or_after_its_time():
    frames = video_pts(transport_stream.read(SEGMENT))
    (_, third), (_, fourth) = frames[2], frames[3]
    cues = [
        Cue(fourth + 90_000, txxx_tag('{"late":true}')),  # after every frame: at the end
        Cue(third + 1, txxx_tag('{"n":1}')),
        Cue(third, txxx_tag('{"n":0}')),
    ]
    rewritten, continuity = with_timed_id3(SEGMENT, cues, continuity=14)
    stream = transport_stream.read(rewritten)
    id3 = [pes for pes in stream.pes if pes.pid == ID3_PID]
    assert [(pes.stream_id, pes.pts, pes.payload) for pes in id3] == [
        (0xBD, third, txxx_tag('{"n":0}')),
        (0xBD, third + 1, txxx_tag('{"n":1}')),
        (0xBD, fourth + 90_000, txxx_tag('{"late":true}')),
    ]
    frame_at = {pts: index for index, pts in video_pts(stream)}
    assert id3[0].index == frame_at[third] - 1  # its own frame's time: right before it
    assert id3[1].index == frame_at[fourth] - 1  # between frames: before the next one
    assert id3[2].index == len(stream.packets) - 1
    assert stream.continuity[ID3_PID] == [14, 15, 0]
    assert continuity == 1


def test_a_1_kb_cue_spans_packets_with_exact_stuffing_and_counted_continuity():
    tag = txxx_tag("é" * 512)
    packets, continuity = pes_packets(ID3_PID, Cue(90_000, tag), continuity=15)
    assert len(packets) % 188 == 0
    count = len(packets) // 188
    assert count == -(-(14 + len(tag)) // 184)  # PES header 14 bytes, 184 per packet
    assert continuity == (15 + count) % 16
    stream = transport_stream.read(packets)
    (pes,) = stream.pes
    assert (pes.pts, pes.payload) == (90_000, tag)  # nothing after the tag: stuffing only
    assert stream.continuity[ID3_PID] == [(15 + i) % 16 for i in range(count)]
    last = packets[-188:]
    assert last[3] >> 4 == 0x3  # adaptation field + payload
    assert last[6 : 6 + last[4] - 1] == b"\xff" * (last[4] - 1)


def test_stuffing_of_a_single_byte_is_an_empty_adaptation_field():
    # 183 payload bytes in the last packet leave room for the adaptation_field_length only.
    tag = b"x" * (184 + 183 - 14)
    packets, _ = pes_packets(ID3_PID, Cue(0, tag), continuity=0)
    assert len(packets) == 2 * 188
    assert packets[188 + 3] >> 4 == 0x3
    assert packets[188 + 4] == 0
    assert transport_stream.read(packets).pes[0].payload == tag


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:-1], "whole number of TS packets"),
        (lambda data: data[:188] + b"\x00" + data[189:], "no sync byte at offset 188"),
        (lambda data: data[188 * 2 :], "no PAT, PMT"),
    ],
)
def test_what_is_not_a_segment_is_refused(damage, message):
    with pytest.raises(MalformedSegment, match=message):
        with_timed_id3(damage(SEGMENT), [], 0)


def test_a_pmt_failing_its_crc_is_refused():
    pmt_at = next(i for i in range(0, len(SEGMENT), 188) if SEGMENT[i + 1 : i + 3] == b"\x50\x00")
    damaged = bytearray(SEGMENT)
    damaged[pmt_at + 20] ^= 0x01
    with pytest.raises(MalformedSegment, match="fails its CRC"):
        read_layout(bytes(damaged))
