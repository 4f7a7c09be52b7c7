"""The upload API over HTTP, with the suite's S3 server (rclone, which checks every
signature) as the store and ``requests`` as the browser's fetch()."""

import hashlib
import json
import re
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
import redis
import requests
from botocore.exceptions import ClientError
from django.core.cache import cache
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, RequestFactory, override_settings
from django.urls import resolve, reverse
from django.utils import translation

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from artsprize.common.views import server_error
from artsprize.settings.cache import cache_config
from submissions import storage
from submissions.enums import EntryState, FileState, RoundState
from submissions.models import ArtworkFile
from submissions.services.processing import process_file
from submissions.services.uploads import PART_SIZE
from submissions.views import uploads as upload_views
from tests import processing_fixtures as fixtures
from tests.factories import (
    make_caseworker,
    make_entrant,
    make_staff,
    sign_in_with_two_factor,
)
from tests.upload_helpers import (
    Browser,
    make_entry,
    make_open_round,
    payload,
    query_of,
    stored_bytes,
)

MiB = 1024 * 1024

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The rate-limit counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def _audit(file_pk):
    return list(
        AuditEvent.objects.filter(
            content_type__model="artworkfile", object_id=str(file_pk)
        )
        .order_by("pk")
        .values_list("verb", "from_state", "to_state", "reason")
    )


def _assert_refused_by_store(response):
    """rclone answers 403 (bad signature) or 400; AWS S3 answers 403."""
    assert response.status_code in {400, 403}
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')


# A large file, in parts, with a failed part and a resume --------------------


def test_a_50_mb_file_goes_up_in_parts_survives_a_bad_part_and_resumes(browser, entry):
    data = payload(50 * MiB)
    status, ticket = browser.start(entry, "dance.mp4", len(data), "video/mp4")

    assert status == 200
    assert ticket["mode"] == "multipart"
    assert ticket["part_size"] == PART_SIZE == 8 * MiB
    assert ticket["part_count"] == 7
    assert ticket["url"] is None
    assert ticket["resumed"] is False
    assert ticket["parts"] == []
    file_pk = ticket["file"]

    status, signed = browser.sign(file_pk, [1, 2, 3])
    assert status == 200
    assert sorted(signed["urls"]) == ["1", "2", "3"]
    # A connection that drops mid-part sends a short body: the store refuses it,
    # because the part's length is part of the signature.
    short = browser.put(signed["urls"]["1"], data[: PART_SIZE - 1000])
    _assert_refused_by_store(short)
    first = browser.put(signed["urls"]["1"], data[:PART_SIZE])
    second = browser.put(signed["urls"]["2"], data[PART_SIZE : 2 * PART_SIZE])
    assert first.status_code == 200
    assert second.status_code == 200

    # The page is reloaded: the browser asks what the store holds...
    status, listed = browser.parts(file_pk)
    assert status == 200
    assert listed["parts"] == [
        {"number": 1, "etag": first.headers["ETag"], "size": PART_SIZE},
        {"number": 2, "etag": second.headers["ETag"], "size": PART_SIZE},
    ]
    # ...and the entrant picks the same file again: the upload resumes.
    status, resumed = browser.start(entry, "dance.mp4", len(data), "video/mp4")
    assert status == 200
    assert resumed["file"] == file_pk
    assert resumed["resumed"] is True
    assert resumed["parts"] == listed["parts"]
    assert ArtworkFile.objects.filter(entry=entry).count() == 1

    status, signed = browser.sign(file_pk, [2, 3, 4, 5, 6, 7])
    assert status == 200
    etags = {1: first.headers["ETag"]}
    for number in range(2, 8):
        body = data[(number - 1) * PART_SIZE : number * PART_SIZE]
        response = browser.put(signed["urls"][str(number)], body)
        assert response.status_code == 200, response.text
        etags[number] = response.headers["ETag"]
    # Part 2 was sent twice (before and after the reload): the same part, kept.
    assert etags[2] == second.headers["ETag"]

    parts = [{"number": n, "etag": etag} for n, etag in sorted(etags.items())]
    status, done = browser.complete(file_pk, parts)

    assert status == 200
    assert done == {
        "file": file_pk,
        "state": FileState.UPLOADED,
        "reason": "",
        "message": "",
        "name": "dance.mp4",
        "size": len(data),
    }
    file = ArtworkFile.objects.get(pk=file_pk)
    assert file.state == FileState.UPLOADED
    assert file.size == len(data)
    assert file.uploaded_at is not None
    head = storage.head_object(file.key)
    assert head["ContentLength"] == len(data)
    assert head["ContentType"] == "video/mp4"
    assert (
        hashlib.sha256(stored_bytes(file.key)).hexdigest()
        == hashlib.sha256(data).hexdigest()
    )
    assert _audit(file_pk) == [
        (AuditVerb.CREATED, "", FileState.AWAITING_UPLOAD, ""),
        (AuditVerb.STATE_CHANGED, FileState.AWAITING_UPLOAD, FileState.UPLOADED, ""),
    ]

    # Completing twice (a retried request) gives the same answer and no new event.
    assert browser.complete(file_pk, parts) == (200, done)
    assert len(_audit(file_pk)) == 2
    storage.delete_object(file.key)


