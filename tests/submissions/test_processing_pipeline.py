"""The processing pipeline around the service: started when an upload completes,
retried for storage faults only, swept when lost, retried by staff, and shown to
the entrant while it runs."""

import datetime
import json
import shutil
from urllib.parse import quote

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from artsprize.common.models import OutboxMessage
from submissions.enums import EntryState, FileState, MediaKind
from submissions.models import ArtworkFile
from submissions.services import processing
from submissions.services.processing import (
    ProcessingUnavailable,
    requeue_stuck_files,
    retry_processing,
    stuck_files,
)
from submissions.tasks import PROCESSING_RETRIES, process_file_task
from tests import processing_fixtures as fixtures
from tests.broker import folder_broker
from tests.factories import make_entrant, make_staff, sign_in_with_two_factor
from tests.upload_helpers import make_entry, make_open_round, stored_file

pytestmark = pytest.mark.django_db

NOKIA = fixtures.REAL_FIXTURES / "HMD_Nokia_8.3_5G.jpg"


def test_a_completed_upload_is_processed_once_it_commits(
    browser, entry, django_capture_on_commit_callbacks
):
    data = NOKIA.read_bytes()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        status, answer = browser.upload(entry, "nokia.jpg", data, "image/jpeg")

    assert status == 200, answer
    # The answer is given before processing; the page then follows the state.
    assert answer["state"] == FileState.UPLOADED
    # Processing, then (once the file is ready) the search for its duplicates.
    assert len(callbacks) == 2
    file = ArtworkFile.objects.get(pk=answer["file"])
    assert list(OutboxMessage.objects.order_by("pk").values_list("task", "args")) == [
        ("submissions.process_file", [file.pk]),
        ("submissions.find_file_matches", [file.pk]),
    ]
    assert file.state == FileState.READY
    assert file.queued_at is not None
    assert (file.width, file.height) != (None, None)
    assert sorted(file.derivatives.values_list("kind", flat=True)) == [
        "preview",
        "thumb",
    ]


