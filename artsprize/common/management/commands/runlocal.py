"""Run the whole portal on this machine: the local S3 server (unless S3_ENDPOINT_URL
points elsewhere), a Celery worker, Celery beat and the web server. Ctrl-C stops all.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from artsprize.common import local_s3
from artsprize.settings.storage import LOCAL_S3_ACCESS_KEY, LOCAL_S3_SECRET_KEY


class Command(BaseCommand):
    help = "Run the web server, the local S3 server, a Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--noreload", action="store_true")

    def handle(self, *args, port, noreload, **options):
        self.processes = {}
        self.stopping = False
        signal.signal(signal.SIGINT, self._request_stop)
        signal.signal(signal.SIGTERM, self._request_stop)
        env = {**os.environ, "PORT": str(port)}
        (settings.VAR_DIR / "celery").mkdir(parents=True, exist_ok=True)
        for folder in settings.CELERY_BROKER_TRANSPORT_OPTIONS.values():
            if isinstance(folder, str) and folder.startswith(str(settings.VAR_DIR)):
                os.makedirs(folder, exist_ok=True)
        try:
            if settings.LOCAL_S3:
                self.processes["s3"] = local_s3.start(
                    directory=settings.LOCAL_S3_DIR,
                    port=settings.LOCAL_S3_PORT,
                    access_key=LOCAL_S3_ACCESS_KEY,
                    secret_key=LOCAL_S3_SECRET_KEY,
                    allow_origin=f"http://127.0.0.1:{port}",
                    buckets=[settings.S3_PRIVATE_BUCKET, settings.S3_PUBLIC_BUCKET],
                )
                self.stdout.write(
                    f"Local S3 server on {settings.S3_ENDPOINT_URL}, "
                    f"files in {settings.LOCAL_S3_DIR}"
                )
            celery = [sys.executable, "-m", "celery", "-A", "artsprize"]
            self._spawn(
                "worker", [*celery, "worker", "--loglevel=INFO", "--concurrency=2"], env
            )
            self._spawn(
                "beat",
                [
                    *celery,
                    "beat",
                    "--loglevel=INFO",
                    f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
                ],
                env,
            )
            web = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]
            if noreload:
                web.append("--noreload")
            self._spawn("web", web, env)
            self.stdout.write(
                self.style.SUCCESS(
                    f"The portal is at http://127.0.0.1:{port}/ — Ctrl-C stops it."
                )
            )
            self._watch()
        finally:
            self._stop_all()

    def _spawn(self, name, command, env):
        self.processes[name] = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)

    def _request_stop(self, signum, frame):
        self.stopping = True

    def _watch(self):
        while not self.stopping:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    self.stderr.write(
                        f"{name} stopped with status {process.returncode}; "
                        "stopping the others."
                    )
                    return
            time.sleep(0.5)

    def _stop_all(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        self.stdout.write("Stopped.")