@pytest.mark.parametrize(
    ("size", "mode", "part_size", "part_count"),
    [
        (5 * MiB, "single", 5 * MiB, 1),
        (5 * MiB + 1, "multipart", 5 * MiB, 2),
        (6 * MiB, "multipart", 5 * MiB, 2),
        (8 * MiB, "multipart", 5 * MiB, 2),
        (8 * MiB + 1, "multipart", 8 * MiB, 2),
        (50 * MiB, "multipart", 8 * MiB, 7),
    ],
)
def test_every_file_above_s3s_smallest_part_goes_up_in_parts(
    browser, entry, size, mode, part_size, part_count
):
    """A phone photo of 6 MiB continues from its stored part after a drop: only a
    file of at most 5 MiB, S3's smallest part, goes in one PUT."""
    ticket = browser.started(entry, "photo.jpg", size, "image/jpeg")

    assert (ticket["mode"], ticket["part_size"], ticket["part_count"]) == (
        mode,
        part_size,
        part_count,
    )
    if mode == "multipart":
        urls = browser.signed(ticket["file"], list(range(1, part_count + 1)))
        last = size - part_size * (part_count - 1)
        assert query_of(urls[str(part_count)])["X-Amz-SignedHeaders"] == (
            "content-length;host"
        )
        assert browser.put(urls[str(part_count)], payload(last)).status_code == 200
        assert browser.parts(ticket["file"])[1]["parts"][0]["size"] == last
    assert browser.abort(ticket["file"])[0] == 200


def test_a_small_file_goes_up_in_one_signed_put(browser, entry):
    data = payload(300_000)
    status, ticket = browser.start(entry, "Harbour.JPG", len(data), "image/jpeg")

    assert status == 200
    assert ticket["mode"] == "single"
    assert ticket["part_count"] == 1
    assert ticket["part_size"] == len(data)
    assert ticket["headers"] == {"Content-Type": "image/jpeg"}
    query = query_of(ticket["url"])
    assert query["X-Amz-SignedHeaders"] == "content-length;content-type;host"
    assert query["X-Amz-Expires"] == "300"
    # The Content-Type is the server's: a page that sends another is refused.
    html = browser.put(ticket["url"], data, {"Content-Type": "text/html"})
    _assert_refused_by_store(html)

    response = browser.put(ticket["url"], data, ticket["headers"])
    assert response.status_code == 200
    status, done = browser.complete(ticket["file"])

    assert status == 200
    assert done["state"] == FileState.UPLOADED
    assert done["size"] == len(data)
    file = ArtworkFile.objects.get(pk=ticket["file"])
    assert file.kind == "image"
    assert file.content_type == "image/jpeg"
    assert file.original_name == "Harbour.JPG"
    assert file.upload_id == ""
    assert storage.head_object(file.key)["ContentType"] == "image/jpeg"
    assert stored_bytes(file.key) == data
    # The upload URL is a PUT's: as a DELETE (or a GET) the store refuses it.
    _assert_refused_by_store(requests.delete(ticket["url"], timeout=10))
    _assert_refused_by_store(requests.get(ticket["url"], timeout=10))
    assert stored_bytes(file.key) == data
    storage.delete_object(file.key)


@contextmanager
def _store_operations():
    """The S3 operations made meanwhile (the views run in this thread, with its
    client), as (operation, key) pairs."""
    calls = []

    def record(model, params, **kwargs):
        calls.append((model.name, params.get("Key")))

    events = storage.client().meta.events
    events.register("before-parameter-build.s3", record)
    try:
        yield calls
    finally:
        events.unregister("before-parameter-build.s3", record)


@pytest.mark.parametrize("copy_etag", ["kept", "none"])
def test_a_completion_measures_the_copy_only_when_its_etag_is_not_the_uploads(
    browser, entry, monkeypatch, copy_etag
):
    """A copy with the staged object's ETag holds its bytes. The managed copy of
    an object over 5 GB gives no ETag; then the store is asked for the copy's
    size. The request leaves the staged object to the processing it queued."""
    if copy_etag == "none":
        copy = storage.copy_object

        # No test uploads 5 GB: the single-request copy answers as the managed one.
        def copy_without_etag(*args, **kwargs):
            copy(*args, **kwargs)

        monkeypatch.setattr(storage, "copy_object", copy_without_etag)
    data = payload(300_000)
    ticket = browser.started(entry, "photo.jpg", len(data), "image/jpeg")
    assert browser.put(ticket["url"], data, ticket["headers"]).status_code == 200
    file = ArtworkFile.objects.get(pk=ticket["file"])
    staged = storage.staging_key(file.key)

    with _store_operations() as calls:
        status, done = browser.complete(ticket["file"])

    assert (status, done["state"]) == (200, FileState.UPLOADED)
    measured = [("HeadObject", file.key)] if copy_etag == "none" else []
    assert calls == [("HeadObject", staged), ("CopyObject", file.key), *measured]
    assert stored_bytes(file.key) == data
    # The staged object is the processing's to delete, first of all.
    assert stored_bytes(staged) == data
    with _store_operations() as calls:
        process_file(file.pk)
    assert calls[0] == ("DeleteObject", staged)
    assert storage.head_object(staged) is None
    storage.delete_object(file.key)


def test_completing_before_the_file_arrived_keeps_the_upload_open(browser, entry):
    ticket = browser.started(entry, "a.png", 1000, "image/png")

    status, answer = browser.complete(ticket["file"])

    assert status == 409
    assert answer == {
        "error": "not_uploaded",
        "message": "The file has not reached the store yet. Please upload it again.",
    }
    assert ArtworkFile.objects.get(pk=ticket["file"]).state == (
        FileState.AWAITING_UPLOAD
    )


