"""HLS playlist text: what ffmpeg writes, and the VOD and master playlists the stand-in adds."""

from local.ivs.config import Rendition
from local.ivs.playlists import (
    as_vod,
    duration_ms,
    master_playlist,
    media_segments,
    media_sequence,
    segment_durations,
)

# As ffmpeg writes the recording while the broadcast runs (hls_playlist_type=event).
RECORDING_IN_PROGRESS = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-INDEPENDENT-SEGMENTS
#EXTINF:2.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T16:26:42.929+0000
0.ts
#EXTINF:2.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T16:26:44.929+0000
1.ts
#EXTINF:1.733333,
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T16:26:46.929+0000
2.ts
"""

LIVE_WINDOW = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:1795364802
#EXTINF:2.000000,
1795364802.ts
#EXTINF:2.000000,
1795364803.ts
"""


def test_segments_sequence_and_duration():
    assert media_segments(RECORDING_IN_PROGRESS) == ["0.ts", "1.ts", "2.ts"]
    assert media_sequence(LIVE_WINDOW) == 1795364802
    assert media_sequence("#EXTM3U\n") == 0
    assert duration_ms(RECORDING_IN_PROGRESS) == 5733
    assert duration_ms("#EXTM3U\n") == 0


def test_a_recording_ffmpeg_could_not_close_becomes_a_finished_vod():
    vod = as_vod(RECORDING_IN_PROGRESS)
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in vod
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" not in vod
    assert vod.endswith("2.ts\n#EXT-X-ENDLIST\n")
    assert media_segments(vod) == media_segments(RECORDING_IN_PROGRESS)
    assert as_vod(vod) == vod  # closing twice changes nothing


def test_a_playlist_without_a_type_gets_one():
    vod = as_vod(LIVE_WINDOW + "#EXT-X-ENDLIST\n")
    assert vod.splitlines()[:2] == ["#EXTM3U", "#EXT-X-PLAYLIST-TYPE:VOD"]
    assert vod.count("#EXT-X-ENDLIST") == 1


def test_the_master_playlist_names_the_rendition_and_its_codecs():
    assert master_playlist(Rendition()) == (
        "#EXTM3U\n"
        "#EXT-X-VERSION:3\n"
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=985600,RESOLUTION=640x360,FRAME-RATE=30.000,"
        'CODECS="avc1.42c01e,mp4a.40.2"\n'
        "360p30/playlist.m3u8\n"
    )


def test_the_h264_level_follows_the_picture_size():
    assert Rendition().codecs == "avc1.42c01e,mp4a.40.2"  # level 3.0
    assert Rendition(width=1280, height=720, fps=30).codecs.startswith("avc1.42c01f")  # 3.1
    assert Rendition(width=1920, height=1080, fps=30).level_idc == 40
    assert Rendition(width=1280, height=720, fps=30).name == "720p30"


def test_segment_durations_pair_each_segment_with_its_extinf():
    assert segment_durations(RECORDING_IN_PROGRESS) == [
        ("0.ts", 2.0),
        ("1.ts", 2.0),
        ("2.ts", 1.733333),
    ]
    assert segment_durations("#EXTM3U\n") == []
