"""The staff page of a stage's invitations: who may see it, sending, resending
and withdrawing, the list with its states, and what is kept on an error."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.enums import StageState
from judging.models import JudgeInvitation
from judging.services.invitations import (
    accept_invitation,
    invite_judge,
    withdraw_invitation,
)
from tests import factories
from tests.judging.invite_fixtures import make_invite_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage(db):
    return make_invite_stage()


@pytest.fixture
def staff_client(mfa_client, staff_user):
    return mfa_client(staff_user)


def page(stage):
    return reverse("manage:stage_invitations", args=[stage.pk])


def test_anonymous_visitors_are_sent_to_sign_in(client, stage):
    response = client.get(page(stage))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={page(stage)}"


def test_entrants_are_not_allowed(client, stage, entrant_user):
    client.force_login(entrant_user)
    assert client.get(page(stage)).status_code == 403
    assert client.post(page(stage), {"email": "a@example.org"}).status_code == 403
    assert not JudgeInvitation.objects.exists()


def test_judges_are_not_allowed(mfa_client, stage, judge_user):
    client = mfa_client(judge_user)
    assert client.get(page(stage)).status_code == 403
    assert client.post(page(stage), {"email": "a@example.org"}).status_code == 403


def test_staff_without_two_factor_are_sent_to_it(client, stage, staff_user):
    client.force_login(staff_user)
    response = client.get(page(stage))
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('mfa_activate_totp')}?{urlencode({'next': page(stage)})}"
    )


def test_staff_see_the_page(staff_client, stage):
    response = staff_client.get(page(stage))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Invite judges: First round" in html
    assert "No invitations yet." in html


def test_an_unknown_stage_is_not_found(staff_client):
    response = staff_client.get(reverse("manage:stage_invitations", args=[999999]))
    assert response.status_code == 404


def test_staff_send_an_invitation(
    staff_client, stage, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            page(stage),
            {"email": " Curator@Example.org ", "language": "zh-hant", "as_chair": "on"},
        )
    assert response.status_code == 302
    assert response["Location"] == page(stage)
    invitation = JudgeInvitation.objects.get()
    assert (
        invitation.email,
        invitation.language,
        invitation.as_chair,
        invitation.invited_by,
    ) == ("curator@example.org", "zh-hant", True, staff_user)
    [message] = mail.outbox
    assert message.to == ["curator@example.org"]
    html = staff_client.get(page(stage)).content.decode()
    assert "The invitation was sent to curator@example.org." in html
    assert "curator@example.org" in html
    assert "Sent</td>" in html.replace("\n", "").replace("  ", "")


@pytest.mark.parametrize(
    "email",
    [
        "not an address",
        '"><script>alert(1)</script>',
        "<b>bold</b>@example.org",
    ],
)
def test_an_invalid_address_keeps_what_was_typed_escaped(staff_client, stage, email):
    response = staff_client.post(
        page(stage), {"email": email, "language": "zh-hant", "as_chair": "on"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "<script>alert(1)" not in html
    assert "<b>bold</b>" not in html
    escaped = (
        email.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
    )
    assert f'value="{escaped}"' in html
    assert '<option value="zh-hant" selected>' in html
    assert re.search(r'<input type="checkbox" name="as_chair"[^>]* checked>', html)
    assert not JudgeInvitation.objects.exists()


def test_a_refusal_of_the_service_keeps_what_was_typed(staff_client, stage, staff_user):
    invite_judge(stage, email="a@example.org", language="en", by=staff_user)
    response = staff_client.post(
        page(stage), {"email": "a@example.org", "language": "zh-hant"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This address has an invitation to this stage waiting." in html
    assert 'value="a@example.org"' in html
    assert JudgeInvitation.objects.count() == 1


def test_a_finalised_stage_says_so(staff_client, stage):
    stage.state = StageState.FINALISED
    stage.save(update_fields=["state"])
    response = staff_client.post(
        page(stage), {"email": "a@example.org", "language": "en"}
    )
    assert response.status_code == 400
    assert "This stage is finalised" in response.content.decode()


def test_the_list_shows_each_state(staff_client, stage, staff_user):
    now = timezone.now()
    invite_judge(stage, email="sent@example.org", language="en", by=staff_user)
    invite_judge(
        stage,
        email="expired@example.org",
        language="en",
        by=staff_user,
        now=now - datetime.timedelta(days=20),
    )
    withdrawn = invite_judge(
        stage, email="withdrawn@example.org", language="en", by=staff_user
    )
    withdraw_invitation(withdrawn, by=staff_user)
    accepted = invite_judge(
        stage, email="accepted@example.org", language="en", by=staff_user
    )
    person = factories.make_user(email="person.who.accepted@example.org")
    accept_invitation(accepted, user=person)

    html = staff_client.get(page(stage)).content.decode()

    cells = re.findall(r'<th scope="row".*?</th>\s*<td>(.*?)</td>', html, re.S)
    states = [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]
    assert [state.split(" ")[0] for state in states] == [
        "Accepted",
        "Withdrawn",
        "Expired",
        "Sent",
    ]
    assert states[0].startswith("Accepted person.who.accepted@example.org ")
    # Resend for the sent and the expired one; withdraw for the sent one only.
    assert html.count(">Resend<") == 2
    assert html.count(">Withdraw<") == 1


def test_times_are_shown_in_hong_kong_time(staff_client, stage, staff_user):
    sent = datetime.datetime(2026, 3, 1, 20, 30, tzinfo=datetime.UTC)
    invite_judge(stage, email="a@example.org", language="en", by=staff_user, now=sent)
    JudgeInvitation.objects.update(created_at=sent)
    html = staff_client.get(page(stage)).content.decode()
    assert "March 2, 2026, 4:30 a.m." in html


def test_staff_resend_an_invitation(
    staff_client, stage, staff_user, django_capture_on_commit_callbacks
):
    invitation = invite_judge(
        stage, email="a@example.org", language="en", by=staff_user
    )
    old_hash = invitation.token_hash
    url = reverse("manage:stage_invitation_resend", args=[stage.pk, invitation.pk])
    assert staff_client.get(url).status_code == 405

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    assert len(mail.outbox) == 1
    html = staff_client.get(page(stage)).content.decode()
    assert "The invitation was sent again to a@example.org" in html


def test_staff_withdraw_an_invitation(staff_client, stage, staff_user):
    invitation = invite_judge(
        stage, email="a@example.org", language="en", by=staff_user
    )
    url = reverse("manage:stage_invitation_withdraw", args=[stage.pk, invitation.pk])
    assert staff_client.get(url).status_code == 405

    response = staff_client.post(url, follow=True)

    assert "The invitation to a@example.org was withdrawn" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert (
        AuditEvent.objects.filter(
            verb=AuditVerb.INVITATION_WITHDRAWN, actor=staff_user
        ).count()
        == 1
    )
    response = staff_client.post(url, follow=True)
    assert "This invitation was withdrawn already." in response.content.decode()
    response = staff_client.post(
        reverse("manage:stage_invitation_resend", args=[stage.pk, invitation.pk]),
        follow=True,
    )
    assert "Only an invitation that was not accepted or withdrawn" in (
        response.content.decode()
    )


def test_an_invitation_of_another_stage_is_not_found(staff_client, stage, staff_user):
    other = make_invite_stage()
    invitation = invite_judge(
        other, email="a@example.org", language="en", by=staff_user
    )
    for name in ("manage:stage_invitation_resend", "manage:stage_invitation_withdraw"):
        url = reverse(name, args=[stage.pk, invitation.pk])
        assert staff_client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None


def test_judges_may_not_resend_or_withdraw(mfa_client, stage, judge_user, staff_user):
    invitation = invite_judge(
        stage, email="a@example.org", language="en", by=staff_user
    )
    client = mfa_client(judge_user)
    for name in ("manage:stage_invitation_resend", "manage:stage_invitation_withdraw"):
        url = reverse(name, args=[stage.pk, invitation.pk])
        assert client.post(url).status_code == 403


def test_posts_need_the_csrf_token(stage, staff_user):
    from django.test import Client

    client = factories.sign_in_with_two_factor(
        Client(enforce_csrf_checks=True), staff_user
    )
    response = client.post(page(stage), {"email": "a@example.org", "language": "en"})
    assert response.status_code == 403
    assert not JudgeInvitation.objects.exists()


@pytest.mark.parametrize("count", [1, 50])
def test_the_list_s_queries_do_not_grow(
    staff_client, stage, staff_user, count, django_assert_num_queries
):
    for number in range(count):
        invitation = invite_judge(
            stage, email=f"judge{number}@example.org", language="en", by=staff_user
        )
        if number % 2:
            accept_invitation(invitation, user=factories.make_user())
    staff_client.get(page(stage))
    with django_assert_num_queries(QUERIES):
        response = staff_client.get(page(stage))
    assert response.content.decode().count("judge") >= count


QUERIES = 7


def test_an_address_with_markup_is_listed_as_text(staff_client, stage, staff_user):
    invite_judge(
        stage,
        email='"<script>alert(1)</script>"@example.org',
        language="en",
        by=staff_user,
    )
    html = staff_client.get(page(stage)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;@example.org" in html


@pytest.mark.django_db(transaction=True)
def test_two_staff_inviting_the_same_address_at_once_make_one_invitation():
    stage = make_invite_stage()
    first, second = factories.make_staff(), factories.make_staff()

    results = factories.at_once(
        lambda: invite_judge(stage, email="a@example.org", language="en", by=first),
        lambda: invite_judge(stage, email="a@example.org", language="en", by=second),
    )

    assert sorted(type(result).__name__ for result in results) == [
        "InvitationError",
        "JudgeInvitation",
    ]
    assert JudgeInvitation.objects.count() == 1
