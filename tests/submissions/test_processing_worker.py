"""Processing on real Celery workers, in subprocesses, against the suite's S3
server: end to end on Redis, and the fault drills — a pool child killed in the
middle of a task, and a whole worker killed, recovered by the broker's
redelivery (Redis) or by the sweeper (the filesystem broker, which forgets a
message once it is read)."""

import datetime
import os
import signal
import time
import uuid

import pytest

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions import storage
from submissions.enums import DerivativeKind, FileState, MediaKind
from submissions.models import ArtworkFile
from submissions.services.processing import hard_time_limit, time_limit
from tests import media_fixtures
from tests import processing_fixtures as fixtures
from tests.factories import make_entrant
from tests.processes import running
from tests.services import redis_available, redis_url, require
from tests.upload_helpers import make_entry, stored_file
from tests.waiting import wait_until
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT = 120


def _redis():
    url = redis_url()
    require(
        redis_available(url),
        "Redis is needed: set REDIS_URL or CELERY_BROKER_URL to a running Redis",
    )
    return url


@pytest.fixture(scope="module")
def slow_video(tmp_path_factory):
    """An MPEG-4 Part 2 clip: browsers do not play it, so it is transcoded, which
    takes long enough to be interrupted."""
    return media_fixtures.make_video(
        tmp_path_factory.mktemp("drill") / "drill.mp4",
        seconds=30,
        size=(1280, 720),
        codec="mpeg4",
    )


def _stored(data, *, kind, name):
    return stored_file(
        make_entry(make_entrant()),
        data,
        kind=kind,
        name=name,
        content_type="application/octet-stream",
    )


def _send(worker, file, **limits):
    worker.send(
        "submissions.process_file",
        file.pk,
        soft_time_limit=limits.get("soft", time_limit(file.kind)),
        time_limit=limits.get("hard", hard_time_limit(file.kind)),
    )


def _current(file):
    return ArtworkFile.objects.get(pk=file.pk)


def _ready_events(file):
    return AuditEvent.objects.filter(
        object_id=str(file.pk), verb=AuditVerb.STATE_CHANGED, to_state=FileState.READY
    ).count()


def _assert_ready_once(file):
    current = _current(file)
    assert current.state == FileState.READY, (current.state, current.reason)
    assert _ready_events(file) == 1
    kinds = sorted(current.derivatives.values_list("kind", "index"))
    return current, kinds


@pytest.mark.parametrize(
    "broker", ["redis", pytest.param("filesystem", marks=pytest.mark.smoke)]
)
def test_a_worker_processes_uploads_end_to_end(tmp_path, s3_server, broker):
    url = _redis() if broker == "redis" else "filesystem://"
    photo = _stored(
        (fixtures.REAL_FIXTURES / "portrait_6.jpg").read_bytes(),
        kind=MediaKind.IMAGE,
        name="portrait.jpg",
    )
    refused = _stored(fixtures.zip_archive(), kind=MediaKind.IMAGE, name="a.jpg")

    with running_worker(
        folder=tmp_path, broker_url=url, s3_env=s3_server.env(), beat=False
    ) as worker:
        worker.wait_until_ready(beat=False)
        _send(worker, photo)
        _send(worker, refused)
        worker.wait_for(
            lambda: (
                _current(photo).state == FileState.READY
                and _current(refused).state == FileState.REJECTED
            ),
            timeout=WAIT,
            what="the worker to process both files",
        )

    current, kinds = _assert_ready_once(photo)
    assert kinds == [(DerivativeKind.PREVIEW, 0), (DerivativeKind.THUMB, 0)]
    assert current.height > current.width  # portrait_6 turned upright
    assert current.processing_run
    assert _current(refused).reason == "not_an_image"
    assert storage.head_object(refused.key) is None


def _wait_for_transcode(worker, file):
    """Wait until the task on ``file`` runs and the worker transcodes the clip."""
    worker.wait_for(
        lambda: _current(file).state == FileState.PROCESSING,
        timeout=WAIT,
        what="the task to start",
    )
    wait_until(
        lambda: running("ffmpeg", "libx264", group=worker.process.pid),
        timeout=WAIT,
        interval=0.05,
        message="the worker to start transcoding",
    )
    assert _current(file).state == FileState.PROCESSING


def _kill_worker_mid_transcode(worker, file, **limits):
    """Send ``file`` to ``worker``, and kill the worker in the middle of the
    transcode; the file is left PROCESSING."""
    worker.wait_until_ready(beat=False)
    _send(worker, file, **limits)
    _wait_for_transcode(worker, file)
    worker.kill()
    held = _current(file)
    assert held.state == FileState.PROCESSING
    return held


