"""The ID3 tag IVS puts in the video for one PutMetadata call: ID3v2.4 with one `TXXX` frame,
UTF-8, an empty description and the metadata string as its value. The IVS web player raises
that as `TEXT_METADATA_CUE` with the value as its `text` and an empty `description`. (The
player reads a `segmentmetadata` description as IVS's own data; a `TEXT` frame raises no cue.)"""

_HEADER = b"ID3\x04\x00\x00"  # ID3v2.4.0, no flags (no unsynchronisation, no extended header)
_UTF8 = b"\x03"
_MAX_SYNCSAFE = (1 << 28) - 1


def txxx_tag(value: str, description: str = "") -> bytes:
    """An ID3v2.4 tag holding one TXXX frame; the value is not NUL-terminated (optional in v2.4,
    and the player would hand the NUL on in `text`)."""
    body = _UTF8 + description.encode() + b"\x00" + value.encode()
    frame = b"TXXX" + syncsafe(len(body)) + b"\x00\x00" + body
    return _HEADER + syncsafe(len(frame)) + frame


def syncsafe(size: int) -> bytes:
    """ID3v2.4's 28-bit size: four bytes of 7 bits each, so no byte is ever 0xFF."""
    if not 0 <= size <= _MAX_SYNCSAFE:
        raise ValueError(f"an ID3 size is 0 to {_MAX_SYNCSAFE}, not {size}")
    return bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
