"""The upload services: names, kinds, the deadline and grace window, the caps and
the clean-up of abandoned uploads, against the suite's S3 server."""

import datetime
import threading

import pytest
from botocore.exceptions import ClientError
from django.db import connection
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions import storage
from submissions.enums import EntryState, FileState, RoundState
from submissions.errors import UploadError
from submissions.models import ArtworkFile, Entry
from submissions.services.cleanup import clean_up_uploads
from submissions.services.file_types import kind_of, sanitise_file_name
from submissions.services.uploads import (
    PART_SIZE,
    abort_upload,
    complete_upload,
    sign_parts,
    start_upload,
)
from submissions.tasks import clean_up_uploads_task
from tests.factories import make_category
from tests.upload_helpers import (
    ALL_FILE_KINDS,
    Browser,
    make_entry,
    make_open_round,
    payload,
)

MiB = 1024 * 1024

pytestmark = pytest.mark.django_db


def _start(entry, name="a.jpg", size=10, declared_type="image/jpeg", **kwargs):
    return start_upload(
        entry,
        user=entry.entrant,
        name=name,
        size=size,
        declared_type=declared_type,
        **kwargs,
    )


def _put(ticket, data):
    response = Browser.put(ticket["url"], data, ticket["headers"])
    assert response.status_code == 200, response.text


# Names and kinds ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.jpg", "photo.jpg"),
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\boot.ini.png", "boot.ini.png"),
        ("a/b/", ""),
        ("tab\there.jpg", "tabhere.jpg"),
        ("two   spaces\u3000wide.jpg", "two spaces wide.jpg"),
        ("\u202eevil\u2066.jpg\u2069", "evil.jpg"),
        ("zero\u200bwidth\ufeff.png", "zerowidth.png"),
        ("lone\ud800surrogate.jpg", "lonesurrogate.jpg"),
        ("cafe\u0301.jpg", "café.jpg"),
        ("維港日出.heic", "維港日出.heic"),
        ("🌅🌊.webp", "🌅🌊.webp"),
        ("trailing dots.jpg. . ", "trailing dots.jpg"),
        ("x" * 300, "x" * 150),
        ("y" * 300 + ".averylongextension", ("y" * 300 + ".averylongextension")[:150]),
    ],
)
def test_a_file_name_is_made_safe_to_show(name, expected):
    assert sanitise_file_name(name) == expected


@pytest.mark.parametrize(
    ("name", "declared", "expected"),
    [
        ("a.JPG", "image/jpeg", ("image", "image/jpeg")),
        ("a.jpeg", "", ("image", "image/jpeg")),
        ("a.heic", "application/octet-stream", ("image", "image/heic")),
        ("a.tif", "image/tiff", ("image", "image/tiff")),
        ("a.png", "image/jpeg", ("image", "image/png")),
        ("a.mov", "video/quicktime", ("video", "video/quicktime")),
        ("a.m4v", "video/x-m4v", ("video", "video/x-m4v")),
        ("a.ogg", "video/ogg", ("audio", "audio/ogg")),
        ("a.oga", "audio/ogg", ("audio", "audio/ogg")),
        ("a.m4a", "audio/x-m4a", ("audio", "audio/mp4")),
        ("a.m4a", "video/mp4", ("audio", "audio/mp4")),
        ("a.mp3", "audio/mpeg; charset=binary", ("audio", "audio/mpeg")),
        ("a.pdf", "application/pdf", ("document", "application/pdf")),
    ],
)
def test_the_kind_and_content_type_come_from_the_name(entry, name, declared, expected):
    assert kind_of(name, declared, category=entry.category) == expected


@pytest.mark.parametrize(
    ("name", "declared", "code"),
    [
        ("a.exe", "application/x-msdownload", "unsupported_type"),
        ("a.svg", "image/svg+xml", "unsupported_type"),
        ("a.html", "text/html", "unsupported_type"),
        ("a.jpg", "text/html", "type_mismatch"),
        ("a.pdf", "image/png", "type_mismatch"),
        ("a.mp3", "video/mp4", "type_mismatch"),
        ("a.png", "application/javascript", "type_mismatch"),
    ],
)
def test_a_name_or_type_claim_that_does_not_fit_is_refused(entry, name, declared, code):
    with pytest.raises(UploadError) as refused:
        kind_of(name, declared, category=entry.category)

    assert refused.value.code == code


# The deadline -------------------------------------------------------------------


def test_files_are_taken_until_the_deadline_to_the_second(entrant):
    round_ = make_open_round()
    entry = make_entry(entrant, round_=round_)
    closes = round_.closes_at

    ticket = _start(entry, "a.jpg", now=closes - datetime.timedelta(seconds=1))
    with pytest.raises(UploadError) as late:
        _start(entry, "b.jpg", now=closes + datetime.timedelta(seconds=1))

    assert ticket["mode"] == "single"
    assert late.value.code == "round_closed"


