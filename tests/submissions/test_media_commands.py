"""Tools started on an entrant's file die with the worker that started them."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from submissions.media import commands
from tests.processes import running
from tests.waiting import wait_until

SCRIPT = """
import sys
from submissions.media import commands
print("started", flush=True)
commands.run(["sleep", "{marker}"], timeout=120)
"""


def test_a_tool_is_killed_when_the_worker_that_started_it_dies():
    marker = "61.4242"
    worker = subprocess.Popen(
        [sys.executable, "-c", SCRIPT.format(marker=marker)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
    )
    try:
        assert worker.stdout.readline() == b"started\n"
        wait_until(lambda: running("sleep", marker), message="the tool to start")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        wait_until(
            lambda: not running("sleep", marker), message="the tool to be killed"
        )
    finally:
        for pid in running("sleep", marker):
            os.kill(pid, signal.SIGKILL)
        worker.kill()


def test_a_tool_past_its_time_limit_is_stopped():
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        commands.run(["sleep", "30"], timeout=0.5)
    assert time.monotonic() - started < 10
