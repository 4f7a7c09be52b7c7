"""What the benchmarks share: a dedicated PostgreSQL database, an rclone S3 server
and gunicorn, all on loopback, all started here and all stopped (and the database
dropped) when the ``Stack`` closes, whatever happened in between.

The benchmark process itself runs Django against the same database, to build the
data (a round, entrants, their sessions) and to count queries with the test client.
"""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON_BIN = Path(sys.executable).parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
S3_ACCESS_KEY = "artsprize-bench"
S3_SECRET_KEY = "artsprize-bench-secret"  # noqa: S105 (loopback-only server)
SECRET_KEY = "bench-only-not-secret"  # noqa: S105
PASSWORD = "correct horse battery staple"  # noqa: S105
BUCKETS = ["artsprize-private", "artsprize-public"]
# gunicorn's database connections carry this application_name (libpq reads
# PGAPPNAME), so that their backends can be told from the bench's own.
WEB_APPLICATION_NAME = "artsprize-bench-web"
TICKS = os.sysconf("SC_CLK_TCK")

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def form_token(html):
    match = CSRF_FIELD.search(html)
    return match.group(1) if match else None


def meta_token(html):
    match = CSRF_META.search(html)
    return match.group(1) if match else None


def percentile(values, fraction):
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def machine():
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM"


def _admin_sql(statement, params=None):
    """Run ``statement`` on the server's maintenance database; the rows it gives."""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        cursor = connection.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def cpu_seconds(pid):
    """User + system CPU time of process ``pid`` (all its threads, living or
    ended); None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid):
    """The processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def web_backends(database):
    """The PostgreSQL backends serving gunicorn's connections to ``database``."""
    rows = _admin_sql(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
        (database, WEB_APPLICATION_NAME),
    )
    return [row[0] for row in rows]


