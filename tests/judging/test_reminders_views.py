"""The staff stage page's reminders: what it shows, the button, who may press it."""

import html

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from artsprize.common.enums import AuditVerb
from artsprize.common.form_fields import HONG_KONG
from artsprize.common.models import AuditEvent, OutboxMessage
from artsprize.common.pages import hong_kong_time
from judging.enums import StageState
from judging.models import Score, Stage
from judging.services.reminders import MAIL_TASK
from tests import factories
from tests.judging.reminders_fixtures import make_panel, own
from tests.judging_factories import add_to_panel, assign_everyone

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def panel(db):
    return make_panel()


@pytest.fixture
def staff(db):
    return factories.make_staff()


@pytest.fixture
def staff_client(mfa_client, staff):
    return mfa_client(staff)


def remind_url(stage):
    return reverse("manage:stage_remind", args=[stage.pk])


def detail_url(stage):
    return reverse("manage:stage_detail", args=[stage.pk])


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("role", ["anonymous", "entrant", "judge"])
def test_only_staff_may_remind(client, mfa_client, panel, role):
    target = remind_url(panel.stage)
    if role == "entrant":
        client.force_login(factories.make_entrant())
    elif role == "judge":
        mfa_client(panel.english)

    response = client.post(target)

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={target}"
    else:
        assert response.status_code == 403
    assert not OutboxMessage.objects.filter(task=MAIL_TASK).exists()
    assert not AuditEvent.objects.filter(verb=AuditVerb.UPDATED).exists()


def test_staff_without_a_second_factor_are_sent_to_it(client, panel, staff):
    client.force_login(staff)

    response = client.post(remind_url(panel.stage))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert not OutboxMessage.objects.filter(task=MAIL_TASK).exists()


def test_a_stage_that_does_not_exist_is_not_found(staff_client):
    assert (
        staff_client.post(reverse("manage:stage_remind", args=[999999])).status_code
        == 404
    )


def test_a_get_goes_back_to_the_stage_page(staff_client, panel):
    response = staff_client.get(remind_url(panel.stage))

    assert response.status_code == 302
    assert response.url == detail_url(panel.stage)
    assert not OutboxMessage.objects.filter(task=MAIL_TASK).exists()


def test_the_stage_page_shows_who_is_waiting_and_the_button(staff_client, panel):
    response = staff_client.get(detail_url(panel.stage))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert '<dd class="col-sm-8" id="judges-waiting">2</dd>' in page
    assert '<dd class="col-sm-8" id="reminded-manual">never</dd>' in page
    assert '<dd class="col-sm-8" id="reminded-48h">not sent</dd>' in page
    assert '<dd class="col-sm-8" id="reminded-6h">not sent</dd>' in page
    assert f'action="{remind_url(panel.stage)}"' in page
    assert (
        'data-confirm="Mail a reminder now to the 2 judges with works left to '
        'score?">Remind judges with unscored work</button>'
    ) in page


def test_staff_remind_and_the_page_says_how_many_and_when(
    staff_client, panel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(remind_url(panel.stage), follow=True)

    assert response.redirect_chain == [(detail_url(panel.stage), 302)]
    assert shown_messages(response) == [
        "2 judges with works left to score were reminded."
    ]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [panel.english.email, panel.chinese.email]
    )
    stage = Stage.objects.get(pk=panel.stage.pk)
    with translation.override("en"):
        sent = hong_kong_time(stage.reminded_at)
    page = html.unescape(response.content.decode())
    assert (
        f'<dd class="col-sm-8" id="reminded-manual"><time datetime="'
        f'{stage.reminded_at.astimezone(HONG_KONG).isoformat()}">{sent}</time></dd>'
    ) in page


def test_a_double_click_is_told_when_the_last_reminder_left(
    staff_client, panel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(remind_url(panel.stage), follow=True)
        response = staff_client.post(remind_url(panel.stage), follow=True)

    stage = Stage.objects.get(pk=panel.stage.pk)
    [shown] = shown_messages(response)
    assert shown.startswith(
        f"Judges were reminded at {hong_kong_time(stage.reminded_at)}, Hong Kong time."
    )
    assert len(mail.outbox) == 2
    assert [message.level_tag for message in response.context["messages"]] == ["info"]


def test_a_closed_stage_is_refused_and_has_no_button(staff_client, panel):
    Stage.objects.filter(pk=panel.stage.pk).update(state=StageState.CLOSED)

    response = staff_client.post(remind_url(panel.stage), follow=True)

    assert shown_messages(response) == [
        "Reminders go only to the judges of an open stage."
    ]
    assert remind_url(panel.stage) not in response.content.decode()
    assert not OutboxMessage.objects.filter(task=MAIL_TASK).exists()


def test_the_audit_log_says_who_reminded_how_many(staff_client, staff, panel):
    staff_client.post(remind_url(panel.stage))

    response = staff_client.get(
        reverse("manage:audit_log") + f"?object=judging.stage:{panel.stage.pk}"
    )

    page = " ".join(html.unescape(response.content.decode()).split())
    assert f"<td>{staff.email}</td> <td>updated</td>" in page
    assert (
        '<div><dt class="d-inline">Fields:</dt> <dd class="d-inline">judges last '
        'reminded by staff</dd></div><div><dt class="d-inline">Judges:</dt> '
        '<dd class="d-inline">2</dd></div>'
    ) in page


def test_with_nothing_left_the_button_is_disabled(staff_client, panel):
    Score.objects.filter(assignment__stage=panel.stage).update(
        submitted_at=timezone.now()
    )
    for judge in (panel.english, panel.chinese):
        for assignment in own(panel.stage, judge):
            Score.objects.get_or_create(
                assignment=assignment,
                defaults={"submitted_at": timezone.now(), "saved_at": timezone.now()},
            )

    page = html.unescape(staff_client.get(detail_url(panel.stage)).content.decode())

    assert '<dd class="col-sm-8" id="judges-waiting">0</dd>' in page
    assert (
        '<button type="submit" class="btn btn-outline-primary" disabled '
        'data-confirm="Mail a reminder now to the 0 judges with works left to '
        'score?">Remind judges with unscored work</button>'
    ) in page


def test_the_stage_page_costs_the_same_queries_whatever_the_panel(
    staff_client, django_assert_num_queries
):
    small = make_panel()
    big = make_panel()
    judges = [factories.make_judge() for _ in range(20)]
    add_to_panel(big.stage, *judges)
    assign_everyone(big.stage, judges)
    with CaptureQueriesContext(connection) as one:
        staff_client.get(detail_url(small.stage))

    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(detail_url(big.stage))

    assert '<dd class="col-sm-8" id="judges-waiting">22</dd>' in response.text
