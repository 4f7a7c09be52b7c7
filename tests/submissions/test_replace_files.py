"""A file of a draft is removed, or replaced by a new one in its place, until the
deadline; a file that processing refused also in a submitted entry, within the
grace window after the deadline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions import storage
from submissions.enums import EntryState, FileState
from submissions.models import ArtworkFile, Derivative
from submissions.services.processing import process_file
from tests import entry_factories, factories
from tests import processing_fixtures as fixtures
from tests.upload_helpers import Browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def entrant():
    return factories.make_entrant()


@pytest.fixture
def round_():
    return entry_factories.make_open_round()


@pytest.fixture
def browser(client, entrant):
    client.force_login(entrant)
    return Browser(client)


def _refused(entry, *, position=3, state=FileState.REJECTED):
    return ArtworkFile.objects.create(
        entry=entry,
        owner=entry.entrant,
        position=position,
        kind="image",
        key=f"originals/test/{entry.pk}-{position}",
        original_name="broken.jpg",
        content_type="image/jpeg",
        declared_size=10,
        state=state,
        reason="corrupt" if state == FileState.REJECTED else "",
    )


def _start(browser, entry, replaces):
    data = fixtures.jpeg_bytes((64, 48))
    return browser.call(
        "POST",
        "upload_start",
        data={
            "entry": entry.pk,
            "name": "fixed.jpg",
            "size": len(data),
            "type": "image/jpeg",
            "replaces": replaces,
        },
    )


def _past_deadline(round_, *, minutes_ago):
    round_.closes_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    round_.save(update_fields=["closes_at"])


def test_a_refused_file_is_replaced_in_its_place(browser, entrant, round_):
    entry = entry_factories.make_entry(round_, entrant=entrant)
    refused = _refused(entry)

    status, ticket = _start(browser, entry, refused.pk)

    assert status == 200, ticket
    new = ArtworkFile.objects.get(pk=ticket["file"])
    assert new.position == 3
    assert not ArtworkFile.objects.filter(pk=refused.pk).exists()
    assert AuditEvent.objects.filter(
        verb=AuditVerb.DELETED, object_id=str(refused.pk), reason="replaced"
    ).exists()


def test_a_submitted_entrys_refused_file_is_replaced_within_the_grace_window(
    browser, entrant, round_
):
    entry = entry_factories.make_submitted_entry(round_, entrant=entrant)
    refused = _refused(entry)
    _past_deadline(round_, minutes_ago=1)

    # After the deadline a new file may not be added, but the refused one replaced.
    status, answer = _start(browser, entry, None)
    assert (status, answer["error"]) == (409, "round_closed")
    status, ticket = _start(browser, entry, refused.pk)
    assert status == 200, ticket

    _past_deadline(round_, minutes_ago=round_.upload_grace_minutes + 1)
    another = _refused(entry, position=4)
    status, answer = _start(browser, entry, another.pk)
    assert (status, answer["error"]) == (409, "round_closed")


def test_a_drafts_refused_file_is_not_replaced_after_the_deadline(
    browser, entrant, round_
):
    entry = entry_factories.make_entry(round_, entrant=entrant)
    assert entry.state == EntryState.DRAFT
    refused = _refused(entry)
    _past_deadline(round_, minutes_ago=1)

    status, answer = _start(browser, entry, refused.pk)

    assert (status, answer["error"]) == (409, "round_closed")
    assert ArtworkFile.objects.filter(pk=refused.pk).exists()


@pytest.mark.parametrize(
    "replaces", ["submitted-ready", "other-entry", "missing", "text"]
)
def test_only_a_file_of_the_same_entry_can_be_replaced(
    browser, entrant, round_, replaces
):
    entry = entry_factories.make_entry(round_, entrant=entrant)
    if replaces == "submitted-ready":
        entry = entry_factories.make_submitted_entry(round_, entrant=entrant)
    target = {
        "submitted-ready": lambda: _refused(entry, state=FileState.READY).pk,
        "other-entry": lambda: (
            _refused(
                entry_factories.make_entry(round_, entrant=factories.make_entrant())
            ).pk
        ),
        "missing": lambda: 999_999,
        "text": lambda: "1",
    }[replaces]()

    status, answer = _start(browser, entry, target)

    assert (status, answer["error"]) == (409, "not_replaceable")
    assert (
        ArtworkFile.objects.filter(entry=entry, original_name="fixed.jpg").count() == 0
    )


# Removing and replacing an accepted file ------------------------------------------


def _ready_photo(browser, entry, name="harbour.jpg"):
    """A photo uploaded through the protocol and processed: READY, with its
    derivatives stored."""
    status, done = browser.upload(
        entry, name, fixtures.jpeg_bytes((640, 480)), "image/jpeg"
    )
    assert status == 200, done
    file = process_file(done["file"])
    assert file.state == FileState.READY
    return file


def _the_one_ready_photo(browser, entrant, round_):
    """A draft in a category taking one file, and the photo that fills it."""
    entry = entry_factories.make_entry(round_, entrant=entrant)
    entry.category.max_files = 1
    entry.category.save()
    return entry, _ready_photo(browser, entry)


def _stored_keys(file):
    keys = [file.key, storage.staging_key(file.key)]
    keys += list(file.derivatives.values_list("key", flat=True))
    return keys


def _remove(browser, file):
    return browser.call("POST", "upload_remove", file=file.pk)


def test_a_drafts_accepted_file_is_removed_with_its_copies_and_frees_a_place(
    browser, entrant, round_
):
    entry, photo = _the_one_ready_photo(browser, entrant, round_)
    keys = _stored_keys(photo)
    assert photo.derivatives.count() >= 2
    assert [storage.head_object(key) is not None for key in keys[2:]] == [True] * (
        len(keys) - 2
    )
    full = browser.start(entry, "better.jpg", 1000, "image/jpeg")

    removed = _remove(browser, photo)

    assert full[1]["error"] == "too_many_files"
    assert removed == (200, {"file": photo.pk, "state": "removed"})
    assert not ArtworkFile.objects.filter(pk=photo.pk).exists()
    assert not Derivative.objects.filter(artwork_file_id=photo.pk).exists()
    assert [storage.head_object(key) for key in keys] == [None] * len(keys)
    event = AuditEvent.objects.filter(object_id=str(photo.pk)).latest("pk")
    assert (event.verb, event.actor, event.from_state, event.reason) == (
        AuditVerb.DELETED,
        entrant,
        FileState.READY,
        "removed",
    )
    # The place it took is free again.
    assert browser.start(entry, "better.jpg", 1000, "image/jpeg")[0] == 200


def test_a_drafts_accepted_file_is_replaced_in_its_place_and_its_copies_deleted(
    browser, entrant, round_
):
    entry, photo = _the_one_ready_photo(browser, entrant, round_)
    keys = _stored_keys(photo)

    status, ticket = _start(browser, entry, photo.pk)

    assert status == 200, ticket
    assert ArtworkFile.objects.get(pk=ticket["file"]).position == photo.position
    assert not ArtworkFile.objects.filter(pk=photo.pk).exists()
    assert [storage.head_object(key) for key in keys] == [None] * len(keys)


@pytest.mark.parametrize("case", ["submitted", "after-deadline", "stranger"])
def test_an_accepted_file_stays_where_it_may_not_be_removed(
    client, browser, entrant, round_, case
):
    entry = entry_factories.make_entry(round_, entrant=entrant)
    photo = _ready_photo(browser, entry)
    if case == "submitted":
        entry.state = EntryState.SUBMITTED
        entry.save(update_fields=["state"])
    elif case == "after-deadline":
        _past_deadline(round_, minutes_ago=1)
    else:
        client.force_login(factories.make_entrant())

    status, answer = _remove(browser, photo)

    assert (status, answer) == {
        "submitted": (
            409,
            {
                "error": "not_removable",
                "message": "The accepted files of a submitted entry stay as they "
                "are. You may still add files until the deadline.",
            },
        ),
        "after-deadline": (
            409,
            {
                "error": "round_closed",
                "message": "The deadline of this round has passed, so files can no "
                "longer be uploaded.",
            },
        ),
        "stranger": (
            404,
            {
                "error": "not_found",
                "message": "There is no such entry or file for you.",
            },
        ),
    }[case]
    assert ArtworkFile.objects.get(pk=photo.pk).state == FileState.READY
    assert storage.head_object(photo.key) is not None


def test_the_file_list_offers_remove_and_replace_for_every_file_of_a_draft(
    browser, entrant, round_
):
    entry = entry_factories.make_entry(round_, entrant=entrant)
    photo = _ready_photo(browser, entry)

    page = browser.client.get(reverse("entry_edit", args=[entry.pk])).text
    entry.state = EntryState.SUBMITTED
    entry.save(update_fields=["state"])
    submitted = browser.client.get(reverse("entry_edit", args=[entry.pk])).text

    remove = f'data-remove-file="{photo.pk}"'
    replace = f'data-replace-file="{photo.pk}"'
    assert (remove in page, replace in page) == (True, True)
    assert (remove in submitted, replace in submitted) == (False, False)
