"""A real Celery worker for a test: a subprocess pointed at the test's database, a
broker and the suite's S3 server, stopped whatever happens.

The worker uses the test settings with tasks sent through the broker
(CELERY_TASK_ALWAYS_EAGER=0) and a queue of its own, so that two test runs sharing
one Redis never take each other's tasks. Its output goes to a file and is printed
when the test fails, which pytest then shows.
"""

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from artsprize.common import local_s3
from tests.services import require
from tests.waiting import wait_until

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
        def met():
            if self.process.poll() is not None:
                raise AssertionError(
                    f"The worker stopped (status {self.process.returncode}) while "
                    f"waiting for {what}."
                )
            return condition()

        return wait_until(met, timeout=timeout, interval=0.2, message=what)

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


# Fault drills -------------------------------------------------------------------
# Services of a test's own that it may kill and start again, the test process
# sending what it enqueues to a worker's broker as a web process would, and the
# worker's mails counted from files.


class RedisServer:
    """A redis-server of a test's own without persistence (``--save ""
    --appendonly no``, which the settings allow): ``kill()`` (or ``stop()``) is
    a crash, and ``start()`` brings it back empty on the same port."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.port = local_s3.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        binary = shutil.which("redis-server")
        require(binary is not None, "redis-server is needed for a Redis fault drill")
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        local_s3.wait_for_port(self.port, process=self.process)

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    stop = kill

    def queued(self, queue):
        """How many messages wait in ``queue``."""
        import redis

        client = redis.Redis.from_url(self.url)
        try:
            return client.llen(queue)
        finally:
            client.close()


@contextlib.contextmanager
def redis_server(folder):
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _postgres_binary(name):
    found = shutil.which(name)
    if found:
        return found
    # Debian keeps the server's programs out of PATH.
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    return str(candidates[-1]) if candidates else None


class PostgresServer:
    """A PostgreSQL cluster of a test's own (``initdb`` into a temporary folder,
    trust authentication, TCP on a free port), which the test may stop and start
    under a running worker. PostgreSQL refuses to run as root: under root the
    cluster belongs to the ``postgres`` system user."""

    def __init__(self):
        self.initdb = _postgres_binary("initdb")
        self.pg_ctl = _postgres_binary("pg_ctl")
        require(
            self.initdb is not None and self.pg_ctl is not None,
            "PostgreSQL's initdb and pg_ctl are needed for a PostgreSQL fault drill",
        )
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                require(False, "PostgreSQL will not run as root: add a postgres user")
        # Not under pytest's temporary folders, which only their owner may enter.
        self.folder = Path(tempfile.mkdtemp(prefix="artsprize-pg-"))
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self.data = self.folder / "data"
        self.port = local_s3.free_port()

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command):
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            user=self.user.pw_uid if self.user else None,
            group=self.user.pw_gid if self.user else None,
            cwd=self.folder,
            timeout=120,
        )
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        return result.stdout

    def init(self):
        self._run(
            self.initdb,
            "--pgdata",
            str(self.data),
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            "-c unix_socket_directories='' -c fsync=off -c full_page_writes=off"
        )
        self._run(
            self.pg_ctl,
            "start",
            "--pgdata",
            str(self.data),
            "--wait",
            "--log",
            str(self.folder / "server.log"),
            "-o",
            options,
        )

    def stop(self, mode="fast"):
        """``immediate`` is a crash: every connection cut, no checkpoint."""
        self._run(self.pg_ctl, "stop", "--pgdata", str(self.data), "--mode", mode)

    def create_database(self, name):
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError):
                self.stop(mode="immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_server():
    server = PostgresServer()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


def migrate(database_url):
    """Migrate the database at ``database_url`` as a release would, in a process
    of its own."""
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "artsprize.settings.test",
            "DATABASE_URL": database_url,
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@contextlib.contextmanager
def database_at(url):
    """Point this process's default database connection at ``url`` (a database
    outside the test run's own, which a drill may stop), and back afterwards.
    Caches that hold rows of the other database are emptied both ways."""
    import environ
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connections
    from django.db.utils import load_backend

    original = connections["default"]
    config = connections.configure_settings(
        {"default": environ.Env.db_url_config(url)}
    )["default"]
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, "default")

    def forget():
        ContentType.objects.clear_cache()
        cache.clear()

    forget()
    connections["default"] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        connections["default"] = original
        forget()


def pause(worker):
    """Hold the worker and everything it started (ffmpeg) still, as a stalled
    machine; ``resume`` lets it carry on where it was."""
    os.killpg(worker.process.pid, signal.SIGSTOP)


def resume(worker):
    os.killpg(worker.process.pid, signal.SIGCONT)


def mails_to(folder):
    """The recipients of every mail the file-based backend wrote to ``folder``,
    one item per recipient and mail."""
    import email

    separator = b"\n" + b"-" * 79 + b"\n"
    recipients = []
    for path in sorted(Path(folder).glob("*.log")):
        for raw in path.read_bytes().split(separator):
            if raw.strip():
                message = email.message_from_bytes(raw)
                recipients += [a.strip() for a in message["To"].split(",")]
    return recipients
