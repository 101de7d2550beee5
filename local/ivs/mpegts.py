"""MPEG transport stream surgery for timed metadata: declare an ID3 stream in a segment's PMT
and insert one PES packet per cue, the way ffmpeg's muxer writes a `timed_id3` data stream.

ISO/IEC 13818-1 as far as a segment of the stand-in's ffmpeg needs it: 188-byte packets, a PAT
naming one program, a PMT section that fits in one packet (ffmpeg repeats both through each
segment; every copy is rewritten alike). Pure functions on bytes: timed_metadata.py decides
which cue goes into which segment."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

PACKET_SIZE = 188
PTS_HZ = 90_000
PTS_MODULO = 1 << 33
STREAM_TYPE_ID3 = 0x15  # metadata carried in PES packets
STREAM_ID_PRIVATE_1 = 0xBD
# metadata_descriptor (tag 0x26, 13 bytes): application format 0xFFFF + "ID3 ", format 0xFF +
# "ID3 ", service id 0, flags 0x0F. Apple's "Timed Metadata for HTTP Live Streaming" layout,
# byte for byte what ffmpeg writes and what the IVS web player looks for.
METADATA_DESCRIPTOR = bytes([0x26, 13, 0xFF, 0xFF, *b"ID3 ", 0xFF, *b"ID3 ", 0x00, 0x0F])

_SYNC_BYTE = 0x47
_PAT_PID = 0x0000
_PAYLOAD_SIZE = PACKET_SIZE - 4
_VIDEO_STREAM_TYPES = frozenset({0x01, 0x02, 0x1B, 0x24})  # MPEG-1/2 video, H.264, HEVC
_FIRST_ES_PID, _NULL_PID = 0x0100, 0x1FFF


class MalformedSegment(ValueError):
    """The bytes are not a transport stream this module knows how to rewrite."""


@dataclass(frozen=True, slots=True)
class Cue:
    pts: int  # 90 kHz
    tag: bytes  # an ID3 tag (id3.py)


@dataclass(frozen=True, slots=True)
class SegmentLayout:
    pmt_pid: int
    timing_pid: int  # the stream whose PTS times the segment: its video, else its first stream
    first_pts: int  # of the timing stream: where the segment starts
    id3_pid: int  # the ID3 stream's PID: the one the PMT declares, else the first free one


def crc32_mpeg2(data: bytes) -> int:
    """CRC-32/MPEG-2 (polynomial 0x04C11DB7, not reflected, initial 0xFFFFFFFF, no final XOR):
    the CRC that ends every PSI section. A section followed by its CRC checks to 0."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ byte]
    return crc


def _crc_table() -> tuple[int, ...]:
    table = []
    for index in range(256):
        crc = index << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def read_layout(segment: bytes) -> SegmentLayout:
    """Finds the program (PAT → PMT) and the PTS the segment starts at."""
    pmt_pid: int | None = None
    program: _Program | None = None
    for packet in _packets(segment):
        pid = _pid(packet)
        if not _starts_unit(packet):
            continue
        if pid == _PAT_PID and pmt_pid is None:
            pmt_pid = _pmt_pid(_section(packet))
        elif pid == pmt_pid and program is None:
            program = _Program.parse(_section(packet))
        elif program is not None and pid == program.timing_pid:
            pts = pes_pts(_payload(packet))
            if pts is not None:
                assert pmt_pid is not None
                return SegmentLayout(pmt_pid, program.timing_pid, pts, program.id3_pid(pmt_pid))
    raise MalformedSegment("the segment has no PAT, PMT and timestamped PES packet")


