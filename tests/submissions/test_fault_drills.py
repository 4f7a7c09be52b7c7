"""Fault drills: the broker or the database fails while mails and processing are
queued, and nothing is lost. Real Celery workers in subprocesses, a Redis and a
PostgreSQL of the test's own, uploads through the suite's S3 server, and the
worker's mails written to files and counted by recipient."""

import collections
import re
import time
import uuid

import pytest
from django.db import connection

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent, OutboxMessage
from artsprize.common.outbox import pending_messages
from submissions.enums import FileState
from submissions.models import ArtworkFile
from submissions.services.entries import submit_entry
from tests import entry_factories, media_fixtures
from tests import processing_fixtures as fixtures
from tests.broker import sending_to
from tests.factories import make_entrant
from tests.upload_helpers import Browser, make_open_round
from tests.worker import (
    database_at,
    mails_to,
    migrate,
    pause,
    postgres_server,
    redis_server,
    resume,
    running_worker,
)

pytestmark = pytest.mark.worker

# Small real photos, processed in about a second each.
PHOTOS = [
    fixtures.REAL_FIXTURES / name
    for name in ("DSCN0029.jpg", "portrait_6.jpg", "BlueSquare.jpg")
]
RETRIED = re.compile(r"Task ([\w.]+)\[([0-9a-f-]+)\] retry: Retry in")
# Short outbox delays for the Redis drill, given to the worker and its beat.
SWEEP_SECONDS = 2
RESEND_AFTER_SECONDS = 5
# Processing a few small photos after they are sent again, on a busy machine.
PROCESSING_SECONDS = 60
WAIT = 120


def _mail_env(folder):
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(folder),
    }


def _submit(round_, count):
    """Entrants who submit a complete entry each (a receipt is enqueued)."""
    entrants = []
    for _ in range(count):
        entrant = make_entrant()
        entry = entry_factories.make_complete_entry(round_, entrant=entrant)
        submit_entry(entry, by=entrant)
        entrants.append(entrant)
    return entrants


def _upload(round_, client, paths, content_type="image/jpeg"):
    """Each file uploaded to a draft of its own through the store, as the page
    does (processing is enqueued); returns the files."""
    files = []
    for path in paths:
        entrant = make_entrant()
        entry = entry_factories.make_entry(round_, entrant=entrant)
        client.force_login(entrant)
        status, answer = Browser(client).upload(
            entry, path.name, path.read_bytes(), content_type
        )
        assert (status, answer["state"]) == (200, FileState.UPLOADED), answer
        files.append(ArtworkFile.objects.get(pk=answer["file"]))
    return files


def _state(file):
    return ArtworkFile.objects.values_list("state", flat=True).get(pk=file.pk)


def _all_done():
    return not pending_messages().exists()


def _assert_ready_once(files):
    for file in files:
        current = ArtworkFile.objects.get(pk=file.pk)
        assert (current.state, current.reason) == (FileState.READY, "")
        ready = AuditEvent.objects.filter(
            object_id=str(file.pk),
            verb=AuditVerb.STATE_CHANGED,
            to_state=FileState.READY,
        )
        assert ready.count() == 1


def _receipts(entrants):
    return {entrant.email: 1 for entrant in entrants}


@pytest.mark.django_db(transaction=True)
def test_receipts_and_uploads_queued_in_a_redis_that_crashed_are_sent_once(
    tmp_path, s3_server, client
):
    mail = tmp_path / "mail"
    round_ = make_open_round()
    env = {
        **_mail_env(mail),
        "OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "OUTBOX_RESEND_AFTER_SECONDS": str(RESEND_AFTER_SECONDS),
    }
    with redis_server(tmp_path / "redis") as redis:
        common = {
            "folder": tmp_path,
            "broker_url": redis.url,
            "s3_env": s3_server.env(),
            "env": env,
            "queue": f"test-{uuid.uuid4().hex}",
        }
        # Before the fault, one receipt and one upload go as usual.
        with (
            running_worker(
                **common, log_name="before.log", forget_queue=False
            ) as first,
            sending_to(first),
        ):
            first.wait_until_ready()
            entrants = _submit(round_, 1)
            files = _upload(round_, client, PHOTOS[:1])
            first.wait_for(_all_done, timeout=WAIT, what="the first receipt and file")
        assert collections.Counter(mails_to(mail)) == _receipts(entrants)

        # The worker is down (a deploy, say) while entrants submit and upload:
        # their messages wait in Redis, and Redis dies without persistence.
        with sending_to(first):
            lost_entrants = _submit(round_, 4)
            lost_files = _upload(round_, client, PHOTOS)
        assert redis.queued(first.queue) == 7
        redis.kill()
        redis.start()
        assert redis.queued(first.queue) == 0

        with running_worker(**common, log_name="after.log") as worker:
            worker.wait_until_ready()
            back = time.monotonic()
            worker.wait_for(
                _all_done,
                timeout=SWEEP_SECONDS + RESEND_AFTER_SECONDS + PROCESSING_SECONDS,
                what="the outbox to send the lost messages again and the worker to "
                "run them",
            )
            recovered = time.monotonic() - back
            log = worker.output()

    print(f"Redis drill: recovered {recovered:.1f} s after the worker was back.")
    assert collections.Counter(mails_to(mail)) == _receipts(entrants + lost_entrants)
    _assert_ready_once(files + lost_files)
    assert "Messages the broker lost, sent again" in log
    # The seven lost were sent again by the sweeper; the two before were not.
    # (The searches for duplicates, queued as each photo became ready, may wait
    # behind the other photos past the drill's short resend delay: they were
    # not lost.)
    resent = OutboxMessage.objects.filter(sends__gt=1).exclude(
        task="submissions.find_file_matches"
    )
    assert sorted(resent.values_list("task", flat=True)) == sorted(
        ["submissions.mail_entry_receipt"] * 4 + ["submissions.process_file"] * 3
    )