def test_a_resumed_single_upload_gets_a_fresh_url(browser, entry):
    ticket = browser.started(entry, "a.png", 1000, "image/png")
    again = browser.started(entry, "a.png", 1000, "image/png")

    assert again["file"] == ticket["file"]
    assert again["resumed"] is True
    assert again["mode"] == "single"
    assert again["parts"] == []
    assert again["url"].startswith(storage.client().meta.endpoint_url)
    # The PUT arrived but its answer was lost: the store has the file already.
    data = payload(1000)
    assert browser.parts(again["file"]) == (200, {"parts": []})
    put = browser.put(again["url"], data, again["headers"])
    assert put.status_code == 200
    assert browser.parts(again["file"]) == (
        200,
        {"parts": [{"number": 1, "etag": put.headers["ETag"], "size": 1000}]},
    )
    third = browser.started(entry, "a.png", 1000, "image/png")
    assert third["parts"] == [{"number": 1, "etag": put.headers["ETag"], "size": 1000}]
    assert browser.complete(third["file"])[1]["state"] == FileState.UPLOADED
    storage.delete_object(ArtworkFile.objects.get(pk=third["file"]).key)


# Size lies --------------------------------------------------------------------


def test_a_single_put_of_another_length_than_declared_is_refused_by_the_store(
    browser, entry
):
    ticket = browser.started(entry, "a.jpg", 1_000_000, "image/jpeg")

    longer = browser.put(ticket["url"], payload(1_000_001), ticket["headers"])
    shorter = browser.put(ticket["url"], payload(999_999), ticket["headers"])

    _assert_refused_by_store(longer)
    _assert_refused_by_store(shorter)
    file = ArtworkFile.objects.get(pk=ticket["file"])
    assert storage.head_object(storage.staging_key(file.key)) is None


def test_a_size_lie_that_reaches_the_store_is_rejected_and_the_object_deleted(
    browser, entry
):
    """A store that did not check the signed length (here: the object written
    behind the signature's back) is caught by HeadObject at completion."""
    ticket = browser.started(entry, "a.jpg", 1_000_000, "image/jpeg")
    file = ArtworkFile.objects.get(pk=ticket["file"])
    storage.client().put_object(
        Bucket=storage.bucket(),
        Key=storage.staging_key(file.key),
        Body=payload(2_000_000),
    )

    status, answer = browser.complete(ticket["file"])

    assert status == 400
    assert answer == {
        "error": "size_mismatch",
        "message": "The file that arrived is not the size your browser announced, "
        "so it was not accepted. Please upload it again.",
    }
    file.refresh_from_db()
    assert file.state == FileState.REJECTED
    assert file.reason == "size_mismatch"
    assert file.size == 2_000_000
    assert storage.head_object(storage.staging_key(file.key)) is None
    assert _audit(file.pk)[-1] == (
        AuditVerb.STATE_CHANGED,
        FileState.AWAITING_UPLOAD,
        FileState.REJECTED,
        "size_mismatch",
    )
    assert browser.complete(ticket["file"]) == (400, answer)
    status, shown = browser.status(ticket["file"])
    assert shown["state"] == FileState.REJECTED
    assert shown["message"] == answer["message"]


def test_a_multipart_part_of_another_length_is_rejected_and_the_upload_aborted(
    browser, entry
):
    data = payload(20 * MiB)
    ticket = browser.started(entry, "clip.mov", len(data), "video/quicktime")
    file = ArtworkFile.objects.get(pk=ticket["file"])
    assert ticket["part_count"] == 3
    urls = browser.signed(file.pk, [1, 2, 3])
    assert browser.put(urls["1"], data[:PART_SIZE]).status_code == 200
    assert browser.put(urls["2"], data[PART_SIZE : 2 * PART_SIZE]).status_code == 200
    # The signed URL refuses a last part of the wrong length...
    lie = payload(10 * MiB)
    _assert_refused_by_store(browser.put(urls["3"], lie))
    # ...so only a store that ignores signed lengths could take it.
    storage.client().upload_part(
        Bucket=storage.bucket(),
        Key=storage.staging_key(file.key),
        UploadId=file.upload_id,
        PartNumber=3,
        Body=lie,
    )

    status, answer = browser.complete(file.pk, [])

    assert status == 400
    assert answer["error"] == "size_mismatch"
    file.refresh_from_db()
    assert file.state == FileState.REJECTED
    assert file.size == 2 * PART_SIZE + len(lie)
    with pytest.raises(ClientError):
        storage.list_parts(storage.staging_key(file.key), file.upload_id)
    assert storage.head_object(storage.staging_key(file.key)) is None


def test_an_object_over_the_limit_is_rejected_as_too_large(browser, entry):
    entry.category.max_image_bytes = 1 * MiB
    entry.category.save()
    ticket = browser.started(entry, "a.webp", 1 * MiB, "image/webp")
    file = ArtworkFile.objects.get(pk=ticket["file"])
    storage.client().put_object(
        Bucket=storage.bucket(),
        Key=storage.staging_key(file.key),
        Body=payload(2 * MiB),
    )

    status, answer = browser.complete(file.pk)

    assert status == 413
    assert answer["error"] == "too_large"
    file.refresh_from_db()
    assert (file.state, file.reason) == (FileState.REJECTED, "too_large")
    assert storage.head_object(storage.staging_key(file.key)) is None


