"""A real Celery worker for a test: a subprocess pointed at the test's database, a
broker and the suite's S3 server, stopped whatever happens.

The worker uses the test settings with tasks sent through the broker
(CELERY_TASK_ALWAYS_EAGER=0) and a queue of its own, so that two test runs sharing
one Redis never take each other's tasks. Its output goes to a file and is printed
when the test fails, which pytest then shows.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

READY_SECONDS = 60


def database_url():
    """The URL of the database this test runs on (the test database, not the one
    DATABASE_URL names), for a process outside the test."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(Path(config["NAME"]).resolve())
    if connection.vendor == "postgresql":
        auth = ""
        if config["USER"]:
            auth = quote(config["USER"], safe="")
            if config["PASSWORD"]:
                auth += ":" + quote(config["PASSWORD"], safe="")
            auth += "@"
        host = config["HOST"] or "localhost"
        port = f":{config['PORT']}" if config["PORT"] else ""
        return f"postgres://{auth}{host}{port}/{quote(config['NAME'], safe='')}"
    raise ValueError(f"No worker URL for a {connection.vendor} database.")


class Worker:
    def __init__(self, process, log_path, queue, *, broker_url, transport_options):
        self.process = process
        self.log_path = log_path
        self.queue = queue
        self.broker_url = broker_url
        self.transport_options = transport_options

    def output(self):
        return self.log_path.read_text(errors="replace")

    def wait_until_ready(self, timeout=READY_SECONDS, *, beat=True):
        """Wait for the worker to consume and beat to run, or fail with its output."""
        self.wait_for(
            lambda: (
                " ready." in self.output()
                and (not beat or "beat: Starting" in self.output())
            ),
            timeout=timeout,
            what="the worker to start",
        )

    def kill(self):
        """SIGKILL the worker and everything it started, as a crashed machine."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def wait_for(self, condition, *, timeout, what):
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                raise AssertionError(
                    f"The worker stopped (status {self.process.returncode}) while "
                    f"waiting for {what}."
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"Waited {timeout} s for {what} in vain.")
            time.sleep(0.2)

    def send(self, name, *args, **options):
        """Send the task ``name`` to this worker through its broker, as the web
        process would (the test's own Celery app runs tasks eagerly)."""
        from celery import Celery

        client = Celery("test-client")
        client.conf.broker_transport_options = self.transport_options
        # An explicit connection: Celery prefers a CELERY_BROKER_URL in the
        # environment (CI sets one) to the app's own broker setting.
        try:
            with client.connection_for_write(self.broker_url) as connection:
                client.send_task(
                    name,
                    args=list(args),
                    queue=self.queue,
                    connection=connection,
                    **options,
                )
        finally:
            client.close()

    def pool_children(self):
        """The process IDs of the prefork pool's children."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self):
        # The worker leads its own process group, with the embedded beat in it.
        group = self.process.pid
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Beat may outlive the worker that started it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def _forget_queue(broker_url, queue):
    """Drop what the worker's queue left on a shared Redis."""
    if not broker_url.startswith(("redis://", "rediss://")):
        return
    import redis

    client = redis.Redis.from_url(broker_url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    client.close()


@contextlib.contextmanager
def running_worker(
    *,
    folder,
    broker_url,
    s3_env,
    beat=True,
    env=None,
    pool="solo",
    concurrency=1,
    queue=None,
    log_name="worker.log",
    forget_queue=True,
):
    """Run ``celery -A artsprize worker`` (with embedded beat unless ``beat`` is
    False) for the length of the ``with`` block.

    ``folder`` holds the filesystem broker, beat's schedule and the worker's log.
    A second worker on the same ``folder`` and ``queue`` takes over what the first
    left (give it another ``log_name``; let the first keep its queue with
    ``forget_queue=False``).
    """
    folder = Path(folder)
    queue = queue or f"test-{uuid.uuid4().hex}"
    worker_env = {
        **os.environ,
        **s3_env,
        "DJANGO_SETTINGS_MODULE": "artsprize.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_BROKER_DIR": str(folder / "broker"),
        "CELERY_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "artsprize",
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--hostname={queue}@%h",
    ]
    if beat:
        command += ["--beat", f"--schedule={folder / 'beat-schedule'}"]
    log_path = folder / log_name
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=worker_env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    broker_folder = str(folder / "broker")
    worker = Worker(
        process,
        log_path,
        queue,
        broker_url=broker_url,
        transport_options=(
            {
                "data_folder_in": broker_folder,
                "data_folder_out": broker_folder,
                "control_folder": str(folder / "broker" / "control"),
            }
            if broker_url.startswith("filesystem://")
            else {}
        ),
    )
    try:
        yield worker
    except BaseException:
        worker.stop()
        print(f"--- output of the Celery worker ({' '.join(command)}) ---")
        print(worker.output())
        raise
    finally:
        worker.stop()
        if forget_queue:
            _forget_queue(broker_url, queue)
