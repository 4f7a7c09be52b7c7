"""Reminders to judges with works left to score: sent by staff, and by beat 48
and 6 hours before a stage closes, each once, in each judge's language, through
the outbox."""

import logging

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from artsprize.celery import app
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent, OutboxMessage
from artsprize.common.pages import hong_kong_time
from judging.enums import StageState
from judging.errors import StageError
from judging.models import PanelMember, Score, Stage
from judging.services.reminders import (
    MAIL_TASK,
    judges_with_work_left,
    remind_judges,
    remind_judges_before_closing,
)
from judging.tasks import mail_judge_reminder, remind_judges_before_closing_task
from tests import factories
from tests.judging.reminders_fixtures import CLOSES, HOUR, MINUTE, make_panel, own

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def panel(db):
    return make_panel()


@pytest.fixture
def staff(db):
    return factories.make_staff()


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run ``call`` with its mails sent after the commit, as the outbox does."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def mails_to(judge):
    return [message for message in mail.outbox if message.to == [judge.email]]


def queue_link(stage):
    return settings.SITE_URL.rstrip("/") + reverse("judging:queue", args=[stage.pk])


def reminded(*, at_48=(), at_6=()):
    return {"reminded_48h_at": list(at_48), "reminded_6h_at": list(at_6)}


# What is left -------------------------------------------------------------------


def test_work_left_counts_unsubmitted_unconflicted_assignments(panel):
    assert judges_with_work_left(panel.stage.pk) == {
        panel.english.pk: (2, 1),
        panel.chinese.pk: (2, 0),
    }


# Staff remind ---------------------------------------------------------------------


def test_staff_remind_only_the_judges_with_work_left_in_their_language(
    panel, staff, sent
):
    now = CLOSES - 3 * 24 * HOUR

    assert sent(lambda: remind_judges(panel.stage, by=staff, now=now)) == 2

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [panel.english.email, panel.chinese.email]
    )
    assert mails_to(panel.done) == []
    panel.stage.refresh_from_db()
    assert panel.stage.reminded_at == now
    assert (panel.stage.reminded_48h_at, panel.stage.reminded_6h_at) == (None, None)
    [event] = AuditEvent.objects.filter(verb=AuditVerb.UPDATED)
    assert (event.actor, event.object_id, event.data) == (
        staff,
        str(panel.stage.pk),
        {"fields": ["reminded_at"], "judges": 2},
    )
    assert OutboxMessage.objects.filter(task=MAIL_TASK).count() == 2


def test_the_english_mail_says_what_is_left_when_it_closes_and_where(
    panel, staff, sent
):
    sent(lambda: remind_judges(panel.stage, by=staff))

    [message] = mails_to(panel.english)
    with translation.override("en"):
        closes = hong_kong_time(CLOSES)
    assert closes == "Jan. 15, 2027, 6 p.m."
    assert message.subject == "Reminder: works left to score in “First round”"
    assert message.body == (
        "Hello,\n"
        "\n"
        "You have 2 works left to score in “First round” of Colours of Humanity.\n"
        "1 of them has a saved score that is not submitted: a score counts only "
        "once submitted.\n"
        "\n"
        f"Scoring closes on {closes} (Hong Kong time).\n"
        "\n"
        "Your list of works to score:\n"
        f"{queue_link(panel.stage)}\n"
        "\n"
        "With best wishes,\n"
        "Hong Kong Human Rights Arts Prize\n"
    )


def test_the_chinese_mail_is_in_chinese(panel, staff, sent):
    sent(lambda: remind_judges(panel.stage, by=staff))

    [message] = mails_to(panel.chinese)
    with translation.override("zh-hant"):
        closes = hong_kong_time(CLOSES)
    assert closes == "2027年1月15日 18:00"
    assert message.subject == "提醒：「初選」尚有作品待評分"
    assert message.body == (
        "您好：\n"
        "\n"
        "你在人性的色彩的「初選」尚有 2 件作品待評分。\n"
        "\n"
        "評分於 2027年1月15日 18:00（香港時間）截止。\n"
        "\n"
        "你的待評作品清單：\n"
        f"{queue_link(panel.stage)}\n"
        "\n"
        "祝好！\n"
        "香港人權藝術獎\n"
    )


def test_the_chinese_mail_counts_the_drafts_in_chinese(panel, staff, sent):
    second = own(panel.stage, panel.chinese)[1]
    Score.objects.create(assignment=second, version=1, saved_at=CLOSES)

    sent(lambda: remind_judges(panel.stage, by=staff))

    [message] = mails_to(panel.chinese)
    assert message.body.splitlines()[2:4] == [
        "你在人性的色彩的「初選」尚有 2 件作品待評分。",
        "其中 1 件的評分已儲存但尚未提交：評分須提交後才計算。",
    ]


