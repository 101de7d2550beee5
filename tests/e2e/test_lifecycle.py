"""Starting and stopping `make dev`: Ctrl-C leaves nothing behind; a taken port is explained."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, start_vitrine

pytestmark = pytest.mark.e2e


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (ffmpeg runs in its own process group)."""
    children: dict[int, set[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), set()).add(int(stat.parent.name))
    found, frontier = set(), [pid]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            found.add(child)
            frontier.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def test_ctrl_c_stops_everything_and_leaves_no_process(template_path, tmp_path):
    vitrine = start_vitrine(template_path, tmp_path)
    children = descendants(vitrine.process.pid)
    assert children, "the runtime should be running ffmpeg"
    assert vitrine.stop() == 0, vitrine.log()
    assert "Vitrine stopped." in vitrine.log()
    assert "Traceback" not in vitrine.log()
    assert not [pid for pid in children if alive(pid)], "orphan processes after Ctrl-C"


def test_a_taken_port_is_a_clear_message_not_a_traceback(template_path, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "local", "--port", str(port),
             "--template", str(template_path), "--work-dir", str(tmp_path)],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert result.returncode == 2
    assert f"port {port} (gateway) is already in use" in result.stderr
    assert "Traceback" not in result.stderr
