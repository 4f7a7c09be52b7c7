"""A file that processing refused is replaced by a new one in its place: until the
deadline, and for a submitted entry within the grace window after it."""

import datetime

import pytest
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import EntryState, FileState
from submissions.models import ArtworkFile
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


@pytest.mark.parametrize("replaces", ["ready", "other-entry", "missing", "text"])
def test_only_a_refused_file_of_the_same_entry_can_be_replaced(
    browser, entrant, round_, replaces
):
    entry = entry_factories.make_entry(round_, entrant=entrant)
    target = {
        "ready": lambda: _refused(entry, state=FileState.READY).pk,
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