def test_completing_with_missing_or_foreign_parts_keeps_the_upload(browser, entry):
    data = payload(12 * MiB)
    ticket = browser.started(entry, "song.wav", len(data), "audio/wav")
    urls = browser.signed(ticket["file"], [1, 2])
    one = browser.put(urls["1"], data[:PART_SIZE])

    missing = browser.complete(
        ticket["file"], [{"number": 1, "etag": one.headers["ETag"]}]
    )
    two = browser.put(urls["2"], data[PART_SIZE:])
    wrong_etag = browser.complete(
        ticket["file"],
        [
            {"number": 1, "etag": one.headers["ETag"]},
            {"number": 2, "etag": one.headers["ETag"]},
        ],
    )

    assert two.status_code == 200
    assert missing == (
        409,
        {
            "error": "parts_missing",
            "message": "Not every part of the file has arrived: 1 of 2 are missing. "
            "Please upload them and try again.",
        },
    )
    assert wrong_etag == (
        409,
        {
            "error": "parts_mismatch",
            "message": "Part 2 is not stored as your browser reports it. Please "
            "upload that part again.",
        },
    )
    garbage = [
        browser.complete(ticket["file"], parts)
        for parts in ([{"number": [1]}], [7], "all of them", [{"number": 3}])
    ]
    assert [(status, answer["error"]) for status, answer in garbage] == [
        (409, "parts_mismatch"),
        (409, "parts_mismatch"),
        (400, "bad_request"),
        (409, "parts_mismatch"),
    ]
    assert garbage[0][1]["message"] == (
        "Part ? is not stored as your browser reports it. Please upload that part "
        "again."
    )
    assert ArtworkFile.objects.get(pk=ticket["file"]).state == (
        FileState.AWAITING_UPLOAD
    )
    # Without ETags (a store whose CORS rules hide them) the store's list decides.
    status, done = browser.complete(ticket["file"], [{"number": 1}, {"number": 2}])
    assert (status, done["state"]) == (200, FileState.UPLOADED)
    storage.delete_object(ArtworkFile.objects.get(pk=ticket["file"]).key)


# What is signed ---------------------------------------------------------------


def test_part_numbers_outside_the_file_are_not_signed(browser, entry):
    ticket = browser.started(entry, "long.webm", 20 * MiB, "video/webm")
    file_pk = ticket["file"]

    answers = [
        browser.sign(file_pk, numbers)
        for numbers in ([0], [4], [-1], [10_001], ["1"], [True], [1.5], [], None)
    ]
    too_many = browser.sign(file_pk, list(range(1, 22)))

    out_of_range = {
        "error": "bad_part_number",
        "message": "This file has parts 1 to 3 only.",
    }
    assert answers[:7] == [(400, out_of_range)] * 7
    assert (
        answers[7:]
        == [
            (
                400,
                {
                    "error": "bad_request",
                    "message": "Say which parts of the file to sign, by number.",
                },
            )
        ]
        * 2
    )
    assert too_many == (
        400,
        {
            "error": "too_many_parts",
            "message": "Ask for at most 20 part addresses at a time.",
        },
    )


def test_a_signed_part_url_cannot_be_turned_into_another_part_or_a_delete(
    browser, entry
):
    data = payload(9 * MiB)
    ticket = browser.started(entry, "a.mp4", len(data), "video/mp4")
    file = ArtworkFile.objects.get(pk=ticket["file"])
    urls = browser.signed(file.pk, [1, 2])
    url = urls["1"]

    query = query_of(url)
    assert query["uploadId"] == file.upload_id
    assert query["partNumber"] == "1"
    assert query["X-Amz-SignedHeaders"] == "content-length;host"
    assert urlsplit(url).path == f"/{storage.bucket()}/{storage.staging_key(file.key)}"
    assert query_of(urls["2"])["partNumber"] == "2"

    moved = browser.put(url.replace("partNumber=1", "partNumber=5"), data[:PART_SIZE])
    _assert_refused_by_store(moved)
    assert browser.put(url, data[:PART_SIZE]).status_code == 200
    # The same URL with another method is another request: the store refuses it.
    deleted = requests.delete(url, timeout=10)
    _assert_refused_by_store(deleted)
    assert [
        part["number"]
        for part in storage.list_parts(storage.staging_key(file.key), file.upload_id)
    ] == [1]
    with pytest.raises(ValueError):
        storage.presign("delete_object", Key=file.key)
    with pytest.raises(ValueError):
        storage.presign("abort_multipart_upload", Key=file.key, UploadId="x")
    # The key that is kept is never signed, not even for an upload.
    with pytest.raises(ValueError):
        storage.presign("put_object", Key=file.key, ContentLength=10)
    storage.abort_multipart_upload(storage.staging_key(file.key), file.upload_id)


def test_the_key_holds_no_part_of_the_file_name(browser, entry):
    ticket = browser.started(entry, "Chan Tai Man portrait.jpg", 10, "image/jpeg")
    file = ArtworkFile.objects.get(pk=ticket["file"])

    assert re.fullmatch(rf"originals/{entry.round_id}/[0-9a-f]{{32}}", file.key)
    for word in ("chan", "tai", "man", "portrait", "jpg"):
        assert word not in file.key.lower()
        assert word not in ticket["url"].split("?")[0].lower()


# Who may upload -----------------------------------------------------------------


