"""`make run`'s configuration: the web server, the local S3 server, a worker and beat
start together with nothing configured, answer, and all stop on Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from artsprize.common.local_s3 import free_port
from tests.waiting import wait_until

pytestmark = [pytest.mark.smoke, pytest.mark.worker]

BASE_DIR = Path(__file__).resolve().parent.parent


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _answer(url):
    """The status and body of ``url`` once it answers 200, else None."""
    try:
        status, body = _get(url)
    except OSError:
        return None
    return (status, body) if status == 200 else None


def test_runlocal_serves_the_portal_with_worker_and_storage_and_stops_on_ctrl_c(
    tmp_path,
):
    port, s3_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "S3_ENDPOINT_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="artsprize.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CACHE_URL=f"filecache://{tmp_path / 'cache'}",
        CELERY_BROKER_DIR=str(tmp_path / "broker"),
        LOCAL_S3_PORT=str(s3_port),
        PORT=str(port),
        ROUND_CLOCK_SECONDS="2",
    )
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=BASE_DIR)
    output = tmp_path / "runlocal.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            [*manage, "runlocal", "--noreload", "--port", str(port)],
            env=env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        status, body = wait_until(
            lambda: _answer(f"http://127.0.0.1:{port}/healthz"),
            timeout=60,
            interval=0.5,
            message=lambda: f"/healthz to answer 200:\n{output.read_text()}",
        )
        health = json.loads(body)
        assert health["database"] == "ok"
        assert health["broker"] == "ok"
        assert health["storage"] == "ok"
        status, body = _get(f"http://127.0.0.1:{port}/")
        assert status == 200

        # Wait for the worker and beat to be up, then Ctrl-C the whole group.
        wait_until(
            lambda: (
                "beat: Starting" in (text := output.read_text()) and "celery@" in text
            ),
            timeout=120,
            interval=0.5,
            message=lambda: f"the worker and beat to start:\n{output.read_text()}",
        )
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) == 0, output.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log_text = output.read_text()
    assert "Stopped." in log_text
    assert "celery@" in log_text
    # Nothing the command started is left behind.
    leftovers = subprocess.run(
        ["pgrep", "-f", f"--addr 127.0.0.1:{s3_port}"], capture_output=True, check=False
    )
    assert leftovers.stdout == b""