def _kill_pool_child_mid_task(worker, file):
    _wait_for_transcode(worker, file)
    (child,) = worker.pool_children()
    os.kill(child, signal.SIGKILL)
    return child


@pytest.mark.parametrize("broker", ["redis", "filesystem"])
def test_a_task_whose_pool_child_is_killed_runs_again_and_ends_ready_once(
    tmp_path, s3_server, slow_video, broker
):
    url = _redis() if broker == "redis" else "filesystem://"
    file = _stored(slow_video.read_bytes(), kind=MediaKind.VIDEO, name="drill.mp4")

    with running_worker(
        folder=tmp_path,
        broker_url=url,
        s3_env=s3_server.env(),
        beat=False,
        pool="prefork",
    ) as worker:
        worker.wait_until_ready(beat=False)
        _send(worker, file)
        run = None
        worker.wait_for(
            lambda: _current(file).processing_run, timeout=WAIT, what="a run"
        )
        run = _current(file).processing_run
        _kill_pool_child_mid_task(worker, file)
        worker.wait_for(
            lambda: _current(file).state == FileState.READY,
            timeout=WAIT,
            what="the redelivered task to finish the file",
        )
        log = worker.output()

    assert "WorkerLostError" in log or "signal 9" in log
    current, kinds = _assert_ready_once(file)
    # The same message ran again (task_reject_on_worker_lost), as the same run.
    assert current.processing_run == run
    assert current.attempts == 2
    assert current.media_details["copy"] == "transcoded"
    assert kinds == [
        (DerivativeKind.POSTER, 0),
        (DerivativeKind.THUMB, 0),
        (DerivativeKind.VIDEO, 0),
    ]


def test_a_killed_worker_on_the_filesystem_broker_is_recovered_by_the_sweeper(
    tmp_path, s3_server, slow_video
):
    # Short limits so that the sweeper may take the file over within the test:
    # a run is presumed dead once past its hard limit (15 + 1 s here).
    limits = {
        "PROCESSING_VIDEO_SECONDS": "15",
        "PROCESSING_GRACE_SECONDS": "1",
        "PROCESSING_SWEEP_SECONDS": "1",
        "PROCESSING_REQUEUE_AFTER_SECONDS": "1",
    }
    file = _stored(slow_video.read_bytes(), kind=MediaKind.VIDEO, name="drill.mp4")
    queue = f"test-{uuid.uuid4().hex}"
    common = {
        "folder": tmp_path,
        "broker_url": "filesystem://",
        "s3_env": s3_server.env(),
        "env": limits,
        "queue": queue,
    }

    with running_worker(**common, beat=False, log_name="first.log") as first:
        held = _kill_worker_mid_transcode(first, file, soft=15, hard=16)
    # The broker has forgotten the message: only the sweeper can recover it.
    assert not list((tmp_path / "broker").glob("*.msg"))

    with running_worker(**common, beat=True, log_name="second.log") as second:
        second.wait_for(
            lambda: _current(file).state == FileState.READY,
            timeout=WAIT,
            what="the sweeper to queue the file again and a run to finish it",
        )
        log = second.output()

    current, kinds = _assert_ready_once(file)
    assert "requeue_stuck_files" in log
    assert current.processing_run != held.processing_run
    assert current.processing_started_at >= held.processing_started_at + (
        datetime.timedelta(seconds=16)
    )
    assert current.attempts == 2
    assert len(kinds) == 3


def test_a_killed_worker_on_redis_is_recovered_by_redelivery(
    tmp_path, s3_server, slow_video
):
    url = _redis()
    # Redis hands an unacknowledged message out again after the visibility
    # timeout: 5 s here, two hours by default (see the settings).
    env = {"CELERY_VISIBILITY_TIMEOUT": "5"}
    file = _stored(slow_video.read_bytes(), kind=MediaKind.VIDEO, name="drill.mp4")
    queue = f"test-{uuid.uuid4().hex}"
    common = {
        "folder": tmp_path,
        "broker_url": url,
        "s3_env": s3_server.env(),
        "env": env,
        "queue": queue,
        "beat": False,
    }

    with running_worker(**common, log_name="first.log", forget_queue=False) as first:
        held = _kill_worker_mid_transcode(first, file)
    killed_at = time.monotonic()

    with running_worker(**common, log_name="second.log") as second:
        second.wait_for(
            lambda: _current(file).state == FileState.READY,
            timeout=WAIT,
            what="Redis to deliver the message again",
        )

    current, kinds = _assert_ready_once(file)
    # The same message, so the same run: it carries on with the file it held.
    assert current.processing_run == held.processing_run
    assert current.attempts == 2
    assert time.monotonic() - killed_at < WAIT
    assert len(kinds) == 3