def with_timed_id3(segment: bytes, cues: Sequence[Cue], continuity: int) -> tuple[bytes, int]:
    """The segment with an ID3 stream declared in every PMT and each cue's PES inserted before
    the first video frame at or after its PTS (at the end when none is). `continuity` is the
    ID3 stream's next continuity counter; returns the rewritten segment and the next one.
    Declaring the stream in a segment without cues keeps the program the same all along."""
    layout = read_layout(segment)
    pending = sorted(cues, key=lambda cue: signed_pts_delta(cue.pts, layout.first_pts))
    out = bytearray()
    seen_pmt = False
    for packet in _packets(segment):
        pid = _pid(packet)
        if pid == layout.pmt_pid and _starts_unit(packet):
            packet = _declare_id3(packet, layout.id3_pid)
            seen_pmt = True
        elif pending and seen_pmt and pid == layout.timing_pid and _starts_unit(packet):
            frame_pts = pes_pts(_payload(packet))
            while pending and frame_pts is not None:
                if signed_pts_delta(pending[0].pts, frame_pts) > 0:
                    break
                cue_packets, continuity = pes_packets(layout.id3_pid, pending.pop(0), continuity)
                out += cue_packets
        out += packet
    for cue in pending:
        cue_packets, continuity = pes_packets(layout.id3_pid, cue, continuity)
        out += cue_packets
    return bytes(out), continuity


def pes_packets(pid: int, cue: Cue, continuity: int) -> tuple[bytes, int]:
    """One PES packet (stream_id 0xBD, data aligned, PTS only) carrying the cue's tag, cut into
    transport packets; the last is padded with adaptation-field stuffing, as the PES length
    is exact. Returns the packets and the next continuity counter."""
    header = bytes([0x84, 0x80, 5]) + encode_pts(cue.pts)  # '10', data_alignment; PTS; 5 bytes
    body = header + cue.tag
    pes = b"\x00\x00\x01" + bytes([STREAM_ID_PRIVATE_1]) + len(body).to_bytes(2, "big") + body
    out = bytearray()
    for offset in range(0, len(pes), _PAYLOAD_SIZE):
        chunk = pes[offset : offset + _PAYLOAD_SIZE]
        start = 0x40 if offset == 0 else 0x00  # payload_unit_start_indicator
        out += bytes([_SYNC_BYTE, start | pid >> 8, pid & 0xFF])
        if len(chunk) == _PAYLOAD_SIZE:
            out += bytes([0x10 | continuity]) + chunk
        else:
            out += bytes([0x30 | continuity]) + _stuffing(_PAYLOAD_SIZE - len(chunk)) + chunk
        continuity = (continuity + 1) & 0x0F
    return bytes(out), continuity


def encode_pts(pts: int) -> bytes:
    """The five PTS bytes of a PES header ('0010' prefix: PTS only), modulo 2**33."""
    pts %= PTS_MODULO
    return bytes(
        [
            0x20 | (pts >> 29) & 0x0E | 1,
            (pts >> 22) & 0xFF,
            (pts >> 14) & 0xFE | 1,
            (pts >> 7) & 0xFF,
            (pts << 1) & 0xFE | 1,
        ]
    )


def pes_pts(payload: bytes) -> int | None:
    """The PTS of the PES packet starting `payload`, if it has one."""
    if len(payload) < 14 or payload[:3] != b"\x00\x00\x01" or not payload[7] & 0x80:
        return None
    b = payload[9:14]
    return (b[0] >> 1 & 0x07) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1