def test_another_entrants_entry_and_files_are_not_found_at_every_endpoint(
    client, entry, entrant
):
    owner = Browser(Client())
    owner.client.force_login(entrant)
    ticket = owner.started(entry, "a.mp4", 9 * MiB, "video/mp4")
    other = make_entrant()
    client.force_login(other)
    stranger = Browser(client)
    not_found = {
        "error": "not_found",
        "message": "There is no such entry or file for you.",
    }

    answers = [
        stranger.start(entry, "b.jpg", 10, "image/jpeg"),
        stranger.sign(ticket["file"], [1]),
        stranger.parts(ticket["file"]),
        stranger.complete(ticket["file"], []),
        stranger.abort(ticket["file"]),
        stranger.status(ticket["file"]),
        stranger.status(999_999),
        stranger.call("POST", "upload_start", data={"entry": 999_999}),
    ]

    assert answers == [(404, not_found)] * 8
    assert ArtworkFile.objects.get(pk=ticket["file"]).state == (
        FileState.AWAITING_UPLOAD
    )
    file = ArtworkFile.objects.get(pk=ticket["file"])
    storage.abort_multipart_upload(storage.staging_key(file.key), file.upload_id)


def test_staff_see_an_uploads_status_but_cannot_upload(client, entry):
    owner = Browser(Client())
    owner.client.force_login(entry.entrant)
    ticket = owner.started(entry, "a.jpg", 10, "image/jpeg")
    staff = Browser(sign_in_with_two_factor(client, make_staff()))

    assert staff.status(ticket["file"]) == (
        200,
        {
            "file": ticket["file"],
            "state": FileState.AWAITING_UPLOAD,
            "reason": "",
            "message": "",
            "name": "a.jpg",
            "size": None,
        },
    )
    assert staff.start(entry, "b.jpg", 10, "image/jpeg")[0] == 404
    assert staff.complete(ticket["file"])[0] == 404


def test_staff_without_two_factor_see_no_uploads_status(client, entry):
    owner = Browser(Client())
    owner.client.force_login(entry.entrant)
    ticket = owner.started(entry, "a.jpg", 10, "image/jpeg")
    client.force_login(make_staff())  # The password only.

    assert Browser(client).status(ticket["file"]) == (
        404,
        {"error": "not_found", "message": "There is no such entry or file for you."},
    )


def test_the_caseworker_who_filed_the_entry_uploads_for_the_artist(client):
    caseworker = make_caseworker()
    artist = make_entrant()
    entry = make_entry(artist, filed_by=caseworker)
    client.force_login(caseworker)
    browser = Browser(client)

    status, done = browser.upload(entry, "painting.png", payload(5000), "image/png")

    assert status == 200
    assert done["state"] == FileState.UPLOADED
    file = ArtworkFile.objects.get(pk=done["file"])
    assert file.owner == caseworker
    assert file.entry == entry
    # Another caseworker, and the artist, cannot touch the caseworker's upload.
    other = Browser(Client())
    other.client.force_login(make_caseworker())
    assert other.start(entry, "b.png", 10, "image/png")[0] == 404
    artist_browser = Browser(Client())
    artist_browser.client.force_login(artist)
    assert artist_browser.abort(file.pk)[0] == 404
    storage.delete_object(file.key)


def test_an_entry_of_a_closed_round_takes_no_files(browser, entrant):
    round_ = make_open_round()
    entry = make_entry(entrant, round_=round_)
    round_.state = RoundState.CLOSED
    round_.save(update_fields=["state"])

    assert browser.start(entry, "a.jpg", 10, "image/jpeg") == (
        409,
        {
            "error": "round_closed",
            "message": "The deadline of this round has passed, so files can no "
            "longer be uploaded.",
        },
    )
    assert ArtworkFile.objects.filter(entry=entry).count() == 0


def test_a_withdrawn_entry_takes_no_files(browser, entrant):
    entry = make_entry(entrant, state=EntryState.WITHDRAWN)

    assert browser.start(entry, "a.jpg", 10, "image/jpeg") == (
        409,
        {
            "error": "entry_withdrawn",
            "message": "This entry was withdrawn, so files can no longer be added "
            "to it.",
        },
    )


# Bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "size", "content_type", "status", "code"),
    [
        ("setup.exe", 1000, "application/x-msdownload", 400, "unsupported_type"),
        ("photo", 1000, "image/jpeg", 400, "unsupported_type"),
        (".jpg", 1000, "image/jpeg", 400, "unsupported_type"),
        ("page.jpg", 1000, "text/html", 400, "type_mismatch"),
        ("clip.mp4", 1000, "image/jpeg", 400, "type_mismatch"),
        ("empty.jpg", 0, "image/jpeg", 400, "empty"),
        ("negative.jpg", -5, "image/jpeg", 400, "empty"),
        ("huge.jpg", 50 * MiB + 1, "image/jpeg", 413, "too_large"),
        ("huge.mp4", 4096 * MiB + 1, "video/mp4", 413, "too_large"),
        ("", 1000, "image/jpeg", 400, "bad_request"),
    ],
)
def test_files_the_category_cannot_take_are_refused_with_a_reason(
    browser, entry, name, size, content_type, status, code
):
    answer_status, answer = browser.start(entry, name, size, content_type)

    assert (answer_status, answer["error"]) == (status, code)
    assert answer["message"]
    assert ArtworkFile.objects.filter(entry=entry).count() == 0


