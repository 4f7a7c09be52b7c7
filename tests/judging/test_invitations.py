"""Inviting a judge: the service, its refusals, its audit, and the mail in the
judge's language."""

import datetime
import hashlib
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from artsprize.accounts.enums import Language, Role
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent, OutboxMessage
from judging.enums import StageState
from judging.errors import InvitationError
from judging.models import JudgeInvitation, PanelMember
from judging.services.invitations import (
    accept_invitation,
    invitation_for_token,
    invitation_url,
    invite_judge,
    resend_invitation,
    withdraw_invitation,
)
from tests import factories
from tests.judging.invite_fixtures import (
    invite,
    link_in,
    make_invite_stage,
    token_of,
)
from tests.judging_factories import add_to_panel

pytestmark = pytest.mark.django_db
HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")


@pytest.fixture
def stage(db):
    return make_invite_stage()


def test_the_invitation_mail_in_english(
    stage, staff_user, django_capture_on_commit_callbacks
):
    invitation, link = invite(stage, staff_user, django_capture_on_commit_callbacks)

    message = mail.outbox[-1]
    assert message.to == ["new.judge@example.org"]
    assert message.subject == (
        "Invitation to judge the Hong Kong Human Rights Arts Prize: First round, "
        "Colours of Humanity"
    )
    closes = date_format(
        timezone.localtime(stage.closes_at, HONG_KONG), "DATETIME_FORMAT"
    )
    expires = date_format(
        timezone.localtime(invitation.expires_at, HONG_KONG), "DATETIME_FORMAT"
    )
    body = message.body
    assert "invites you to judge “First round” of Colours of Humanity." in body
    assert "Judging is blind" in body
    assert "two-factor sign-in" in body
    assert f"Scoring closes: {closes} (Hong Kong time)" in body
    assert f"The link works once, until {expires} (Hong Kong time)." in body
    assert link.endswith("/?lang=en")
    token = token_of(link)
    assert len(token) == 43
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    factories.assert_mail_is(
        message,
        "judging/mail/judge_invitation",
        context={
            "invitation": invitation,
            "stage": stage,
            "round": stage.round,
            "link": invitation_url(token, language="en"),
        },
        language=Language.ENGLISH,
    )


def test_the_invitation_mail_in_chinese(
    stage, staff_user, django_capture_on_commit_callbacks
):
    invitation, link = invite(
        stage,
        staff_user,
        django_capture_on_commit_callbacks,
        language=Language.CHINESE,
    )

    message = mail.outbox[-1]
    assert "初選" in message.subject
    assert "人性的色彩" in message.subject
    assert "First round" not in message.subject + message.body
    assert "屆別： 人性的色彩" in message.body
    assert "（香港時間）" in message.body
    assert link.endswith("/?lang=zh-hant")
    factories.assert_mail_is(
        message,
        "judging/mail/judge_invitation",
        context={
            "invitation": invitation,
            "stage": stage,
            "round": stage.round,
            "link": invitation_url(token_of(link), language="zh-hant"),
        },
        language=Language.CHINESE,
    )


def test_the_token_is_kept_nowhere_but_as_its_hash(
    stage, staff_user, django_capture_on_commit_callbacks
):
    invitation, link = invite(stage, staff_user, django_capture_on_commit_callbacks)
    token = token_of(link)

    [message] = OutboxMessage.objects.filter(task="judging.mail_judge_invitation")
    assert message.args == [invitation.pk, ""]
    assert message.done_at is not None
    event = AuditEvent.objects.get(verb=AuditVerb.JUDGE_INVITED)
    assert (event.actor, event.object_id) == (staff_user, str(invitation.pk))
    assert event.data == {"stage": stage.pk, "language": "en", "as_chair": False}
    assert token not in str(event.data) + event.object_repr + event.reason


def test_the_link_is_valid_for_the_configured_days(stage, staff_user, settings):
    settings.JUDGE_INVITATION_DAYS = 3
    now = timezone.now()
    invitation = invite_judge(
        stage, email="a@example.org", language="en", by=staff_user, now=now
    )
    assert invitation.expires_at == now + datetime.timedelta(days=3)


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("", "invalid_email"),
        ("not an address", "invalid_email"),
        ("<script>alert(1)</script>@example.org", "invalid_email"),
        ("a@example.org\nBcc: b@example.org", "invalid_email"),
    ],
)
def test_an_invalid_address_is_refused(stage, staff_user, email, code):
    with pytest.raises(InvitationError) as refused:
        invite_judge(stage, email=email, language="en", by=staff_user)
    assert refused.value.code == code
    assert not JudgeInvitation.objects.exists()


def test_a_finalised_stage_takes_no_invitation(stage, staff_user):
    stage.state = StageState.FINALISED
    stage.save(update_fields=["state"])
    with pytest.raises(InvitationError) as refused:
        invite_judge(stage, email="a@example.org", language="en", by=staff_user)
    assert refused.value.code == "stage_finalised"


def test_an_address_on_the_panel_is_refused(stage, staff_user):
    judge = factories.make_judge(email="sits@example.org")
    add_to_panel(stage, judge)
    with pytest.raises(InvitationError) as refused:
        invite_judge(stage, email=" Sits@Example.org ", language="en", by=staff_user)
    assert refused.value.code == "already_on_panel"


def test_an_address_invited_already_is_refused_until_it_expires(stage, staff_user):
    now = timezone.now()
    invite_judge(stage, email="a@example.org", language="en", by=staff_user, now=now)
    with pytest.raises(InvitationError) as refused:
        invite_judge(stage, email="A@example.org", language="en", by=staff_user)
    assert refused.value.code == "already_invited"
    later = now + datetime.timedelta(days=15)
    invite_judge(stage, email="a@example.org", language="en", by=staff_user, now=later)
    assert JudgeInvitation.objects.filter(email="a@example.org").count() == 2


