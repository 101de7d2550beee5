"""A WebSocket client of the show room, as a page uses it: connects, joins, keeps every frame.

Frames are read on a thread of their own, so a test can wait for the frame it expects while
the server keeps sending others (updates, viewer counts)."""

import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

Frame = dict[str, Any]
_refs = itertools.count(1)


class RoomClient:
    def __init__(self, ws_url: str, show: str, viewer: str, **query: str) -> None:
        params = {"show": show, "viewer": viewer, "device": "mobile"} | query
        self.url = f"{ws_url}?{urllib.parse.urlencode(params)}"
        self.viewer = viewer
        self.frames: list[Frame] = []
        self.closed = threading.Event()
        self._changed = threading.Condition()
        self.socket: ClientConnection = connect(self.url, open_timeout=15)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for data in self.socket:
                with self._changed:
                    self.frames.append(json.loads(data))
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()
            with self._changed:
                self._changed.notify_all()

    def send(self, action: str, **fields: Any) -> str:
        ref = f"r{next(_refs)}"
        self.socket.send(json.dumps({"action": action, "ref": ref} | fields))
        return ref

    def send_raw(self, body: str) -> None:
        self.socket.send(body)

    def wait_for(self, match: Callable[[Frame], bool], timeout: float = 20) -> Frame:
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for frame in self.frames[seen:]:
                    if match(frame):
                        return frame
                seen = len(self.frames)
                left = deadline - time.monotonic()
                if left <= 0 or (self.closed.is_set() and seen == len(self.frames)):
                    raise AssertionError(
                        f"{self.viewer}: no such frame within {timeout}s; got {self.frames[-8:]}"
                    )
                self._changed.wait(min(left, 0.5))

    def request(self, action: str, timeout: float = 20, **fields: Any) -> Frame:
        """Sends a frame and returns its answer: the ack or the error carrying its ref."""
        ref = self.send(action, **fields)
        answered = lambda f: f.get("ref") == ref and f["type"] in {"ack", "error"}  # noqa: E731
        return self.wait_for(answered, timeout)

    def join(self) -> Frame:
        self.send("join")
        return self.wait_for(lambda f: f["type"] == "snapshot")

    def update(self, kind: str, match: Callable[[Frame], bool] = lambda u: True,
               timeout: float = 20) -> Frame:  # fmt: skip
        """The first update of `kind` (in any updates frame) that matches."""
        found: list[Frame] = []

        def has(frame: Frame) -> bool:
            if frame["type"] != "updates":
                return False
            found[:] = [u for u in frame["updates"] if u["kind"] == kind and match(u)]
            return bool(found)

        self.wait_for(has, timeout)
        return found[0]

    def close(self) -> None:
        self.socket.close()