def test_the_refusal_messages_say_what_is_accepted(browser, entry, settings):
    entry.category.media_kinds = ["image", "text"]
    entry.category.save()

    assert browser.start(entry, "setup.exe", 10, "")[1]["message"] == (
        "Files of this type cannot be entered. This category takes photos and "
        "images: JPEG, PNG, WebP, GIF, HEIC, TIFF."
    )
    assert browser.start(entry, "song.mp3", 10, "audio/mpeg")[1] == {
        "error": "kind_not_accepted",
        "message": "This category does not take files of the kind “Audio”. This "
        "category takes photos and images: JPEG, PNG, WebP, GIF, HEIC, TIFF.",
    }
    assert browser.start(entry, "page.jpg", 10, "text/html")[1]["message"] == (
        "The file's name says it is of the kind “Image”, but your browser says it "
        "is “text/html”. Please check that you chose the right file."
    )
    assert browser.start(entry, "huge.jpg", 51 * MiB, "image/jpeg")[1]["message"] == (
        "The file is 51.0\xa0MB; this category takes Image files of up to 50.0\xa0MB."
    )
    entry.category.media_kinds = ["video", "document"]
    entry.category.save()
    browser.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    assert browser.start(entry, "setup.exe", 10, "")[1]["message"] == (
        "不能以這類檔案參賽。此組別接受影片：MP4、MOV、WebM、M4V；文件：PDF。"
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\chan\\Desktop\\art.png", "art.png"),
        ("bad\x00na\x1bme\r\n.jpg", "badname.jpg"),
        ("photo\u202egpj.exe.jpg", "photogpj.exe.jpg"),
        ("  .hidden.png  ", "hidden.png"),
        ("我的畫作 🎨.jpg", "我的畫作 🎨.jpg"),
        ("家族👨\u200d👩\u200d👧.png", "家族👨\u200d👩\u200d👧.png"),
    ],
)
def test_hostile_and_international_names_are_made_safe_to_show(
    browser, entry, name, shown
):
    status, ticket = browser.start(entry, name, 10, "image/jpeg")

    assert status == 200
    assert ticket["name"] == shown
    file = ArtworkFile.objects.get(pk=ticket["file"])
    assert file.original_name == shown
    assert re.fullmatch(rf"originals/{entry.round_id}/[0-9a-f]{{32}}", file.key)


def test_a_thousand_character_name_is_shortened_before_its_extension(browser, entry):
    status, ticket = browser.start(entry, "畫" * 1000 + ".png", 10, "image/png")

    assert status == 200
    assert ticket["name"] == "畫" * 146 + ".png"
    assert len(ticket["name"]) == 150


def test_too_many_files_are_refused_and_a_rejected_file_does_not_count(browser, entry):
    entry.category.max_files = 2
    entry.category.save()
    assert browser.start(entry, "one.jpg", 10, "image/jpeg")[0] == 200
    second = browser.started(entry, "two.jpg", 10, "image/jpeg")

    third = browser.start(entry, "three.jpg", 10, "image/jpeg")
    ArtworkFile.objects.filter(pk=second["file"]).update(
        state=FileState.REJECTED, reason="size_mismatch"
    )
    fourth = browser.start(entry, "four.jpg", 10, "image/jpeg")

    assert third == (
        409,
        {
            "error": "too_many_files",
            "message": "This entry already has 2 files, the most this category "
            "takes. Remove one to add another.",
        },
    )
    assert fourth[0] == 200
    assert list(
        ArtworkFile.objects.filter(entry=entry)
        .order_by("pk")
        .values_list("original_name", "position")
    ) == [("one.jpg", 0), ("two.jpg", 1), ("four.jpg", 2)]


def test_each_person_has_at_most_six_uploads_open(browser, entrant):
    entries = [make_entry(entrant) for _ in range(2)]
    for number in range(6):
        browser.started(entries[number % 2], f"{number}.jpg", 10, "image/jpeg")

    refused = browser.start(entries[0], "seventh.jpg", 10, "image/jpeg")
    resumed = browser.start(entries[0], "0.jpg", 10, "image/jpeg")

    assert refused == (
        409,
        {
            "error": "too_many_uploads",
            "message": "You have 6 uploads in progress. Let them finish, or cancel "
            "one, before you start another.",
        },
    )
    assert resumed[0] == 200
    assert resumed[1]["resumed"] is True
    # Finishing or cancelling one frees a place.
    assert browser.abort(resumed[1]["file"]) == (
        200,
        {"file": resumed[1]["file"], "state": "aborted"},
    )
    assert browser.start(entries[0], "seventh.jpg", 10, "image/jpeg")[0] == 200


def test_the_bytes_in_flight_are_capped(browser, entrant):
    entries = [make_entry(entrant) for _ in range(3)]
    tickets = [
        browser.start(entries[n], f"{n}.mp4", 3 * 1024 * MiB, "video/mp4")
        for n in range(3)
    ]

    assert [status for status, _ in tickets[:2]] == [200, 200]
    assert tickets[2] == (
        409,
        {
            "error": "too_many_bytes",
            "message": "Your uploads in progress add up to more than 8.0\xa0GB. Let "
            "them finish before you start this one.",
        },
    )
    for _status, ticket in tickets[:2]:
        assert browser.abort(ticket["file"])[0] == 200


def test_cancelling_a_multipart_upload_drops_its_parts(browser, entry):
    data = payload(9 * MiB)
    ticket = browser.started(entry, "a.mp4", len(data), "video/mp4")
    file = ArtworkFile.objects.get(pk=ticket["file"])
    urls = browser.signed(file.pk, [1])
    assert browser.put(urls["1"], data[:PART_SIZE]).status_code == 200

    assert browser.abort(file.pk) == (200, {"file": file.pk, "state": "aborted"})

    assert not ArtworkFile.objects.filter(pk=file.pk).exists()
    with pytest.raises(ClientError):
        storage.list_parts(storage.staging_key(file.key), file.upload_id)
    assert _audit(file.pk)[-1] == (
        AuditVerb.DELETED,
        FileState.AWAITING_UPLOAD,
        "",
        "aborted",
    )
    assert browser.status(file.pk)[0] == 404