def test_a_judge_off_the_panel_or_inactive_is_not_reminded(panel, staff, sent):
    PanelMember.objects.filter(stage=panel.stage, judge=panel.english).delete()
    panel.chinese.is_active = False
    panel.chinese.save()

    assert judges_with_work_left(panel.stage.pk) == {}
    assert sent(lambda: remind_judges(panel.stage, by=staff)) == 0
    assert mail.outbox == []


@pytest.mark.parametrize("state", [StageState.SETUP, StageState.CLOSED])
def test_staff_cannot_remind_the_judges_of_a_stage_that_is_not_open(
    panel, staff, sent, state
):
    Stage.objects.filter(pk=panel.stage.pk).update(state=state)

    with pytest.raises(StageError) as refused:
        sent(lambda: remind_judges(panel.stage, by=staff))

    assert refused.value.code == "not_open"
    assert str(refused.value.message) == (
        "Reminders go only to the judges of an open stage."
    )
    assert mail.outbox == []
    assert not OutboxMessage.objects.filter(task=MAIL_TASK).exists()
    assert not AuditEvent.objects.filter(verb=AuditVerb.UPDATED).exists()


def test_a_second_reminder_within_ten_minutes_is_refused_saying_when(
    panel, staff, sent
):
    first = CLOSES - 3 * 24 * HOUR
    sent(lambda: remind_judges(panel.stage, by=staff, now=first))

    with pytest.raises(StageError) as refused:
        sent(lambda: remind_judges(panel.stage, by=staff, now=first + 9 * MINUTE))

    assert refused.value.code == "too_soon"
    assert str(refused.value.message) == (
        f"Judges were reminded at {hong_kong_time(first)}, Hong Kong time. A new "
        f"reminder can be sent from {hong_kong_time(first + 10 * MINUTE)}."
    )
    assert len(mail.outbox) == 2
    later = first + 11 * MINUTE
    assert sent(lambda: remind_judges(panel.stage, by=staff, now=later)) == 2
    assert len(mail.outbox) == 4
    panel.stage.refresh_from_db()
    assert panel.stage.reminded_at == later


@pytest.mark.django_db(transaction=True)
def test_a_double_click_mails_once():
    panel = make_panel()
    staff = factories.make_staff()

    results = factories.at_once(
        lambda: remind_judges(panel.stage, by=staff),
        lambda: remind_judges(panel.stage, by=staff),
    )

    assert sorted(
        str(result) if isinstance(result, int) else result.code for result in results
    ) == ["2", "too_soon"]
    assert OutboxMessage.objects.filter(task=MAIL_TASK).count() == 2
    assert AuditEvent.objects.filter(verb=AuditVerb.UPDATED).count() == 1


def test_nobody_is_reminded_when_everything_is_scored(panel, staff, sent):
    for judge in (panel.english, panel.chinese):
        for assignment in own(panel.stage, judge):
            Score.objects.update_or_create(
                assignment=assignment,
                defaults={"submitted_at": CLOSES - 24 * HOUR, "saved_at": CLOSES},
            )

    assert sent(lambda: remind_judges(panel.stage, by=staff)) == 0

    assert mail.outbox == []
    panel.stage.refresh_from_db()
    assert panel.stage.reminded_at is None
    assert not AuditEvent.objects.filter(verb=AuditVerb.UPDATED).exists()


# The mail task --------------------------------------------------------------------


def test_a_judge_who_scored_everything_since_gets_no_mail(panel, caplog):
    for assignment in own(panel.stage, panel.english):
        Score.objects.update_or_create(
            assignment=assignment,
            defaults={"submitted_at": CLOSES - 24 * HOUR, "saved_at": CLOSES},
        )

    with caplog.at_level(logging.INFO, logger="judging.services.notifications"):
        mail_judge_reminder(panel.stage.pk, panel.english.pk)

    assert mail.outbox == []
    assert caplog.messages == [
        f"Judge {panel.english.pk} has nothing left to score; no reminder sent."
    ]


def test_no_mail_once_the_stage_has_closed(panel, caplog):
    Stage.objects.filter(pk=panel.stage.pk).update(state=StageState.CLOSED)

    with caplog.at_level(logging.INFO, logger="judging.services.notifications"):
        mail_judge_reminder(panel.stage.pk, panel.chinese.pk)

    assert mail.outbox == []
    assert caplog.messages == [f"Stage {panel.stage.pk} is not open; no reminder sent."]


# Beat -----------------------------------------------------------------------------