def test_an_unknown_language_is_refused(stage, staff_user):
    with pytest.raises(InvitationError) as refused:
        invite_judge(stage, email="a@example.org", language="fr", by=staff_user)
    assert refused.value.code == "invalid_language"


def test_resending_makes_a_new_link_and_the_old_one_stops_working(
    stage, staff_user, django_capture_on_commit_callbacks
):
    invitation, old_link = invite(stage, staff_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        resend_invitation(invitation, by=staff_user)
    new_token = token_of(link_in(mail.outbox[-1]))

    assert len(mail.outbox) == 2
    assert new_token != token_of(old_link)
    with pytest.raises(InvitationError) as refused:
        invitation_for_token(token_of(old_link))
    assert refused.value.code == "unknown"
    assert invitation_for_token(new_token).pk == invitation.pk
    assert (
        AuditEvent.objects.filter(
            verb=AuditVerb.JUDGE_INVITED, data__resent=True, actor=staff_user
        ).count()
        == 1
    )


def test_a_mail_waiting_when_the_invitation_is_resent_does_not_leave(
    stage, staff_user, django_capture_on_commit_callbacks
):
    """The first mail, still in the outbox at the resending, would carry a link
    that no longer works: only the second leaves."""
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = invite_judge(
            stage, email="a@example.org", language="en", by=staff_user
        )
        resend_invitation(invitation, by=staff_user)
    for callback in callbacks:
        callback()

    [message] = mail.outbox
    token = token_of(link_in(message))
    assert invitation_for_token(token).pk == invitation.pk
    assert list(
        OutboxMessage.objects.filter(task="judging.mail_judge_invitation")
        .order_by("pk")
        .values_list("args", flat=True)
    ) == [[invitation.pk, ""], [invitation.pk, ""]]


def test_an_expired_invitation_can_be_resent(stage, staff_user):
    past = timezone.now() - datetime.timedelta(days=20)
    invitation = invite_judge(
        stage, email="a@example.org", language="en", by=staff_user, now=past
    )
    resent = resend_invitation(invitation, by=staff_user)
    assert resent.expires_at > timezone.now() + datetime.timedelta(days=13)


def test_withdrawing_stops_the_link(
    stage, staff_user, django_capture_on_commit_callbacks
):
    invitation, link = invite(stage, staff_user, django_capture_on_commit_callbacks)

    assert withdraw_invitation(invitation, by=staff_user) is True
    assert withdraw_invitation(invitation, by=staff_user) is False

    with pytest.raises(InvitationError) as refused:
        invitation_for_token(token_of(link))
    assert refused.value.code == "withdrawn"
    assert AuditEvent.objects.filter(verb=AuditVerb.INVITATION_WITHDRAWN).count() == 1
    with pytest.raises(InvitationError) as refused:
        resend_invitation(invitation, by=staff_user)
    assert refused.value.code == "not_pending"


def test_accepting_grants_the_role_and_the_seat(
    stage, staff_user, django_capture_on_commit_callbacks
):
    invitation, link = invite(
        stage, staff_user, django_capture_on_commit_callbacks, as_chair=True
    )
    person = factories.make_entrant(email="new.judge@example.org")

    accept_invitation(invitation, user=person)
    accept_invitation(invitation, user=person)

    person.refresh_from_db()
    assert person.has_role(Role.JUDGE)
    [member] = PanelMember.objects.filter(stage=stage)
    assert (member.judge, member.is_chair) == (person, True)
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    event = AuditEvent.objects.get(verb=AuditVerb.INVITATION_ACCEPTED)
    assert (event.actor, event.data) == (
        person,
        {"stage": stage.pk, "invited_by": staff_user.pk, "other_address": False},
    )
    assert AuditEvent.objects.filter(verb=AuditVerb.PANEL_JOINED).count() == 1
    assert (
        AuditEvent.objects.filter(
            verb=AuditVerb.ROLE_GRANTED, actor=person, to_state=Role.JUDGE
        ).count()
        == 1
    )
    # The link is spent for anyone else.
    with pytest.raises(InvitationError) as refused:
        invitation_for_token(token_of(link), user=factories.make_user())
    assert refused.value.code == "used"
    with pytest.raises(InvitationError):
        accept_invitation(invitation, user=factories.make_user())


def test_an_expired_invitation_is_not_accepted(stage, staff_user):
    past = timezone.now() - datetime.timedelta(days=15)
    invitation = invite_judge(
        stage, email="a@example.org", language="en", by=staff_user, now=past
    )
    with pytest.raises(InvitationError) as refused:
        accept_invitation(invitation, user=factories.make_user())
    assert refused.value.code == "expired"
    assert not PanelMember.objects.exists()


def test_an_invitation_to_a_stage_finalised_since_is_not_accepted(stage, staff_user):
    invitation = invite_judge(
        stage, email="a@example.org", language="en", by=staff_user
    )
    stage.state = StageState.FINALISED
    stage.save(update_fields=["state"])
    person = factories.make_user()
    with pytest.raises(InvitationError) as refused:
        accept_invitation(invitation, user=person)
    assert refused.value.code == "stage_finalised"
    assert not person.has_role(Role.JUDGE)


@pytest.mark.parametrize(
    "token", ["", "x", "a" * 43, "a" * 5000, "<script>", "' OR 1=1 --", "\x00"]
)
def test_a_hostile_token_is_unknown(stage, staff_user, token):
    invite_judge(stage, email="a@example.org", language="en", by=staff_user)
    with pytest.raises(InvitationError) as refused:
        invitation_for_token(token)
    assert refused.value.code == "unknown"