def test_a_finished_file_cannot_be_cancelled(browser, entry):
    status, done = browser.upload(entry, "a.gif", payload(100), "image/gif")
    assert status == 200

    assert browser.abort(done["file"]) == (
        409,
        {
            "error": "already_uploaded",
            "message": "This file has finished uploading; it can no longer be "
            "cancelled.",
        },
    )
    file = ArtworkFile.objects.get(pk=done["file"])
    assert storage.head_object(file.key)["ContentLength"] == 100
    storage.delete_object(file.key)


def test_an_upload_the_store_forgot_starts_over(browser, entry):
    ticket = browser.started(entry, "a.mp4", 9 * MiB, "video/mp4")
    file = ArtworkFile.objects.get(pk=ticket["file"])
    storage.abort_multipart_upload(storage.staging_key(file.key), file.upload_id)

    status, again = browser.start(entry, "a.mp4", 9 * MiB, "video/mp4")

    assert status == 200
    assert again["resumed"] is False
    assert again["file"] != file.pk
    assert not ArtworkFile.objects.filter(pk=file.pk).exists()
    new = ArtworkFile.objects.get(pk=again["file"])
    storage.abort_multipart_upload(storage.staging_key(new.key), new.upload_id)


# The HTTP layer -----------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused_in_json(entry):
    client = Client(enforce_csrf_checks=True)
    client.force_login(entry.entrant)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    url = reverse("upload_start")
    body = json.dumps(
        {"entry": entry.pk, "name": "a.jpg", "size": 10, "type": "image/jpeg"}
    )

    without = client.post(url, body, content_type="application/json")
    with_token = client.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": token}
    )

    assert without.status_code == 403
    assert without.json() == {
        "error": "csrf_failed",
        "message": "The page is out of date. Please reload it; your upload will "
        "continue where it stopped.",
    }
    assert with_token.status_code == 200
    assert with_token.json()["mode"] == "single"


def test_a_signed_out_browser_is_told_to_sign_in(client, entry):
    response = client.post(
        reverse("upload_start"), "{}", content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": "login_required",
        "message": "Your session has ended. Please sign in again; your upload will "
        "continue where it stopped.",
    }


def test_wrong_methods_and_unreadable_bodies_get_json_errors(browser, entry):
    client = browser.client
    url = reverse("upload_start")

    get = client.get(url)
    garbage = client.post(url, "not json", content_type="application/json")
    a_list = client.post(url, "[1, 2]", content_type="application/json")
    bad_size = browser.call(
        "POST",
        "upload_start",
        data={"entry": entry.pk, "name": "a.jpg", "size": "ten", "type": ""},
    )

    assert (get.status_code, get.json()["error"], get["Allow"]) == (
        405,
        "method_not_allowed",
        "POST",
    )
    assert (garbage.status_code, garbage.json()["error"]) == (400, "bad_json")
    assert (a_list.status_code, a_list.json()["error"]) == (400, "bad_json")
    assert bad_size == (
        400,
        {"error": "bad_request", "message": "Give the file's size in bytes."},
    )


def test_the_api_is_rate_limited_per_person(browser, entry, settings, monkeypatch):
    settings.UPLOAD_API_RATE_PER_MINUTE = 3
    # The window is a clock minute: the test sets the limit's clock to 50 s
    # into one.
    now = [1_800_000_050.0]
    monkeypatch.setattr(upload_views, "clock", lambda: now[0])
    ticket = browser.started(entry, "a.jpg", 10, "image/jpeg")

    answers = [browser.status(ticket["file"]) for _ in range(3)]
    response = browser.client.get(reverse("upload_status", args=[ticket["file"]]))
    someone_else = Browser(Client())
    someone_else.client.force_login(make_entrant())
    others = someone_else.status(ticket["file"])[0]
    now[0] += 10
    next_minute = browser.status(ticket["file"])[0]

    assert [status for status, _ in answers] == [200, 200, 429]
    assert answers[2][1] == {
        "error": "rate_limited",
        "message": "Too many upload requests in a short time. Please wait a "
        "minute; your upload will continue.",
    }
    assert response.status_code == 429
    assert response["Retry-After"] == "11"
    assert others == 404
    assert next_minute == 200


# What is kept cannot be written by any signed URL -------------------------------


def _downloaded(client, file):
    """The bytes the entrant's download link gives, over real HTTP."""
    response = client.get(reverse("file_download", args=[file.pk]))
    assert response.status_code == 302
    return requests.get(response["Location"], timeout=10).content


def test_an_old_single_put_url_replayed_after_completion_leaves_the_file_unchanged(
    browser, entry
):
    photo = fixtures.jpeg_bytes((64, 48))
    ticket = browser.started(entry, "harbour.jpg", len(photo), "image/jpeg")
    assert browser.put(ticket["url"], photo, ticket["headers"]).status_code == 200
    assert browser.complete(ticket["file"])[1]["state"] == FileState.UPLOADED
    file = process_file(ticket["file"])
    assert file.state == FileState.READY

    html = b"<html><script>alert(1)</script></html>".ljust(len(photo), b" ")
    replay = browser.put(ticket["url"], html, ticket["headers"])

    # The store may take the bytes, but only where nothing is kept.
    assert replay.status_code in {200, 403}
    assert stored_bytes(file.key) == photo
    assert browser.status(file.pk)[1]["state"] == FileState.READY
    assert _downloaded(browser.client, file) == photo
    # The URL the page was given was never one for the object that is kept.
    assert urlsplit(ticket["url"]).path == (
        f"/{storage.bucket()}/{storage.staging_key(file.key)}"
    )
    storage.delete_object(file.key)
    storage.delete_object(storage.staging_key(file.key))


