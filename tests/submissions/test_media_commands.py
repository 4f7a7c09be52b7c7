"""Tools started on an entrant's file die with the worker that started them."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from submissions.media import commands

SCRIPT = """
import sys
from submissions.media import commands
print("started", flush=True)
commands.run(["sleep", "{marker}"], timeout=120)
"""


def _sleepers(marker):
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if command[:2] == [b"sleep", marker.encode()]:
            found.append(int(entry.name))
    return found


def _wait_for(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_tool_is_killed_when_the_worker_that_started_it_dies():
    marker = "61.4242"
    worker = subprocess.Popen(
        [sys.executable, "-c", SCRIPT.format(marker=marker)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
    )
    try:
        assert worker.stdout.readline() == b"started\n"
        _wait_for(lambda: _sleepers(marker))
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        _wait_for(lambda: not _sleepers(marker))
    finally:
        for pid in _sleepers(marker):
            os.kill(pid, signal.SIGKILL)
        worker.kill()


def test_a_tool_past_its_time_limit_is_stopped():
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        commands.run(["sleep", "30"], timeout=0.5)
    assert time.monotonic() - started < 10