def signed_pts_delta(a: int, b: int) -> int:
    """a - b in 90 kHz ticks across the 33-bit wrap (every 26.5 hours)."""
    return (a - b + PTS_MODULO // 2) % PTS_MODULO - PTS_MODULO // 2


# --- reading packets and sections ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Program:
    streams: tuple[tuple[int, int], ...]  # (stream_type, elementary PID), in PMT order
    pcr_pid: int

    @classmethod
    def parse(cls, section: bytes) -> "_Program":
        if section[0] != 0x02:
            raise MalformedSegment(f"the PMT PID carries table {section[0]:#04x}")
        info_length = (section[10] & 0x0F) << 8 | section[11]
        streams, index, end = [], 12 + info_length, len(section) - 4
        while index + 5 <= end:
            stream_type = section[index]
            pid = (section[index + 1] & 0x1F) << 8 | section[index + 2]
            streams.append((stream_type, pid))
            index += 5 + ((section[index + 3] & 0x0F) << 8 | section[index + 4])
        if not streams:
            raise MalformedSegment("the PMT declares no stream")
        return cls(tuple(streams), (section[8] & 0x1F) << 8 | section[9])

    @property
    def timing_pid(self) -> int:
        video = (pid for stream_type, pid in self.streams if stream_type in _VIDEO_STREAM_TYPES)
        return next(video, self.streams[0][1])

    def id3_pid(self, pmt_pid: int) -> int:
        declared = (pid for stream_type, pid in self.streams if stream_type == STREAM_TYPE_ID3)
        used = {pmt_pid, self.pcr_pid, *(pid for _, pid in self.streams)}
        free = (pid for pid in range(_FIRST_ES_PID, _NULL_PID) if pid not in used)
        return next(declared, None) or next(free)


def _declare_id3(packet: bytes, id3_pid: int) -> bytes:
    """The PMT packet with the ID3 stream added to its ES loop (unchanged if it has one)."""
    section = _section(packet)
    offset = _payload_offset(packet)
    start = offset + 1 + packet[offset]  # after the pointer_field
    if any(stream_type == STREAM_TYPE_ID3 for stream_type, _ in _Program.parse(section).streams):
        return packet
    entry = bytes(
        [STREAM_TYPE_ID3, 0xE0 | id3_pid >> 8, id3_pid & 0xFF, 0xF0, len(METADATA_DESCRIPTOR)]
    )
    grown = bytearray(section[:-4] + entry + METADATA_DESCRIPTOR)
    length = len(grown) - 3 + 4  # section_length counts from after itself, CRC included
    grown[1], grown[2] = grown[1] & 0xF0 | length >> 8, length & 0xFF
    rewritten = packet[:start] + grown + crc32_mpeg2(bytes(grown)).to_bytes(4, "big")
    if len(rewritten) > PACKET_SIZE:
        raise MalformedSegment("the PMT packet has no room left for the ID3 stream")
    return rewritten + b"\xff" * (PACKET_SIZE - len(rewritten))


def _pmt_pid(section: bytes) -> int:
    if section[0] != 0x00:
        raise MalformedSegment(f"the PAT PID carries table {section[0]:#04x}")
    for index in range(8, len(section) - 4, 4):
        program_number = section[index] << 8 | section[index + 1]
        if program_number != 0:  # 0 names the network PID, not a program
            return (section[index + 2] & 0x1F) << 8 | section[index + 3]
    raise MalformedSegment("the PAT names no program")


def _section(packet: bytes) -> bytes:
    """The PSI section starting in this packet, checked against its CRC."""
    offset = _payload_offset(packet)
    if offset >= PACKET_SIZE:
        raise MalformedSegment("a PSI packet without payload")
    start = offset + 1 + packet[offset]  # pointer_field
    if start + 3 > PACKET_SIZE:
        raise MalformedSegment("a PSI section starts past its packet")
    end = start + 3 + ((packet[start + 1] & 0x0F) << 8 | packet[start + 2])
    if end > PACKET_SIZE:
        raise MalformedSegment("a PSI section spans packets")
    section = packet[start:end]
    if crc32_mpeg2(section) != 0:
        raise MalformedSegment(f"a PSI section (table {section[0]:#04x}) fails its CRC")
    return section


def _packets(segment: bytes) -> Iterator[bytes]:
    if len(segment) % PACKET_SIZE:
        raise MalformedSegment(f"{len(segment)} bytes is not a whole number of TS packets")
    for offset in range(0, len(segment), PACKET_SIZE):
        if segment[offset] != _SYNC_BYTE:
            raise MalformedSegment(f"no sync byte at offset {offset}")
        yield segment[offset : offset + PACKET_SIZE]


def _pid(packet: bytes) -> int:
    return (packet[1] & 0x1F) << 8 | packet[2]


def _starts_unit(packet: bytes) -> bool:
    return bool(packet[1] & 0x40)


def _payload_offset(packet: bytes) -> int:
    """Where the payload starts: after the header and any adaptation field (188: none)."""
    control = packet[3] >> 4 & 0x03
    if not control & 0x01:
        return PACKET_SIZE
    return 4 + (1 + packet[4] if control & 0x02 else 0)


def _payload(packet: bytes) -> bytes:
    return packet[_payload_offset(packet) :]


def _stuffing(size: int) -> bytes:
    """An adaptation field of exactly `size` bytes that only pads (size ≥ 1)."""
    if size == 1:
        return b"\x00"  # adaptation_field_length 0
    return bytes([size - 1, 0x00]) + b"\xff" * (size - 2)