@pytest.fixture(scope="module")
def transcoded_video(tmp_path_factory):
    """A clip browsers do not play (MPEG-4 Part 2): it is transcoded, which keeps
    the worker busy for a few seconds."""
    return media_fixtures.make_video(
        tmp_path_factory.mktemp("drill") / "drill.mp4",
        seconds=10,
        size=(640, 360),
        codec="mpeg4",
    )


def _retried(log):
    """The tasks the worker retried, by name and ID."""
    return set(RETRIED.findall(log))


def _transcoding(round_, client, worker, video):
    """Upload ``video`` and hold the worker still (SIGSTOP, ffmpeg included) in
    the middle of processing it, whatever the machine's speed. Returns the file
    as it was then."""
    [file] = _upload(round_, client, [video], "video/mp4")
    worker.wait_for(
        lambda: _state(file) == FileState.PROCESSING,
        timeout=WAIT,
        what="the transcode to start",
    )
    pause(worker)
    held = ArtworkFile.objects.get(pk=file.pk)
    assert held.state == FileState.PROCESSING, "processed before it was held"
    return held


def test_tasks_that_meet_a_postgresql_restart_retry_and_finish(
    tmp_path, s3_server, client, django_db_blocker, transcoded_video
):
    mail = tmp_path / "mail"
    with postgres_server() as postgres:
        postgres.create_database("artsprize_drill")
        url = postgres.url("artsprize_drill")
        migrate(url)
        with (
            redis_server(tmp_path / "redis") as redis,
            django_db_blocker.unblock(),
            database_at(url),
        ):
            round_ = make_open_round()
            # No beat: the outbox's sweeper (every 5 minutes by default) cannot
            # stand in for a retry that did not happen.
            with (
                running_worker(
                    folder=tmp_path,
                    broker_url=redis.url,
                    s3_env=s3_server.env(),
                    env=_mail_env(mail),
                    beat=False,
                ) as worker,
                sending_to(worker),
            ):
                worker.wait_until_ready(beat=False)
                entrants = _submit(round_, 1)
                worker.wait_for(_all_done, timeout=WAIT, what="the first receipt")

                # The server crashes during a transcode, with photos and
                # receipts queued behind it: every one of them meets the outage.
                first = _transcoding(round_, client, worker, transcoded_video)
                photos = _upload(round_, client, PHOTOS[:2])
                entrants += _submit(round_, 3)
                assert redis.queued(worker.queue) == 5
                postgres.stop(mode="immediate")
                resume(worker)
                worker.wait_for(
                    lambda: len(_retried(worker.output())) == 6,
                    timeout=WAIT,
                    what="every task to meet the outage",
                )
                postgres.start()
                # This process's connection died with the server too.
                connection.close()
                back = time.monotonic()
                worker.wait_for(
                    _all_done, timeout=WAIT, what="the retries to finish the work"
                )
                recovered = time.monotonic() - back

                # The server restarts during a transcode and is back before it
                # ends: the run's connection is dead, the database is not.
                second = _transcoding(round_, client, worker, transcoded_video)
                postgres.stop(mode="fast")
                postgres.start()
                connection.close()
                resume(worker)
                worker.wait_for(
                    _all_done, timeout=WAIT, what="the second transcode to finish"
                )
                log = worker.output()

            print(f"PostgreSQL drill: recovered {recovered:.1f} s after the restart.")
            assert (
                sorted(name for name, _ in _retried(log))
                == ["submissions.mail_entry_receipt"] * 3
                + ["submissions.process_file"] * 4
            )
            assert collections.Counter(mails_to(mail)) == _receipts(entrants)
            _assert_ready_once([first, second, *photos])
            # Each run that met the restart carried on with the file it held.
            for held in (first, second):
                current = ArtworkFile.objects.get(pk=held.pk)
                assert (current.processing_run, current.attempts) == (
                    held.processing_run,
                    2,
                )
            # The retries did it: no message was sent twice. Each of the four
            # files, once ready, queued the search for its duplicates.
            assert list(OutboxMessage.objects.values_list("sends", flat=True)) == [
                1
            ] * (len(entrants) + 4 + 4)
