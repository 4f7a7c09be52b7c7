import datetime

import pytest
from django.core import mail
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions import storage
from submissions.enums import EntryState, FileState
from submissions.models import ArtworkFile
from submissions.services.cleanup import drop_uploads_after_grace
from submissions.tasks import drop_uploads_after_grace_task
from tests import entry_factories
from tests.upload_helpers import Browser

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


def started_multipart(client, entry, name):
    """An upload started through the API, with its first part stored, then left."""
    client.force_login(entry.entrant)
    browser = Browser(client)
    ticket = browser.started(entry, name, 9 * MiB, "image/jpeg")
    assert ticket["mode"] == "multipart"
    url = browser.signed(ticket["file"], [1])["1"]
    assert browser.put(url, b"x" * (8 * MiB)).status_code == 200
    return ArtworkFile.objects.get(pk=ticket["file"])


@pytest.fixture
def round_():
    """An open round whose categories take images."""
    round_ = entry_factories.make_open_round()
    round_.categories.update(media_kinds=["image"])
    return round_


def end_grace(round_, *, minutes_ago=1):
    """The deadline passed, and its grace window ended ``minutes_ago``."""
    round_.closes_at = timezone.now() - datetime.timedelta(
        minutes=round_.upload_grace_minutes + minutes_ago
    )
    round_.save(update_fields=["closes_at"])


def test_unfinished_upload_of_a_submitted_entry_is_dropped_and_the_entrant_told(
    client, django_capture_on_commit_callbacks, entrant_user, round_
):
    entry = entry_factories.make_submitted_entry(round_, entrant=entrant_user)
    mail.outbox.clear()
    file = started_multipart(client, entry, "海港 night.jpg")
    end_grace(round_)

    with django_capture_on_commit_callbacks(execute=True):
        told = drop_uploads_after_grace()

    assert told == [entry.pk]
    assert ArtworkFile.objects.filter(pk=file.pk).exists() is False
    assert file.upload_id not in {
        upload["UploadId"] for upload in storage.multipart_uploads()
    }
    event = AuditEvent.objects.get(verb=AuditVerb.DELETED, object_id=str(file.pk))
    assert (event.actor, event.from_state, event.reason) == (
        None,
        FileState.AWAITING_UPLOAD,
        "grace_window_ended",
    )
    [message] = mail.outbox
    assert message.to == [entrant_user.email]
    assert message.subject == (
        f"{entry.reference}: files that did not finish uploading"
    )
    assert "- 海港 night.jpg" in message.body
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED


def test_uploads_within_the_grace_window_are_kept(client, entrant_user, round_):
    entry = entry_factories.make_submitted_entry(round_, entrant=entrant_user)
    file = started_multipart(client, entry, "dawn.jpg")
    round_.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    round_.save(update_fields=["closes_at"])

    assert drop_uploads_after_grace() == []
    assert ArtworkFile.objects.get(pk=file.pk).state == FileState.AWAITING_UPLOAD


def test_a_drafts_unfinished_upload_is_dropped_without_a_mail(
    client, django_capture_on_commit_callbacks, entrant_user, round_
):
    entry = entry_factories.make_complete_entry(round_, entrant=entrant_user)
    file = started_multipart(client, entry, "dusk.jpg")
    end_grace(round_)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        drop_uploads_after_grace_task()

    assert ArtworkFile.objects.filter(pk=file.pk).exists() is False
    assert mail.outbox == []
