"""Deadline reminders: drafts in open rounds are reminded 48 hours and 3 hours before
closing, each reminder once per entry, in the entrant's language, by beat."""

import datetime
import logging

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from artsprize.accounts.enums import Language
from artsprize.celery import REMINDER_SECONDS, app
from submissions.enums import EntryState, RoundState
from submissions.models import Entry, Round
from submissions.services.entries import withdraw_entry
from submissions.services.reminders import remind_unsubmitted_drafts
from submissions.tasks import mail_deadline_reminder, remind_unsubmitted_drafts_task
from tests import factories
from tests.entry_factories import (
    make_artist_without_email,
    make_entry,
    make_open_round,
    make_submitted_entry,
)

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def draft_made_at(round_, made_at, **kwargs):
    entrant = kwargs.pop("entrant", None) or factories.make_entrant(**kwargs)
    entry = make_entry(round_, entrant=entrant, title_en="Harbour at Dusk")
    # created_at is set by the database on insert; a draft from days ago is made so.
    Entry.objects.filter(pk=entry.pk).update(created_at=made_at)
    return entry


@pytest.fixture
def round_(db):
    """An open round closing in five days."""
    return make_open_round(closes_in=datetime.timedelta(days=5))


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    """Run the reminders as beat would at ``now``, mail sent."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return remind_unsubmitted_drafts(now=now)

    return run


def reminded(*, at_48=(), at_3=()):
    """What a run of the reminders returns: the entries it reminded, by reminder."""
    return {"reminded_48h_at": list(at_48), "reminded_3h_at": list(at_3)}


@pytest.mark.django_db
def test_a_draft_is_reminded_once_at_48_and_once_at_3_hours(round_, tick):
    closes = round_.closes_at
    entry = draft_made_at(round_, closes - 4 * 24 * HOUR)

    assert tick(closes - 49 * HOUR) == reminded()
    at_48 = closes - 48 * HOUR + 5 * MINUTE
    assert tick(at_48) == reminded(at_48=[entry.pk])
    for later in (at_48 + 15 * MINUTE, closes - 4 * HOUR):
        assert tick(later) == reminded()
    at_3 = closes - 3 * HOUR + 10 * MINUTE
    assert tick(at_3) == reminded(at_3=[entry.pk])
    assert tick(at_3 + 15 * MINUTE) == reminded()

    entry.refresh_from_db()
    assert (entry.reminded_48h_at, entry.reminded_3h_at) == (at_48, at_3)
    assert len(mail.outbox) == 2
    assert {message.to[0] for message in mail.outbox} == {entry.entrant.email}
    with translation.override("en"):
        closing = render_to_string(
            "submissions/mail/deadline_reminder_message.txt",
            {"entry": entry, "entries_url": "URL"},
        ).splitlines()[0]
    message = mail.outbox[0]
    assert message.subject == "Your entry is not submitted yet"
    assert message.body.splitlines()[0] == closing
    assert closing.startswith("The round “Colours of Humanity” closes on ")
    assert closing.endswith(" (Hong Kong time).")
    assert message.body.splitlines()[2] == (
        "Your entry “Harbour at Dusk” is still a draft. A draft is not entered: "
        "please submit it before the deadline."
    )
    assert message.body == mail.outbox[1].body


@pytest.mark.django_db
def test_a_draft_missed_at_48_hours_gets_only_the_3_hour_reminder(round_, tick):
    closes = round_.closes_at
    entry = draft_made_at(round_, closes - 4 * 24 * HOUR)

    assert tick(closes - 2 * HOUR) == reminded(at_3=[entry.pk])
    entry.refresh_from_db()
    assert entry.reminded_48h_at is None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_draft_begun_after_a_reminder_moment_is_not_reminded_of_it(round_, tick):
    closes = round_.closes_at
    after_48 = draft_made_at(round_, closes - 30 * HOUR)
    after_3 = draft_made_at(round_, closes - 2 * HOUR)

    assert tick(closes - 40 * HOUR) == reminded()
    assert tick(closes - HOUR) == reminded(at_3=[after_48.pk])
    assert Entry.objects.get(pk=after_3.pk).reminded_3h_at is None


@pytest.mark.django_db
def test_only_unsubmitted_drafts_of_open_rounds_with_an_address_are_reminded(
    round_, tick
):
    closes = round_.closes_at
    made = closes - 4 * 24 * HOUR
    draft = draft_made_at(round_, made)
    submitted = make_submitted_entry(round_, entrant=factories.make_entrant())
    Entry.objects.filter(pk=submitted.pk).update(created_at=made)
    withdrawn = draft_made_at(round_, made)
    withdraw_entry(withdrawn, by=withdrawn.entrant)
    caseworker = factories.make_caseworker()
    no_address = make_entry(round_, entrant=make_artist_without_email(), by=caseworker)
    Entry.objects.filter(pk=no_address.pk).update(created_at=made)
    inactive = draft_made_at(round_, made)
    inactive.entrant.is_active = False
    inactive.entrant.save()
    closed_round = make_open_round(closes_in=datetime.timedelta(days=5))
    in_closed = draft_made_at(closed_round, made)
    Round.objects.filter(pk=closed_round.pk).update(state=RoundState.CLOSED)

    assert tick(closes - 47 * HOUR) == reminded(at_48=[draft.pk])
    assert [message.to for message in mail.outbox] == [[draft.entrant.email]]
    assert Entry.objects.get(pk=in_closed.pk).state == EntryState.DRAFT


@pytest.mark.django_db
def test_the_reminder_is_in_the_entrants_language(round_, tick):
    closes = round_.closes_at
    entry = draft_made_at(round_, closes - 4 * 24 * HOUR, language=Language.CHINESE)

    tick(closes - 47 * HOUR)

    entry.refresh_from_db()
    [message] = mail.outbox
    context = {
        "entry": entry,
        "entries_url": f"{settings.SITE_URL.rstrip('/')}/entries/",
    }
    factories.assert_mail_is(
        message,
        "submissions/mail/deadline_reminder",
        context=context,
        language="zh-hant",
    )
    assert "人性的色彩" in message.body
    assert "黃昏的海港" not in message.body


@pytest.mark.django_db
def test_a_draft_submitted_after_it_was_queued_gets_no_reminder(caplog):
    round_ = make_open_round()
    entry = make_submitted_entry(round_, entrant=factories.make_entrant())

    with caplog.at_level(logging.INFO, logger="submissions.services.notifications"):
        mail_deadline_reminder(entry.pk, "reminded_3h_at")

    assert mail.outbox == []
    assert [
        r.getMessage()
        for r in caplog.records
        if r.name == "submissions.services.notifications"
    ] == [f"Entry {entry.pk} needs no reminder now."]


@pytest.mark.django_db
def test_the_beat_task_reminds_by_the_server_clock(
    caplog, django_capture_on_commit_callbacks
):
    round_ = make_open_round(closes_in=47 * HOUR)
    entry = draft_made_at(round_, timezone.now() - 2 * 24 * HOUR)

    with (
        caplog.at_level(logging.INFO, logger="submissions.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        remind_unsubmitted_drafts_task.apply().get()

    assert Entry.objects.get(pk=entry.pk).reminded_48h_at is not None
    assert [message.to for message in mail.outbox] == [[entry.entrant.email]]
    assert [
        r.getMessage() for r in caplog.records if r.name == "submissions.tasks"
    ] == [
        "Deadline reminders queued: "
        f"{{'reminded_48h_at': [{entry.pk}], 'reminded_3h_at': []}}"
    ]


def test_beat_runs_the_reminders_every_quarter_of_an_hour():
    app.finalize()
    entry = app.conf.beat_schedule[
        "remind entrants of unsubmitted drafts before closing"
    ]

    assert entry["task"] == remind_unsubmitted_drafts_task.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == REMINDER_SECONDS == 15 * 60
    assert entry["options"] == {"expires": REMINDER_SECONDS}
