"""The ID3 tag of one cue: what the IVS web player raises as a TextMetadataCue."""

import pytest

from local.ivs.id3 import syncsafe, txxx_tag


def test_a_cue_is_one_txxx_frame_utf8_with_an_empty_description():
    assert txxx_tag('{"a":1}') == (
        b"ID3\x04\x00\x00\x00\x00\x00\x13"  # v2.4.0, no flags, 19 bytes follow
        b"TXXX\x00\x00\x00\x09\x00\x00"  # a 9-byte frame, no flags
        b'\x03\x00{"a":1}'  # UTF-8, "" (NUL-terminated), the value as is
    )


def test_sizes_are_syncsafe_so_a_1_kb_cue_never_shows_a_false_sync():
    value = "é" * 512  # 1024 bytes: PutMetadata's largest
    tag = txxx_tag(value)
    assert tag[6:10] == syncsafe(10 + 2 + 1024) == bytes([0, 0, 0x08, 0x0C])
    assert tag[14:18] == syncsafe(2 + 1024)
    assert tag.endswith(value.encode())
    assert len(tag) == 10 + 10 + 2 + 1024


def test_syncsafe_holds_28_bits_only():
    assert syncsafe(0x0FFFFFFF) == b"\x7f\x7f\x7f\x7f"
    with pytest.raises(ValueError, match="0 to 268435455"):
        syncsafe(1 << 28)
