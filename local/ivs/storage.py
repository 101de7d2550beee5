"""Writes a recording to S3 (the embedded moto server locally) through a boto3 S3 client."""

import json
from pathlib import Path
from typing import Any, Protocol

CONTENT_TYPES = {
    ".m3u8": "application/x-mpegURL",
    ".ts": "video/MP2T",
    ".jpg": "image/jpeg",
    ".json": "application/json",
}


class ObjectStore(Protocol):
    """The one boto3 S3 call the recorder uses."""

    def put_object(self, **kwargs: Any) -> Any: ...


def put_json(s3: ObjectStore, bucket: str, key: str, document: dict[str, Any]) -> None:
    body = json.dumps(document, indent=3).encode()
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=CONTENT_TYPES[".json"])


def upload_directory(s3: ObjectStore, bucket: str, prefix: str, root: Path) -> list[str]:
    """Uploads every finished file under `root` to `<prefix>/<relative path>`; returns the keys.
    ffmpeg's `.tmp` files are segments it never finished, so they are skipped."""
    keys = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix == ".tmp":
            continue
        key = f"{prefix}/{path.relative_to(root).as_posix()}"
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type)
        keys.append(key)
    return keys
