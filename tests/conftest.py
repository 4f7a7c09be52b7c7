import os
import subprocess
import tempfile
import types

import pytest
from django.conf import settings as django_settings
from django.test.utils import override_settings

from artsprize.common import local_s3
from artsprize.settings.storage import storages_config
from tests import factories
from tests.worker import redis_server

S3_ACCESS_KEY = "test-access-key"
S3_SECRET_KEY = "test-secret-key-for-the-suite"
PRIVATE_BUCKET = "test-private"
PUBLIC_BUCKET = "test-public"


class S3Server:
    """The suite's S3-compatible server: rclone over real HTTP, checking signatures."""

    def __init__(self, directory, port):
        self.directory = directory
        self.port = port
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self.access_key = S3_ACCESS_KEY
        self.secret_key = S3_SECRET_KEY
        self.private_bucket = PRIVATE_BUCKET
        self.public_bucket = PUBLIC_BUCKET

    def storages(self, **overrides):
        return storages_config(
            endpoint_url=self.endpoint_url,
            access_key=self.access_key,
            secret_key=self.secret_key,
            region="us-east-1",
            private_bucket=self.private_bucket,
            public_bucket=self.public_bucket,
            presign_seconds=overrides.pop("presign_seconds", 300),
            static_backend="django.contrib.staticfiles.storage.StaticFilesStorage",
            **overrides,
        )

    def env(self):
        """Environment variables pointing a subprocess (a worker) at this server."""
        return {
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_ACCESS_KEY_ID": self.access_key,
            "S3_SECRET_ACCESS_KEY": self.secret_key,
            "S3_PRIVATE_BUCKET": self.private_bucket,
            "S3_PUBLIC_BUCKET": self.public_bucket,
        }


def _start_s3_server(directory, **output):
    """rclone serving ``directory`` on a free port, with the suite's buckets."""
    port = local_s3.free_port()
    process = local_s3.start(
        directory=directory,
        port=port,
        access_key=S3_ACCESS_KEY,
        secret_key=S3_SECRET_KEY,
        allow_origin="http://127.0.0.1",
        buckets=[PRIVATE_BUCKET, PUBLIC_BUCKET],
        **output,
    )
    return process, S3Server(directory, port)


@pytest.fixture(scope="session")
def s3_server():
    with tempfile.TemporaryDirectory(prefix="artsprize-s3-") as directory:
        process, server = _start_s3_server(directory)
        try:
            yield server
        finally:
            process.terminate()
            process.wait(timeout=10)


class StoppableServer:
    """A service of one test's own, which the test may stop to see what an outage
    does. ``stop()`` kills it at once, as a crash would."""

    def __init__(self, process):
        self.process = process

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def own_s3_server(tmp_path):
    """An S3 server (rclone) of this test's own, to be stopped mid-test. Point
    storage at it with ``settings.STORAGES = own_s3_server.storages()``."""
    process, server = _start_s3_server(
        tmp_path / "s3", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server.stop = StoppableServer(process).stop
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own on a free port, to be stopped mid-test;
    ``own_redis.url`` is its address."""
    with redis_server(tmp_path / "redis") as server:
        yield server


@pytest.fixture(scope="session", autouse=True)
def _storage_on_test_server(s3_server):
    """Every test stores files on the suite's S3 server, never on var/."""
    with override_settings(
        STORAGES=s3_server.storages(), S3_ENDPOINT_URL=s3_server.endpoint_url
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def _task_modules_imported():
    """The apps' task modules, imported as a process's first sending imports them
    (``artsprize.common.outbox``): Celery's Django fix-up sets Django up again
    then, which configures logging anew and would drop the handler of a test that
    captures the log at that moment."""
    from celery import current_app

    current_app.loader.import_default_modules()


@pytest.fixture(autouse=True)
def _english(settings):
    """Each test starts in English, whatever the previous one activated."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def staff_user(db):
    return factories.make_staff()


@pytest.fixture
def judge_user(db):
    return factories.make_judge()


@pytest.fixture
def entrant_user(db):
    return factories.make_entrant()


@pytest.fixture
def mfa_client(client):
    """A test client whose user signed in with a second factor (as staff must)."""

    def sign_in(user):
        factories.sign_in_with_two_factor(client, user)
        return client

    return sign_in


def pytest_report_header(config):
    database = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = os.environ.get("CELERY_BROKER_URL", "filesystem://").split(":", 1)[0]
    return f"artsprize: database={database} broker={broker}"


# Layers ------------------------------------------------------------------------
# Each test gets one of pyproject's layer markers from what it uses, so that
# ``-m "unit or integration"`` leaves out the slow processes. A layer marked on
# the test (or its module) wins.

LAYERS = ("unit", "integration", "worker", "e2e")

# Helpers that start a Celery worker, beat or a service of the test's own.
WORKER_MODULES = frozenset({"tests.worker"})

# Fixtures that reach a database, the S3 server or Redis.
INTEGRATION_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "s3_server",
        "own_s3_server",
        "own_redis",
    }
)

# Modules whose use means storage over HTTP, Redis or a tool in a process
# (ffmpeg, ffprobe, qpdf, exiftool, msgfmt): a test module using any of them is
# an integration test.
INTEGRATION_MODULES = frozenset(
    {
        "boto3",
        "botocore",
        "django.core.files.storage",
        "redis",
        "requests",
        "subprocess",
        "submissions.media",
        "submissions.storage",
        "tests.document_fixtures",
        "tests.media_fixtures",
        "tests.processing_fixtures",
        "tests.services",
        "tests.upload_helpers",
    }
)


def _uses(module, names):
    """Whether ``module`` imports one of ``names`` (or anything inside them)."""
    for value in vars(module).values():
        if isinstance(value, types.ModuleType):
            used = value.__name__
        else:
            used = getattr(value, "__module__", None)
            if not isinstance(used, str):
                continue
        if any(used == name or used.startswith(name + ".") for name in names):
            return True
    return False


def _requested_fixtures(item):
    """The fixtures a test uses, with those they use in turn, but for the S3
    server that every test gets whether it stores anything or not."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    seen = set()
    pending = [name for name in info.initialnames if name != "_storage_on_test_server"]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for definition in info.name2fixturedefs.get(name, ()):
            pending.extend(definition.argnames)
    return seen


def _layer(item):
    path = item.path.as_posix()
    module = getattr(item, "module", None)
    if "/tests/e2e/" in path:
        return "e2e"
    if module is not None and _uses(module, WORKER_MODULES):
        return "worker"
    if item.get_closest_marker("django_db") or (
        _requested_fixtures(item) & INTEGRATION_FIXTURES
    ):
        return "integration"
    if module is not None and _uses(module, INTEGRATION_MODULES):
        return "integration"
    return "unit"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if not any(item.get_closest_marker(layer) for layer in LAYERS):
            item.add_marker(_layer(item))
