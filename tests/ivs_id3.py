"""The ID3 tags in a transport stream, as ffmpeg's own demuxer reads its `timed_id3` stream:
what the local IVS stand-in put into its HLS, checked by a reader that is not the writer."""

import subprocess
from dataclasses import dataclass
from pathlib import Path

from local.ivs.ffmpeg import ffmpeg_exe

SEGMENT_METADATA = "segmentmetadata"  # IVS's own per-segment tag; PutMetadata's have ""


@dataclass(frozen=True, slots=True)
class Id3Tag:
    pts: int  # 90 kHz, as written
    description: str  # of its TXXX frame
    value: str

    @property
    def is_put_metadata(self) -> bool:
        return self.description == ""


def id3_tags(path: Path) -> list[Id3Tag]:
    """Each ID3 tag of the file's data stream (none when it has no ID3 stream); each must hold
    one TXXX frame, UTF-8."""
    pts = [
        int(line.split(",")[2])
        for line in _ffmpeg(path, "-copyts", "-f", "framecrc", "-").splitlines()
        if line and not line.startswith("#")
    ]
    data, tags = _ffmpeg_bytes(path, "-f", "data", "-"), []
    while data:  # ID3v2.4: a 10-byte header with a syncsafe size, then that many bytes
        size = 10 + (data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9])
        tag, data = data[:size], data[size:]
        assert tag[10:14] == b"TXXX", tag
        assert tag[20] == 0x03, tag  # UTF-8, after the 10-byte frame header
        description, _, value = tag[21:].partition(b"\x00")
        tags.append((description.decode(), value.decode()))
    return [Id3Tag(at, *tag) for at, tag in zip(pts, tags, strict=True)]


def declares_timed_id3(path: Path) -> bool:
    result = subprocess.run(
        [ffmpeg_exe(None), "-hide_banner", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        timeout=30,
        check=True,
    )
    return b"Data: timed_id3" in result.stderr


def _ffmpeg(path: Path, *output: str) -> str:
    return _ffmpeg_bytes(path, *output).decode()


def _ffmpeg_bytes(path: Path, *output: str) -> bytes:
    argv = [ffmpeg_exe(None), "-hide_banner", "-i", str(path), "-map", "0:d?", "-c", "copy"]
    return subprocess.run([*argv, *output], capture_output=True, timeout=30, check=True).stdout