def stop(process):
    """Stop a server: SIGTERM, then SIGKILL if it has not ended in 10 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


class Stack:
    """The database, the S3 server and gunicorn for one benchmark run.

    Use as a context manager: ``start()`` brings everything up; leaving the block
    stops gunicorn and rclone, drops the database and removes the temporary folder.
    With ``measure_dir`` gunicorn serves bench/wsgi.py, which counts each measured
    request's CPU (and with ``profile``, "cpu" or "wall", profiles it) and writes
    the figures there when its workers exit.
    """

    def __init__(
        self,
        *,
        database="artsprize_bench",
        worker_class="gthread",
        workers=2,
        threads=6,
        upload_rate=100_000,
        measure_dir=None,
        profile="",
    ):
        self.database = database
        self.measure_dir = measure_dir
        self.profile = profile
        self.worker_class = worker_class
        self.workers = workers
        self.threads = threads
        self.upload_rate = upload_rate
        self.tmp = Path(tempfile.mkdtemp(prefix="artsprize-bench-"))
        self.processes = {}
        self.logs = []
        self.database_created = False

    # --- set-up -----------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def start(self):
        from artsprize.common import local_s3

        self.s3_port = local_s3.free_port()
        self.web_port = local_s3.free_port()
        self.origin = f"http://127.0.0.1:{self.web_port}"
        self._configure_environment()
        self._create_database()
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        self.processes["rclone"] = local_s3.start(
            directory=self.tmp / "s3",
            port=self.s3_port,
            access_key=S3_ACCESS_KEY,
            secret_key=S3_SECRET_KEY,
            allow_origin=self.origin,
            buckets=BUCKETS,
            stdout=self._log("rclone"),
            stderr=subprocess.STDOUT,
        )
        self._start_gunicorn()

    def _configure_environment(self):
        broker = self.tmp / "broker"
        (broker / "control").mkdir(parents=True)
        (self.tmp / "static").mkdir()
        for name in ("REDIS_URL", "EMAIL_URL", "S3_USE_AWS", "S3_PUBLIC_BASE_URL"):
            os.environ.pop(name, None)
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DEBUG": "false",
                "SECRET_KEY": SECRET_KEY,
                "DATABASE_URL": f"{POSTGRES}/{self.database}",
                "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
                "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
                "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
                "CACHE_URL": f"filecache://{self.tmp / 'cache'}",
                "CELERY_BROKER_URL": "filesystem://",
                "CELERY_BROKER_DIR": str(broker),
                "BENCH_STATIC_ROOT": str(self.tmp / "static"),
                "UPLOAD_API_RATE_PER_MINUTE": str(self.upload_rate),
                "LOG_LEVEL": "WARNING",
                # Connections live through a whole run, so that the CPU time of
                # each database backend can be read before and after a window.
                "CONN_MAX_AGE": "3600",
            }
        )

    def _create_database(self):
        _admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        _admin_sql(f'CREATE DATABASE "{self.database}"')
        self.database_created = True

    def _log(self, name):
        handle = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 (closed in close())
        self.logs.append(handle)
        return handle

    def gunicorn_command(self):
        command = [
            str(PYTHON_BIN / "gunicorn"),
            "bench.wsgi" if self.measure_dir else "artsprize.wsgi",
            "--bind",
            f"127.0.0.1:{self.web_port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        return command

    def _start_gunicorn(self):
        env = {**os.environ, "PGAPPNAME": WEB_APPLICATION_NAME}
        if self.measure_dir:
            env["BENCH_MEASURE_DIR"] = str(self.measure_dir)
        if self.profile:
            env["BENCH_PROFILE"] = self.profile
        self.processes["gunicorn"] = subprocess.Popen(
            self.gunicorn_command(),
            cwd=BASE_DIR,
            env=env,
            stdout=self._log("gunicorn"),
            stderr=subprocess.STDOUT,
        )
        # A busy shared machine may take a minute to import the portal.
        deadline = time.monotonic() + 90
        last = "no answer"
        while time.monotonic() < deadline:
            if self.processes["gunicorn"].poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail('gunicorn')}")
            try:
                answer = requests.get(f"{self.origin}/healthz", timeout=5)
            except requests.RequestException as error:
                last = type(error).__name__
            else:
                if answer.ok:
                    return
                last = f"HTTP {answer.status_code} {answer.text[:200]}"
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn did not answer ({last}):\n{self.log_tail('gunicorn')}"
        )

    def gunicorn_pids(self):
        """The master and its workers."""
        master = self.processes["gunicorn"].pid
        return [master, *children(master)]

    def log_tail(self, name, lines=30):
        path = self.tmp / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # --- data -------------------------------------------------------------------------

    def make_round(self, *, media_kinds):
        """An open round with one category taking ``media_kinds``."""
        from submissions.services.rounds import open_round_now
        from tests import factories

        round_ = factories.make_round()
        open_round_now(round_, by=factories.make_staff())
        round_.refresh_from_db()
        category = round_.categories.get()
        category.media_kinds = list(media_kinds)
        category.save(update_fields=["media_kinds"])
        return round_, category

    def make_entrants(self, count, *, prefix):
        """``count`` adult entrants with verified addresses and the same password.

        One password hash is computed and shared: the hasher runs at sign-in, not
        here, so building a large pool takes seconds instead of minutes.
        """
        import datetime

        from allauth.account.models import EmailAddress
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.utils import timezone

        from artsprize.accounts.models import EntrantProfile

        User = get_user_model()
        hashed = make_password(PASSWORD)
        users = User.objects.bulk_create(
            [
                User(email=f"{prefix}{number}@bench.example.org", password=hashed)
                for number in range(count)
            ]
        )
        today = timezone.localdate()
        born = today.replace(year=today.year - 30) - datetime.timedelta(days=1)
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in users
            ]
        )
        EntrantProfile.objects.bulk_create(
            [
                EntrantProfile(
                    user=user,
                    legal_name="Chan Tai Man",
                    credit_name="Tai",
                    date_of_birth=born,
                    hong_kong_based=True,
                    pics_version=settings.PICS_VERSION,
                    pics_accepted_at=timezone.now(),
                )
                for user in users
            ]
        )
        return users

    def session_cookies(self, users):
        """Signed-in session cookies, made in this process as a log-in would."""
        from django.conf import settings
        from django.test import Client

        cookies = []
        for user in users:
            client = Client()
            client.force_login(user)
            cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
        return cookies

    def password_login(self, email):
        """One real log-in over HTTP; returns (seconds for the POST, status)."""
        from django.conf import settings

        session = requests.Session()
        url = f"{self.origin}/accounts/login/"
        page = session.get(url, timeout=30)
        token = form_token(page.text)
        started = time.perf_counter()
        answer = session.post(
            url,
            data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": url},
            allow_redirects=False,
            timeout=30,
        )
        elapsed = time.perf_counter() - started
        signed_in = settings.SESSION_COOKIE_NAME in answer.cookies
        return elapsed, answer.status_code, signed_in

    # --- tear-down --------------------------------------------------------------------

    def close(self):
        for name in ("gunicorn", "rclone"):
            process = self.processes.get(name)
            if process is not None and process.poll() is None:
                stop(process)
        for handle in self.logs:
            handle.close()
        if self.database_created:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            _admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.database_created = False
        shutil.rmtree(self.tmp, ignore_errors=True)
