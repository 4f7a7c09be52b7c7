"""The rounds' Celery tasks, called directly: they fetch, log and call a service."""

import datetime
import logging

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from artsprize.accounts.enums import Role
from artsprize.accounts.roles import ensure_role_groups, grant_role
from artsprize.celery import app
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import RoundState
from submissions.services.rounds import schedule_round
from submissions.tasks import (
    mail_staff_round_state_changed,
    open_and_close_due_rounds_task,
)
from tests import factories

HOUR = datetime.timedelta(hours=1)


@pytest.mark.django_db
def test_mail_about_a_round_that_is_gone_is_logged_and_skipped(caplog):
    factories.make_staff()

    with caplog.at_level(logging.INFO, logger="submissions.services.notifications"):
        mail_staff_round_state_changed(987654, RoundState.DRAFT, RoundState.OPEN)

    assert [
        r.getMessage()
        for r in caplog.records
        if r.name == "submissions.services.notifications"
    ] == ["Round 987654 is gone; no mail sent."]
    assert mail.outbox == []


@pytest.mark.django_db
def test_mail_reaches_active_staff_and_superusers_with_an_address():
    ensure_role_groups()
    staff = factories.make_staff(email="organiser@example.org")
    admin = factories.make_user(email="admin@example.org", is_superuser=True)
    grant_role(admin, Role.STAFF, by=None)
    factories.make_user(email="root@example.org", is_superuser=True)
    no_address = get_user_model().objects.create_user(email=None)
    grant_role(no_address, Role.STAFF, by=None)
    round_ = factories.make_round(state=RoundState.CLOSED)

    mail_staff_round_state_changed(round_.pk, RoundState.CLOSED, RoundState.JUDGING)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "admin@example.org",
        staff.email,
        "root@example.org",
    ]
    assert {message.subject for message in mail.outbox} == {
        "Colours of Humanity: Judging"
    }
    assert mail.outbox[0].body.startswith(
        "The round “Colours of Humanity” changed from “Closed” to “Judging”."
    )


@pytest.mark.django_db
def test_the_clock_task_opens_and_closes_due_rounds(staff_user, caplog):
    now = timezone.now()
    opening = factories.make_round(opens_at=now - HOUR, closes_at=now + HOUR)
    schedule_round(opening, by=staff_user)
    closing = factories.make_round(
        state=RoundState.OPEN, opens_at=now - 2 * HOUR, closes_at=now - HOUR
    )

    with caplog.at_level(logging.INFO, logger="submissions.tasks"):
        open_and_close_due_rounds_task.apply().get()

    opening.refresh_from_db()
    closing.refresh_from_db()
    assert (opening.state, closing.state) == (RoundState.OPEN, RoundState.CLOSED)
    assert [
        (event.actor, event.from_state, event.to_state)
        for event in AuditEvent.objects.filter(verb=AuditVerb.STATE_CHANGED).order_by(
            "id"
        )
    ] == [(None, "draft", "open"), (None, "open", "closed")]
    assert [
        r.getMessage() for r in caplog.records if r.name == "submissions.tasks"
    ] == [f"Rounds opened: [{opening.pk}]; closed: [{closing.pk}]"]


@pytest.mark.django_db
def test_the_clock_task_with_nothing_due_says_nothing(caplog):
    factories.make_round()

    with caplog.at_level(logging.INFO, logger="submissions.tasks"):
        open_and_close_due_rounds_task()

    assert [r for r in caplog.records if r.name == "submissions.tasks"] == []
    assert AuditEvent.objects.count() == 0


def test_beat_runs_the_clock_task_every_round_clock_period():
    app.finalize()
    entry = app.conf.beat_schedule["open and close rounds at their times"]

    assert entry["task"] == open_and_close_due_rounds_task.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == settings.ROUND_CLOCK_SECONDS
    # A tick left in the queue while no worker ran is dropped, not replayed.
    assert entry["options"] == {"expires": max(settings.ROUND_CLOCK_SECONDS, 10)}