def test_beat_reminds_once_48_hours_and_once_6_hours_before_closing(panel, sent):
    pk = panel.stage.pk
    tick = lambda now: sent(lambda: remind_judges_before_closing(now=now))  # noqa: E731

    assert tick(CLOSES - 49 * HOUR) == reminded()
    at_48 = CLOSES - 48 * HOUR + 5 * MINUTE
    assert tick(at_48) == reminded(at_48=[pk])
    assert tick(at_48) == reminded()
    assert tick(CLOSES - 7 * HOUR) == reminded()
    at_6 = CLOSES - 6 * HOUR + MINUTE
    assert tick(at_6) == reminded(at_6=[pk])
    assert tick(at_6 + MINUTE) == reminded()
    assert tick(CLOSES - MINUTE) == reminded()
    assert tick(CLOSES + MINUTE) == reminded()

    panel.stage.refresh_from_db()
    assert (panel.stage.reminded_48h_at, panel.stage.reminded_6h_at) == (at_48, at_6)
    assert len(mails_to(panel.english)) == 2
    assert len(mails_to(panel.chinese)) == 2
    assert mails_to(panel.done) == []
    assert [
        (event.actor, event.data)
        for event in AuditEvent.objects.filter(verb=AuditVerb.UPDATED).order_by("pk")
    ] == [
        (None, {"fields": ["reminded_48h_at"], "judges": 2}),
        (None, {"fields": ["reminded_6h_at"], "judges": 2}),
    ]


def test_a_closing_time_moved_later_brings_the_reminders_again(panel, sent):
    pk = panel.stage.pk
    at_6 = CLOSES - 5 * HOUR
    assert sent(lambda: remind_judges_before_closing(now=at_6)) == reminded(at_6=[pk])
    later = CLOSES + 3 * 24 * HOUR
    Stage.objects.filter(pk=pk).update(closes_at=later)

    assert sent(lambda: remind_judges_before_closing(now=at_6)) == reminded()
    assert sent(
        lambda: remind_judges_before_closing(now=later - 47 * HOUR)
    ) == reminded(at_48=[pk])
    assert sent(lambda: remind_judges_before_closing(now=later - 5 * HOUR)) == reminded(
        at_6=[pk]
    )
    assert sent(lambda: remind_judges_before_closing(now=later - HOUR)) == reminded()

    assert len(mails_to(panel.english)) == 3


def test_a_stage_opened_5_hours_before_closing_gets_only_the_6_hour_reminder(
    panel, sent
):
    now = CLOSES - 5 * HOUR
    Stage.objects.filter(pk=panel.stage.pk).update(opens_at=now)

    assert sent(lambda: remind_judges_before_closing(now=now)) == reminded(
        at_6=[panel.stage.pk]
    )
    assert sent(lambda: remind_judges_before_closing(now=now + HOUR)) == reminded()

    panel.stage.refresh_from_db()
    assert panel.stage.reminded_48h_at is None
    assert len(mail.outbox) == 2


def test_beat_reminds_only_open_stages_and_mails_nobody_with_nothing_left(sent):
    closed = make_panel()
    Stage.objects.filter(pk=closed.stage.pk).update(state=StageState.CLOSED)
    finished = make_panel()
    for judge in (finished.english, finished.chinese):
        for assignment in own(finished.stage, judge):
            Score.objects.update_or_create(
                assignment=assignment,
                defaults={"submitted_at": CLOSES - 24 * HOUR, "saved_at": CLOSES},
            )

    assert sent(
        lambda: remind_judges_before_closing(now=CLOSES - 47 * HOUR)
    ) == reminded(at_48=[finished.stage.pk])

    assert mail.outbox == []
    assert not AuditEvent.objects.filter(verb=AuditVerb.UPDATED).exists()


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_each_reminder_once():
    panel = make_panel()
    now = CLOSES - 47 * HOUR

    results = factories.at_once(
        lambda: remind_judges_before_closing(now=now),
        lambda: remind_judges_before_closing(now=now),
    )

    assert sorted(result["reminded_48h_at"] for result in results) == [
        [],
        [panel.stage.pk],
    ]
    assert OutboxMessage.objects.filter(task=MAIL_TASK).count() == 2
    assert AuditEvent.objects.filter(verb=AuditVerb.UPDATED).count() == 1


def test_beat_runs_the_reminders_on_the_round_clock():
    app.finalize()
    entry = app.conf.beat_schedule[
        "remind judges of unscored work 48 and 6 hours before a stage closes"
    ]

    assert entry["task"] == remind_judges_before_closing_task.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == settings.ROUND_CLOCK_SECONDS


def test_the_beat_task_reminds_by_the_server_clock(sent):
    panel = make_panel(closes_at=timezone.now() + 47 * HOUR)

    sent(lambda: remind_judges_before_closing_task.apply().get())

    panel.stage.refresh_from_db()
    assert panel.stage.reminded_48h_at is not None
    assert len(mail.outbox) == 2