def test_a_submitted_entry_takes_new_files_until_the_deadline(entrant):
    entry = make_entry(entrant, state=EntryState.SUBMITTED)

    ticket = _start(entry, "replacement.png", declared_type="image/png")

    assert ArtworkFile.objects.get(pk=ticket["file"]).entry == entry


def test_a_submitted_entrys_upload_may_finish_in_the_grace_window(entrant):
    round_ = make_open_round(upload_grace_minutes=30)
    entry = make_entry(entrant, round_=round_, state=EntryState.SUBMITTED)
    data = payload(9 * MiB)
    ticket = _start(entry, "late.mp4", len(data), "video/mp4")
    file = ArtworkFile.objects.get(pk=ticket["file"])
    round_.state = RoundState.CLOSED
    round_.save(update_fields=["state"])
    in_grace = round_.closes_at + datetime.timedelta(minutes=29)
    after_grace = round_.closes_at + datetime.timedelta(minutes=31)

    with pytest.raises(UploadError) as new_file:
        _start(entry, "another.jpg", now=in_grace)
    urls = sign_parts(file, user=entrant, part_numbers=[1, 2], now=in_grace)
    for number, url in urls.items():
        start = (int(number) - 1) * PART_SIZE
        response = Browser.put(url, data[start : start + PART_SIZE])
        assert response.status_code == 200
    with pytest.raises(UploadError) as too_late:
        complete_upload(file, user=entrant, parts=[], now=after_grace)
    done = complete_upload(file, user=entrant, parts=[], now=in_grace)

    assert new_file.value.code == "round_closed"
    assert too_late.value.code == "round_closed"
    assert done["state"] == FileState.UPLOADED
    storage.delete_object(file.key)


def test_a_drafts_upload_does_not_get_the_grace_window(entrant):
    round_ = make_open_round()
    entry = make_entry(entrant, round_=round_)
    ticket = _start(entry, "a.jpg")
    file = ArtworkFile.objects.get(pk=ticket["file"])
    _put(ticket, payload(10))

    with pytest.raises(UploadError) as refused:
        complete_upload(
            file,
            user=entrant,
            now=round_.closes_at + datetime.timedelta(seconds=1),
        )

    assert refused.value.code == "round_closed"
    file.refresh_from_db()
    assert file.state == FileState.AWAITING_UPLOAD
    storage.delete_object(file.key)


def test_a_round_that_has_not_opened_takes_no_files(entrant):
    round_ = make_open_round()
    round_.state = RoundState.DRAFT
    round_.save(update_fields=["state"])
    entry = make_entry(entrant, round_=round_)

    with pytest.raises(UploadError) as refused:
        _start(entry)

    assert refused.value.code == "round_not_open"


# Caps ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_tabs_at_once_cannot_exceed_the_file_count(entrant):
    entry = make_entry(entrant)
    entry.category.max_files = 1
    entry.category.save()
    barrier = threading.Barrier(2)
    results = []

    def tab(name):
        try:
            barrier.wait(timeout=10)
            results.append(_start(Entry.objects.get(pk=entry.pk), name)["name"])
        except UploadError as error:
            results.append(error.code)
        finally:
            connection.close()

    tabs = [threading.Thread(target=tab, args=(f"{n}.jpg",)) for n in range(2)]
    for thread in tabs:
        thread.start()
    for thread in tabs:
        thread.join(timeout=30)

    assert sorted(results, key=len) == sorted(
        [ArtworkFile.objects.get(entry=entry).original_name, "too_many_files"],
        key=len,
    )


def test_a_draft_moved_to_another_category_meanwhile_counts_against_the_new_one(
    entrant,
):
    """The upload keeps the round and category read with the entry only while the
    entry's row still names that category."""
    entry = make_entry(entrant)
    entry.category.max_files = 5
    entry.category.save()
    strict = make_category(entry.round, media_kinds=ALL_FILE_KINDS, min_age=None)
    strict.max_files = 1
    strict.save()
    _start(entry, "first.jpg")
    Entry.objects.filter(pk=entry.pk).update(category=strict)

    with pytest.raises(UploadError) as refused:
        _start(entry, "second.jpg")

    assert refused.value.code == "too_many_files"