def test_an_old_part_url_replayed_after_completion_leaves_the_file_unchanged(
    browser, entry
):
    data = payload(12 * MiB)
    ticket = browser.started(entry, "dance.mp4", len(data), "video/mp4")
    urls = browser.signed(ticket["file"], [1, 2])
    part_size = ticket["part_size"]
    for number, url in urls.items():
        start = (int(number) - 1) * part_size
        assert browser.put(url, data[start : start + part_size]).status_code == 200
    assert browser.complete(ticket["file"], [])[1]["state"] == FileState.UPLOADED
    file = ArtworkFile.objects.get(pk=ticket["file"])

    replay = browser.put(urls["1"], payload(part_size))

    assert replay.status_code != 200
    assert stored_bytes(file.key) == data
    assert _downloaded(browser.client, file) == data
    # The upload stays staged, unchanged, until its processing deletes it.
    assert stored_bytes(storage.staging_key(file.key)) == data
    process_file(file.pk)
    assert storage.head_object(storage.staging_key(file.key)) is None
    storage.delete_object(file.key)


# Outages: a clear answer in JSON, never a 500 ---------------------------------------

STORAGE_UNAVAILABLE = {
    "error": "storage_unavailable",
    "message": "Our file store cannot be reached just now. What you uploaded is "
    "kept: please press Retry in a moment.",
}


def test_the_upload_api_goes_on_while_its_cache_is_down(
    browser, entry, own_redis, caplog
):
    with override_settings(CACHES={"default": cache_config(own_redis.url)}):
        first = browser.start(entry, "one.jpg", 10, "image/jpeg")
        counters = redis.Redis.from_url(own_redis.url).keys("*uploads:rate:*")
        own_redis.stop()
        second = browser.start(entry, "two.jpg", 10, "image/jpeg")
        status = browser.status(second[1]["file"])

    assert first[0] == 200
    # The rate limit was counted in that Redis while it was there...
    assert len(counters) == 1
    # ...and without it the requests go through, and the outage is logged.
    assert (second[0], second[1]["name"], second[1]["mode"]) == (
        200,
        "two.jpg",
        "single",
    )
    assert status[1]["state"] == FileState.AWAITING_UPLOAD
    assert "The cache cannot be reached" in caplog.text


def test_with_the_store_down_the_api_answers_storage_unavailable_in_json(
    browser, entry, own_s3_server, settings
):
    settings.STORAGES = own_s3_server.storages()
    settings.S3_ENDPOINT_URL = own_s3_server.endpoint_url
    data = payload(1000)
    ticket = browser.started(entry, "a.png", len(data), "image/png")
    assert browser.put(ticket["url"], data, ticket["headers"]).status_code == 200

    own_s3_server.stop()
    completed = browser.complete(ticket["file"])
    browser.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    started = browser.start(entry, "dance.mp4", 9 * MiB, "video/mp4")

    assert completed == (503, STORAGE_UNAVAILABLE)
    assert started == (
        503,
        {
            "error": "storage_unavailable",
            "message": _in_chinese(STORAGE_UNAVAILABLE["message"]),
        },
    )
    assert started[1]["message"] != STORAGE_UNAVAILABLE["message"]
    # Nothing was lost or half made: the upload waits to be completed.
    assert list(
        ArtworkFile.objects.filter(entry=entry).values_list("original_name", "state")
    ) == [("a.png", FileState.AWAITING_UPLOAD)]


def _in_chinese(text):
    with translation.override("zh-hant"):
        return translation.gettext(text)


def test_errors_outside_the_api_views_are_json_for_the_pages_script(client, entry):
    script = {"accept": "application/json"}
    signed_out_status = client.get(reverse("file_status") + "?file=1", headers=script)
    client.force_login(entry.entrant)
    no_such_address = client.get("/uploads/no-such-step/", headers=script)
    wrong_method = client.post(reverse("file_status"), headers=script)

    assert (signed_out_status.status_code, signed_out_status.json()) == (
        403,
        {
            "error": "login_required",
            "message": "Your session has ended. Please sign in again.",
        },
    )
    assert (no_such_address.status_code, no_such_address.json()) == (
        404,
        {
            "error": "not_found",
            "message": "There is no page at this address. It may have moved or "
            "been removed.",
        },
    )
    assert (wrong_method.status_code, wrong_method.json()["error"]) == (
        405,
        "method_not_allowed",
    )


def test_a_csrf_failure_at_a_json_endpoint_is_answered_in_json(entry):
    client = Client(enforce_csrf_checks=True)
    client.force_login(entry.entrant)

    response = client.post(reverse("file_status"))

    assert (response.status_code, response.json()) == (
        403,
        {
            "error": "csrf_failed",
            "message": "For your security the form could not be sent, for "
            "example because you were logged out or the page was open for a long "
            "time. Nothing was saved.",
        },
    )


def test_a_request_too_large_to_read_is_413_in_json(entry, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(entry.entrant)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    body = "name=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post(
        reverse("upload_start"),
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-CSRFToken": token},
    )

    assert (response.status_code, response.json()) == (
        413,
        {"error": "too_big", "message": "The request is too large."},
    )


def test_an_unexpected_error_in_a_json_endpoint_is_a_json_500():
    request = RequestFactory().post("/uploads/start/")
    request.resolver_match = resolve("/uploads/start/")

    response = server_error(request)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "error": "server_error",
        "message": "The portal could not finish your request. Nothing you sent was "
        "lost; please try again in a moment.",
    }