def test_random_bytes_named_jpg_are_rejected_after_upload(
    browser, entry, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        status, answer = browser.upload(
            entry, "holiday.jpg", fixtures.zip_archive(), "image/jpeg"
        )

    assert status == 200
    file = ArtworkFile.objects.get(pk=answer["file"])
    assert (file.state, file.reason) == (FileState.REJECTED, "not_an_image")


def test_the_task_runs_with_the_time_limits_of_the_kind(
    entry, settings, django_capture_on_commit_callbacks, tmp_path
):
    file = ArtworkFile.objects.create(
        entry=entry,
        owner=entry.entrant,
        kind=MediaKind.VIDEO,
        key="originals/test/video",
        original_name="clip.mp4",
        content_type="video/mp4",
        declared_size=10,
        state=FileState.UPLOADED,
    )

    with (
        folder_broker(tmp_path) as broker,
        django_capture_on_commit_callbacks(execute=True),
    ):
        processing.queue_processing(file)

    limit = settings.PROCESSING_TIME_LIMITS["video"]
    [message] = OutboxMessage.objects.all()
    assert broker.sent() == [
        {
            "task": "submissions.process_file",
            "args": [file.pk],
            "kwargs": {"outbox_message": message.pk},
            "time_limits": (limit, limit + settings.PROCESSING_GRACE_SECONDS),
        }
    ]


def test_storage_faults_are_retried_with_backoff_then_left_failed(
    entry, monkeypatch, caplog
):
    runs = []

    def unavailable(pk, *, run):
        runs.append(run)
        raise ProcessingUnavailable("storage down")

    # A storage outage on every try, without its timeouts: the task's retries
    # are under test, and the service's own reaction is tested on its own.
    monkeypatch.setattr(processing, "process_file", unavailable)
    countdowns = []
    original_retry = process_file_task.retry

    def retry(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return original_retry(*args, **kwargs)

    # Celery's retry, watched for the countdowns it is given and then called.
    monkeypatch.setattr(process_file_task, "retry", retry)

    # Each eager retry applies the task again; none of them may propagate.
    monkeypatch.setitem(process_file_task.app.conf, "task_eager_propagates", False)
    process_file_task.apply(args=[1234], task_id="run-1")

    assert len(runs) == PROCESSING_RETRIES + 1
    # Every retry is the same run: it may take the file it holds.
    assert set(runs) == {"run-1"}
    assert countdowns == [30, 60, 120, 240, 480]
    assert "left FAILED" in caplog.text


def test_a_rejected_file_of_a_submitted_entry_is_mailed_about(
    entrant, django_capture_on_commit_callbacks
):
    entry = make_entry(entrant, state=EntryState.SUBMITTED, reference="HRAP-2026-0042")
    file = stored_file(entry, fixtures.html_with_script(), name="poster.jpg")

    with django_capture_on_commit_callbacks(execute=True):
        processing.process_file(file)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [entrant.email]
    assert "HRAP-2026-0042" in message.subject
    assert "poster.jpg" in message.body
    assert "This file is not an image" in message.body
    assert "You can replace it with a new file until" in message.body


def test_a_rejected_file_of_a_draft_is_not_mailed_about(
    entry, django_capture_on_commit_callbacks
):
    file = stored_file(entry, fixtures.html_with_script())

    with django_capture_on_commit_callbacks(execute=True):
        processing.process_file(file)

    assert mail.outbox == []


# The sweeper ---------------------------------------------------------------------


def test_the_sweeper_finds_lost_files_and_only_those(entry, settings):
    now = timezone.now()
    long_ago = now - datetime.timedelta(
        seconds=settings.PROCESSING_REQUEUE_AFTER_SECONDS + 1
    )
    image_limit = (
        settings.PROCESSING_TIME_LIMITS["image"] + settings.PROCESSING_GRACE_SECONDS
    )
    video_limit = (
        settings.PROCESSING_TIME_LIMITS["video"] + settings.PROCESSING_GRACE_SECONDS
    )

    def file(state, kind=MediaKind.IMAGE, **fields):
        return ArtworkFile.objects.create(
            entry=entry,
            owner=entry.entrant,
            kind=kind,
            key=f"originals/test/{ArtworkFile.objects.count()}",
            original_name="work",
            content_type="image/jpeg",
            declared_size=10,
            state=state,
            **fields,
        )

    waiting_long = file(FileState.UPLOADED, queued_at=long_ago)
    never_queued = file(FileState.UPLOADED)
    file(FileState.UPLOADED, queued_at=now)
    dead_run = file(
        FileState.PROCESSING,
        processing_started_at=now - datetime.timedelta(seconds=image_limit + 1),
        queued_at=long_ago,
    )
    # A long video still within its limit is left to run.
    file(
        FileState.PROCESSING,
        kind=MediaKind.VIDEO,
        processing_started_at=now - datetime.timedelta(seconds=image_limit + 1),
        queued_at=long_ago,
    )
    dead_video = file(
        FileState.PROCESSING,
        kind=MediaKind.VIDEO,
        processing_started_at=now - datetime.timedelta(seconds=video_limit + 1),
        queued_at=long_ago,
    )
    file(FileState.READY, queued_at=long_ago)
    file(FileState.REJECTED, queued_at=long_ago)
    file(FileState.FAILED, queued_at=long_ago)
    file(FileState.AWAITING_UPLOAD)

    assert set(stuck_files(now=now)) == {
        waiting_long,
        never_queued,
        dead_run,
        dead_video,
    }


def test_the_sweeper_queues_each_lost_file_once_per_period(
    entry, django_capture_on_commit_callbacks, tmp_path
):
    lost = stored_file(entry, b"x", state=FileState.UPLOADED, queued_at=None)

    with folder_broker(tmp_path) as broker:
        with django_capture_on_commit_callbacks(execute=True):
            assert requeue_stuck_files() == [lost.pk]
        with django_capture_on_commit_callbacks(execute=True):
            assert requeue_stuck_files() == []

    assert [message["args"] for message in broker.sent()] == [[lost.pk]]


def test_a_swept_file_is_processed(entry, django_capture_on_commit_callbacks):
    lost = stored_file(
        entry,
        fixtures.jpeg_bytes(),
        state=FileState.PROCESSING,
        processing_run="dead-worker",
        processing_started_at=timezone.now() - datetime.timedelta(hours=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        requeue_stuck_files()

    lost.refresh_from_db()
    assert lost.state == FileState.READY
    assert lost.processing_run != "dead-worker"


# Staff ---------------------------------------------------------------------------


def test_staff_see_failures_and_retry_them(
    mfa_client, entry, django_capture_on_commit_callbacks
):
    staff = make_staff()
    failed = stored_file(
        entry,
        fixtures.jpeg_bytes(),
        name="<b>night</b>.jpg",
        state=FileState.FAILED,
        reason="timed_out",
        attempts=1,
    )
    client = mfa_client(staff)

    page = client.get(reverse("manage:processing"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;b&gt;night&lt;/b&gt;.jpg" in html
    assert "Processing this file took too long." in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("manage:processing_retry", args=[failed.pk]))

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == FileState.READY
    assert failed.attempts == 2


def test_retrying_a_file_that_is_not_failed_queues_nothing(entry):
    ready = stored_file(entry, b"x", state=FileState.READY)

    assert retry_processing(ready, user=make_staff()) is False


@pytest.mark.parametrize("method", ["get", "post"])
def test_processing_pages_are_for_staff_only(client, entrant, entry, method):
    failed = stored_file(entry, b"x", state=FileState.FAILED)
    client.force_login(entrant)

    for url in (
        reverse("manage:processing"),
        reverse("manage:processing_retry", args=[failed.pk]),
        reverse("manage:processing_retry_all"),
    ):
        assert getattr(client, method)(url).status_code == 403
    failed.refresh_from_db()
    assert failed.state == FileState.FAILED


# The entrant's view --------------------------------------------------------------


def test_status_shows_the_entrants_files_and_nobody_elses(client, entrant, entry):
    ready = stored_file(entry, fixtures.jpeg_bytes())
    processing.process_file(ready)
    other = stored_file(make_entry(make_entrant()), fixtures.jpeg_bytes())
    client.force_login(entrant)

    response = client.get(
        reverse("file_status"), {"file": [ready.pk, other.pk, "x", "-1"]}
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    files = json.loads(response.content)["files"]
    assert [(item["id"], item["state"]) for item in files] == [(ready.pk, "ready")]
    assert reverse("file_view", args=[ready.pk, "thumb"]) in files[0]["html"]


def test_status_of_a_rejected_file_offers_a_replacement_before_the_deadline(
    client, entrant, entry
):
    rejected = stored_file(
        entry, b"x", name="a<script>.jpg", state=FileState.REJECTED, reason="corrupt"
    )
    client.force_login(entrant)

    html = json.loads(
        client.get(reverse("file_status"), {"file": rejected.pk}).content
    )["files"][0]["html"]

    assert "The file is damaged or incomplete" in html
    assert f'data-replace-file="{rejected.pk}"' in html
    assert "a&lt;script&gt;.jpg" in html


def test_status_is_translated(client, entrant, entry):
    rejected = stored_file(entry, b"x", state=FileState.REJECTED, reason="corrupt")
    client.force_login(entrant)
    client.cookies["django_language"] = "zh-hant"

    html = json.loads(
        client.get(reverse("file_status"), {"file": rejected.pk}).content
    )["files"][0]["html"]

    assert "Replace file" not in html
    assert "The file is damaged" not in html


def test_derivatives_are_shown_through_short_lived_urls_to_their_owner_only(
    client, entrant, entry
):
    file = stored_file(entry, fixtures.jpeg_bytes())
    processing.process_file(file)
    client.force_login(entrant)

    response = client.get(reverse("file_view", args=[file.pk, "thumb"]))

    assert response.status_code == 302
    assert "X-Amz-Expires=" in response["Location"]
    assert "response-content-disposition=inline" in response["Location"]
    assert client.get(reverse("file_view", args=[file.pk, "original"])).status_code == (
        404
    )
    client.force_login(make_entrant())
    assert client.get(reverse("file_view", args=[file.pk, "thumb"])).status_code == 404


def test_my_entries_lists_files_in_a_fixed_number_of_queries(
    client, entrant, django_assert_max_num_queries
):
    round_ = make_open_round()
    for _ in range(3):
        entry = make_entry(entrant, round_=round_)
        for _ in range(3):
            stored_file(entry, b"x", state=FileState.REJECTED, reason="corrupt")
    client.force_login(entrant)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("my_entries"))

    assert response.status_code == 200
    assert response.content.decode().count("data-replace-file=") == 9


def test_a_file_whose_runs_keep_dying_is_left_failed_for_staff(
    entry, django_capture_on_commit_callbacks, tmp_path
):
    doomed = stored_file(
        entry,
        b"x",
        state=FileState.PROCESSING,
        processing_run="third-run",
        processing_started_at=timezone.now() - datetime.timedelta(hours=2),
        attempts=processing.MAX_ATTEMPTS,
    )

    with (
        folder_broker(tmp_path) as broker,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert requeue_stuck_files() == []

    doomed.refresh_from_db()
    assert (doomed.state, doomed.reason) == (FileState.FAILED, "timed_out")
    assert broker.sent() == []


def test_staff_see_an_entrants_copies_only_after_two_factor_sign_in(client, entry):
    # The staff page of an entry shows its copies; staff rights need two-factor
    # sign-in, the entrant's pages do not. The status of the entrant's files is
    # the entrant's alone.
    file = stored_file(entry, fixtures.jpeg_bytes())
    processing.process_file(file)
    staff = make_staff()
    client.force_login(staff)
    thumb = reverse("file_view", args=[file.pk, "thumb"])

    response = client.get(thumb)

    assert response.status_code == 302
    assert (
        response.url == f"{reverse('mfa_activate_totp')}?next={quote(thumb, safe='')}"
    )
    answer = json.loads(client.get(reverse("file_status"), {"file": file.pk}).content)
    assert answer == {"files": []}
    sign_in_with_two_factor(client, staff)
    response = client.get(thumb)
    assert response.status_code == 302
    assert "X-Amz-Expires=" in response.url
    answer = json.loads(client.get(reverse("file_status"), {"file": file.pk}).content)
    assert answer == {"files": []}


def test_a_file_refused_after_the_grace_window_is_mailed_without_a_replacement(
    entrant, django_capture_on_commit_callbacks
):
    round_ = make_open_round(
        opens_at=timezone.now() - datetime.timedelta(days=9),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    entry = make_entry(
        entrant, round_=round_, state=EntryState.SUBMITTED, reference="HRAP-2026-0043"
    )
    file = stored_file(entry, fixtures.html_with_script(), name="late.jpg")

    with django_capture_on_commit_callbacks(execute=True):
        processing.process_file(file)

    [message] = mail.outbox
    assert "You can replace it" not in message.body
    assert "You can see your entry on your entries page" in message.body


def test_an_entrant_may_look_at_the_copy_the_judges_get(client, entrant, entry):
    file = stored_file(entry, fixtures.jpeg_bytes())
    processing.process_file(file)
    client.force_login(entrant)

    html = json.loads(client.get(reverse("file_status"), {"file": file.pk}).content)[
        "files"
    ][0]["html"]

    link = reverse("file_view", args=[file.pk, "preview"])
    assert f'href="{link}"' in html
    response = client.get(link)
    assert response.status_code == 302
    assert "response-content-type=image%2Fjpeg" in response["Location"]


def test_an_unreachable_broker_does_not_fail_a_completed_upload(
    browser, entry, django_capture_on_commit_callbacks, tmp_path
):
    # A broker whose folder is gone refuses every message, as one that is down.
    with folder_broker(tmp_path / "broker") as broker:
        shutil.rmtree(broker.folder)
        with django_capture_on_commit_callbacks(execute=True):
            status, answer = browser.upload(
                entry, "photo.jpg", fixtures.jpeg_bytes(), "image/jpeg"
            )

    assert status == 200, answer
    file = ArtworkFile.objects.get(pk=answer["file"])
    # Left for the sweeper, which queues it again once it has waited too long.
    assert file.state == FileState.UPLOADED
    assert file.queued_at is not None
