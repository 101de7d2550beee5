"""HLS playlist text: read what ffmpeg wrote, write what ffmpeg does not."""

from local.ivs.config import Rendition

MASTER_PLAYLIST = "master.m3u8"
RENDITION_PLAYLIST = "playlist.m3u8"


def media_segments(playlist: str) -> list[str]:
    """The segment URIs of a media playlist, in order."""
    return [line for line in _lines(playlist) if not line.startswith("#")]


def segment_durations(playlist: str) -> list[tuple[str, float]]:
    """Each segment URI of a media playlist with its duration in seconds (#EXTINF), in order."""
    segments, duration = [], 0.0
    for line in _lines(playlist):
        if line.startswith("#EXTINF:"):
            duration = float(line.partition(":")[2].partition(",")[0])
        elif not line.startswith("#"):
            segments.append((line, duration))
    return segments


def media_sequence(playlist: str) -> int:
    for line in _lines(playlist):
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            return int(line.partition(":")[2])
    return 0


def duration_ms(playlist: str) -> int:
    """The sum of the segment durations (#EXTINF), which IVS reports as `duration_ms`."""
    seconds = sum(
        float(line.partition(":")[2].partition(",")[0])
        for line in _lines(playlist)
        if line.startswith("#EXTINF:")
    )
    return round(seconds * 1000)


def as_vod(playlist: str) -> str:
    """A finished recording as IVS leaves it: playlist type VOD, closed by #EXT-X-ENDLIST.

    ffmpeg writes the recording as an EVENT playlist (so it never drops segments) and only adds
    the end tag when it exits cleanly; after a crash the tag is missing and players would keep
    polling a "live" recording."""
    lines = [
        "#EXT-X-PLAYLIST-TYPE:VOD" if line.startswith("#EXT-X-PLAYLIST-TYPE:") else line
        for line in _lines(playlist)
    ]
    if "#EXT-X-PLAYLIST-TYPE:VOD" not in lines:
        lines.insert(1, "#EXT-X-PLAYLIST-TYPE:VOD")
    if "#EXT-X-ENDLIST" not in lines:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def master_playlist(rendition: Rendition) -> str:
    """The multivariant playlist pointing at the one rendition, written by us rather than by
    ffmpeg so that it only exists while the channel is live (the player's "offline" signal)."""
    return (
        "#EXTM3U\n"
        "#EXT-X-VERSION:3\n"
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        f"#EXT-X-STREAM-INF:BANDWIDTH={rendition.bandwidth},"
        f"RESOLUTION={rendition.width}x{rendition.height},"
        f'FRAME-RATE={rendition.fps:.3f},CODECS="{rendition.codecs}"\n'
        f"{rendition.name}/{RENDITION_PLAYLIST}\n"
    )


def _lines(playlist: str) -> list[str]:
    return [line.strip() for line in playlist.splitlines() if line.strip()]