def test_uploads_left_for_a_day_stop_counting_against_the_cap(entrant):
    entry = make_entry(entrant, category=make_open_round().categories.get())
    entry.category.max_files = 10
    entry.category.save()
    for number in range(6):
        _start(entry, f"{number}.jpg")
    with pytest.raises(UploadError):
        _start(entry, "seventh.jpg")

    ArtworkFile.objects.filter(entry=entry).update(
        updated_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    ticket = _start(entry, "seventh.jpg")

    assert ticket["resumed"] is False


def test_the_same_name_and_size_from_another_person_is_not_resumed(entrant):
    from tests.factories import make_caseworker

    caseworker = make_caseworker()
    entry = make_entry(entrant, filed_by=caseworker)
    mine = _start(entry, "same.jpg")

    theirs = start_upload(
        entry, user=caseworker, name="same.jpg", size=10, declared_type="image/jpeg"
    )

    assert theirs["resumed"] is False
    assert theirs["file"] != mine["file"]


def test_a_rejected_file_can_be_removed(entry):
    ticket = _start(entry, "a.jpg", size=100)
    file = ArtworkFile.objects.get(pk=ticket["file"])
    # A one-byte object where 100 bytes were announced.
    storage.client().put_object(
        Bucket=storage.bucket(), Key=storage.staging_key(file.key), Body=b"x"
    )
    with pytest.raises(UploadError):
        complete_upload(file, user=entry.entrant)
    file.refresh_from_db()
    assert file.state == FileState.REJECTED

    abort_upload(file, user=entry.entrant)

    assert not ArtworkFile.objects.filter(pk=file.pk).exists()


# Clean-up -----------------------------------------------------------------------


def _events(file_pk):
    return list(
        AuditEvent.objects.filter(
            content_type__model="artworkfile", object_id=str(file_pk)
        )
        .order_by("pk")
        .values_list("verb", "actor", "reason")
    )


def test_the_clean_up_aborts_abandoned_uploads_and_deletes_unreferenced_objects(
    entry,
):
    later = timezone.now() + datetime.timedelta(days=2)
    # The store lives for the whole session: clear what earlier tests left in it.
    clean_up_uploads(now=later)
    abandoned = ArtworkFile.objects.get(
        pk=_start(entry, "abandoned.mp4", 9 * MiB, "video/mp4")["file"]
    )
    abandoned_single = _start(entry, "abandoned.jpg", 100)
    _put(abandoned_single, payload(100))
    abandoned_single = ArtworkFile.objects.get(pk=abandoned_single["file"])
    finished_ticket = _start(entry, "finished.png", 100, "image/png")
    _put(finished_ticket, payload(100))
    finished = ArtworkFile.objects.get(pk=finished_ticket["file"])
    complete_upload(finished, user=entry.entrant)
    # The finished file's old URL, replayed, leaves a staged object behind.
    _put(finished_ticket, payload(100))
    orphan_key = f"originals/{entry.round_id}/orphan-object"
    storage.client().put_object(Bucket=storage.bucket(), Key=orphan_key, Body=b"x")
    # A copy made by a processing run while its file was being removed.
    orphan_copy = "derivatives/999999/thumb.webp"
    storage.client().put_object(Bucket=storage.bucket(), Key=orphan_copy, Body=b"x")
    orphan_upload = storage.create_multipart_upload(
        f"uploads/{entry.round_id}/orphan-upload", content_type="video/mp4"
    )
    # Someone came back to this one today: it is still needed.
    in_progress = ArtworkFile.objects.get(
        pk=_start(entry, "in progress.mp4", 9 * MiB, "video/mp4")["file"]
    )

    assert clean_up_uploads() == {"files": 0, "uploads": 0, "objects": 0}
    ArtworkFile.objects.filter(pk=in_progress.pk).update(
        updated_at=later - datetime.timedelta(hours=1)
    )
    result = clean_up_uploads(now=later)

    assert result == {"files": 2, "uploads": 1, "objects": 3}
    assert set(
        ArtworkFile.objects.filter(entry=entry).values_list("pk", flat=True)
    ) == {
        finished.pk,
        in_progress.pk,
    }
    with pytest.raises(ClientError):
        storage.list_parts(storage.staging_key(abandoned.key), abandoned.upload_id)
    with pytest.raises(ClientError):
        storage.list_parts(f"uploads/{entry.round_id}/orphan-upload", orphan_upload)
    assert (
        storage.list_parts(storage.staging_key(in_progress.key), in_progress.upload_id)
        == []
    )
    assert storage.head_object(abandoned_single.key) is None
    assert storage.head_object(orphan_key) is None
    assert storage.head_object(orphan_copy) is None
    assert storage.head_object(finished.key)["ContentLength"] == 100
    assert storage.head_object(storage.staging_key(finished.key)) is None
    assert storage.head_object(storage.staging_key(abandoned_single.key)) is None
    assert _events(abandoned.pk)[-1] == (AuditVerb.DELETED, None, "abandoned")
    assert _events(abandoned_single.pk)[-1] == (AuditVerb.DELETED, None, "abandoned")
    # Running again finds nothing more to do.
    assert clean_up_uploads(now=later) == {"files": 0, "uploads": 0, "objects": 0}
    storage.abort_multipart_upload(
        storage.staging_key(in_progress.key), in_progress.upload_id
    )
    storage.delete_object(finished.key)


def test_the_clean_up_task_leaves_fresh_uploads_alone(entry):
    ticket = _start(entry, "fresh.mp4", 9 * MiB, "video/mp4")
    file = ArtworkFile.objects.get(pk=ticket["file"])

    clean_up_uploads_task.delay()

    assert ArtworkFile.objects.get(pk=file.pk).state == FileState.AWAITING_UPLOAD
    assert storage.list_parts(storage.staging_key(file.key), file.upload_id) == []
    storage.abort_multipart_upload(storage.staging_key(file.key), file.upload_id)
