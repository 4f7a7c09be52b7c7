"""A round's files are kept for its retention after its results are published;
then those of entries not shortlisted go, from storage and the database."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import RoundState
from submissions.models import ArtworkFile, Derivative, Entry, Round
from submissions.services.retention import (
    purge_files_after_retention,
    retention_ends_at,
)
from submissions.services.rounds import mark_shortlisted, set_round_state
from submissions.tasks import purge_files_after_retention_task
from tests import factories
from tests.submissions.privacy_helpers import (
    listed_keys,
    stored_derivative,
    submitted_with_file,
)
from tests.upload_helpers import make_open_round

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 9, 15, 4, 0, tzinfo=datetime.UTC)


def published_round(*, months_ago, retention_months, year):
    round_ = make_open_round(year=year)
    Round.objects.filter(pk=round_.pk).update(
        published_at=NOW - datetime.timedelta(days=31 * months_ago),
        retention_months=retention_months,
    )
    round_.refresh_from_db()
    return round_


def entry_with_files(round_, data):
    entrant = factories.make_entrant()
    entry, file = submitted_with_file(round_, entrant, data)
    stored_derivative(file, data=b"copy of " + data)
    return entry, file


def stored_keys(file):
    return {file.key, *file.derivatives.values_list("key", flat=True)}


@pytest.fixture
def due_round():
    return published_round(months_ago=7, retention_months=6, year=2024)


def test_retention_removes_the_files_of_entries_not_shortlisted(due_round):
    shortlisted, kept_file = entry_with_files(due_round, b"shortlisted")
    passed_over, gone_file = entry_with_files(due_round, b"passed over")
    staff = factories.make_staff()
    assert mark_shortlisted([shortlisted.pk], by=staff) == 1
    kept, gone = stored_keys(kept_file), stored_keys(gone_file)

    purged = purge_files_after_retention(now=NOW)

    assert purged == {due_round.pk: {"files": 1, "derivatives": 1}}
    listed = listed_keys("originals/", "derivatives/")
    assert gone & listed == set()
    assert kept <= listed
    assert list(ArtworkFile.objects.filter(entry__round=due_round)) == [kept_file]
    assert Derivative.objects.filter(artwork_file_id=gone_file.pk).count() == 0
    assert set(Entry.objects.filter(round=due_round)) == {shortlisted, passed_over}
    event = AuditEvent.objects.for_object(due_round).get(verb=AuditVerb.FILES_PURGED)
    assert (event.actor, event.reason, event.data) == (
        None,
        "retention",
        {"files": 1, "derivatives": 1, "retention_months": 6},
    )


def test_a_second_purge_changes_nothing(due_round):
    _entry, file = entry_with_files(due_round, b"passed over")
    purge_files_after_retention(now=NOW)

    again = purge_files_after_retention(now=NOW)

    assert again == {}
    assert factories.audit_count(due_round, verb=AuditVerb.FILES_PURGED) == 1
    assert ArtworkFile.objects.filter(pk=file.pk).exists() is False


def test_files_are_kept_until_the_retention_ends_and_when_none_is_set():
    early = published_round(months_ago=5, retention_months=6, year=2022)
    forever = published_round(months_ago=60, retention_months=None, year=2023)
    _entry, early_file = entry_with_files(early, b"early")
    _entry, forever_file = entry_with_files(forever, b"forever")

    purged = purge_files_after_retention(now=NOW)

    assert purged == {}
    assert stored_keys(early_file) | stored_keys(forever_file) <= listed_keys(
        "originals/", "derivatives/"
    )
    assert (
        ArtworkFile.objects.filter(pk__in=[early_file.pk, forever_file.pk]).count() == 2
    )


def test_retention_counts_calendar_months():
    round_ = Round(
        published_at=datetime.datetime(2027, 1, 31, 12, tzinfo=datetime.UTC),
        retention_months=1,
    )

    assert retention_ends_at(round_) == datetime.datetime(
        2027, 2, 28, 12, tzinfo=datetime.UTC
    )


def test_the_beat_task_purges(due_round):
    _entry, file = entry_with_files(due_round, b"passed over")
    Round.objects.filter(pk=due_round.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=31 * 7)
    )

    purge_files_after_retention_task.delay()

    assert ArtworkFile.objects.filter(pk=file.pk).exists() is False


def test_marking_shortlisted_keeps_the_first_moment(due_round):
    entry, _file = entry_with_files(due_round, b"work")
    staff = factories.make_staff()
    first = mark_shortlisted([entry], by=staff, now=NOW)

    second = mark_shortlisted([entry.pk], by=staff, now=NOW + datetime.timedelta(1))

    entry.refresh_from_db()
    assert (first, second, entry.shortlisted_at) == (1, 0, NOW)
    assert factories.audit_count(entry, verb=AuditVerb.UPDATED) == 1


def test_publishing_a_round_records_the_moment(django_capture_on_commit_callbacks):
    round_ = make_open_round()
    Round.objects.filter(pk=round_.pk).update(state=RoundState.DECIDED)
    round_.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        set_round_state(round_, RoundState.PUBLISHED, by=None)

    round_.refresh_from_db()
    assert round_.published_at is not None
    assert round_.state == RoundState.PUBLISHED


def test_staff_set_the_retention_of_an_open_round(client):
    staff = factories.make_staff()
    factories.sign_in_with_two_factor(client, staff)
    round_ = make_open_round()
    data = {
        name: getattr(round_, name)
        for name in (
            "title_en",
            "title_zh_hant",
            "theme_en",
            "theme_zh_hant",
            "rules_en",
            "rules_zh_hant",
        )
    }

    response = client.post(
        reverse("manage:round_edit", args=[round_.pk]),
        {**data, "retention_months": "18"},
    )

    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.retention_months == 18
    page = client.get(reverse("manage:round_detail", args=[round_.pk]))
    assert "Deleted 18 months after the results are published" in page.content.decode()
