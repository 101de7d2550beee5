"""A reader of transport streams for the tests, written from ISO/IEC 13818-1 apart from
local/ivs/mpegts.py so that the two do not share a mistake."""

from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass
class Pes:
    pid: int
    index: int  # of the packet that starts it
    stream_id: int
    pts: int | None
    payload: bytes


@dataclass
class Stream:
    packets: list[bytes]
    pmts: list[bytes] = field(default_factory=list)  # each PMT section, CRC included
    pes: list[Pes] = field(default_factory=list)
    continuity: dict[int, list[int]] = field(default_factory=dict)


def read(data: bytes) -> Stream:
    assert len(data) % 188 == 0
    packets = [data[i : i + 188] for i in range(0, len(data), 188)]
    stream = Stream(packets)
    pmt_pid = None
    open_pes: dict[int, tuple[int, bytearray]] = {}
    for index, packet in enumerate(packets):
        assert packet[0] == 0x47
        pid = int.from_bytes(packet[1:3]) & 0x1FFF
        start = bool(packet[1] & 0x40)
        control = packet[3] >> 4 & 3
        payload = packet[4 + (1 + packet[4] if control & 2 else 0) :] if control & 1 else b""
        if control & 1:
            stream.continuity.setdefault(pid, []).append(packet[3] & 0x0F)
        if pid == 0 and start:
            section = payload[1 + payload[0] :]
            pmt_pid = int.from_bytes(section[10:12]) & 0x1FFF
        elif pid == pmt_pid and start:
            section = payload[1 + payload[0] :]
            length = int.from_bytes(section[1:3]) & 0x0FFF
            stream.pmts.append(bytes(section[: 3 + length]))
        elif pid not in (0, 0x11, pmt_pid):
            if start:
                pes = _pes_header(pid, index, payload)
                stream.pes.append(pes)
                open_pes[pid] = (pes, bytearray(payload))
            elif pid in open_pes:
                open_pes[pid][1].extend(payload)
            if pid in open_pes:
                pes, body = open_pes[pid]
                length = int.from_bytes(body[4:6])  # 0: unbounded (video)
                if length and len(body) >= 6 + length:
                    assert len(body) == 6 + length, "bytes after the PES packet"
                    pes.payload = bytes(body[9 + body[8] :])
                    del open_pes[pid]
    return stream


def _pes_header(pid: int, index: int, body: bytes) -> Pes:
    assert body[:3] == b"\x00\x00\x01"
    b = body[9:14]
    pts = (b[0] >> 1 & 7) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1
    return Pes(pid, index, body[3], pts if body[7] & 0x80 else None, b"")


def es_loop(pmt: bytes) -> list[tuple[int, int, bytes]]:
    """(stream_type, PID, descriptors) of each stream a PMT section declares."""
    info = int.from_bytes(pmt[10:12]) & 0x0FFF
    entries, i = [], 12 + info
    while i < len(pmt) - 4:
        es_length = int.from_bytes(pmt[i + 3 : i + 5]) & 0x0FFF
        entries.append(
            (pmt[i], int.from_bytes(pmt[i + 1 : i + 3]) & 0x1FFF, pmt[i + 5 : i + 5 + es_length])
        )
        i += 5 + es_length
    return entries


def video_pts(stream: Stream) -> list[tuple[int, int]]:
    """(packet index, PTS) of each video PES (PID 0x100, as ffmpeg numbers it)."""
    return [(pes.index, pes.pts) for pes in stream.pes if pes.pid == 0x100 and pes.pts is not None]
