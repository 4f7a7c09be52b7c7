"""The page of an invitation's link: creating an account, signing in, attaching
to the signed-in account, the way to two-factor sign-in, and the links that no
longer work."""

import datetime
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from artsprize.accounts.enums import Language, Role
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.enums import StageState
from judging.models import JudgeInvitation, PanelMember
from judging.services.invitations import (
    accept_invitation,
    invite_judge,
    resend_invitation,
    withdraw_invitation,
)
from tests import factories
from tests.judging.invite_fixtures import (
    invite,
    link_in,
    make_invite_stage,
    page_of,
    token_of,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a long and quiet harbour"
TWO_FACTOR_SETUP = f"{reverse('mfa_activate_totp')}?{urlencode({'next': '/judging/'})}"


@pytest.fixture
def stage(db):
    return make_invite_stage()


PAGE = reverse("judge_invitation_page")


@pytest.fixture
def invited(client, stage, staff_user, django_capture_on_commit_callbacks):
    """An invitation to new.judge@example.org (nobody has that account), whose
    link the client opened; and the page it leads to. The mailed link is kept
    as ``invitation.link``."""
    invitation, link = invite(stage, staff_user, django_capture_on_commit_callbacks)
    invitation.link = link
    assert client.get(link)["Location"] == PAGE
    return invitation, PAGE


def private(response):
    """The response to the link: no referrer names it, no cache keeps it."""
    return (response["Referrer-Policy"], response["Cache-Control"]) == (
        "no-referrer",
        "no-store",
    )


def not_cached(response):
    return response["Cache-Control"] == "no-store"


def test_the_link_leads_to_a_page_without_the_token_in_the_mail_s_language(
    client, stage, staff_user, django_capture_on_commit_callbacks
):
    _invitation, link = invite(
        stage,
        staff_user,
        django_capture_on_commit_callbacks,
        language=Language.CHINESE,
    )
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    assert private(response)
    assert token_of(link) not in str(dict(client.session))

    response = client.get(PAGE)
    assert response.status_code == 200
    assert not_cached(response)
    html = response.content.decode()
    assert '<html lang="zh-Hant-HK"' in html
    assert "初選" in html
    assert "人性的色彩" in html
    assert token_of(link) not in html


def test_without_a_chosen_language_the_page_is_in_the_invitation_s(
    client, stage, staff_user, django_capture_on_commit_callbacks
):
    _invitation, link = invite(
        stage,
        staff_user,
        django_capture_on_commit_callbacks,
        language=Language.CHINESE,
    )
    client.get(page_of(link))
    html = client.get(PAGE).content.decode()
    assert '<html lang="zh-Hant-HK"' in html
    assert "初選" in html


def test_a_visitor_who_switches_language_keeps_it(
    client, stage, staff_user, django_capture_on_commit_callbacks
):
    _invitation, link = invite(
        stage,
        staff_user,
        django_capture_on_commit_callbacks,
        language=Language.CHINESE,
    )
    client.get(link)
    client.post(reverse("set_language"), {"language": "en", "next": PAGE})
    html = client.get(PAGE).content.decode()
    assert '<html lang="en"' in html
    assert "First round" in html


def test_a_new_judge_creates_an_account_and_is_sent_to_set_up_two_factor(
    client, stage, invited
):
    invitation, page = invited
    response = client.get(page)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Create your account" in html
    assert 'value="new.judge@example.org" readonly' in html

    response = client.post(page, {"password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR_SETUP
    user = get_user_model().objects.get(email="new.judge@example.org")
    assert user.language == Language.ENGLISH
    assert user.check_password(PASSWORD)
    assert list(
        EmailAddress.objects.filter(user=user).values_list(
            "email", "verified", "primary"
        )
    ) == [("new.judge@example.org", True, True)]
    assert user.has_role(Role.JUDGE)
    assert PanelMember.objects.filter(stage=stage, judge=user).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    # Signed in, but judging stays shut until the second factor is set up.
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    assert not response.wsgi_request.user.has_perm("judging.use_judging")
    assert not response.wsgi_request.user.has_perm("judging.view_stage", stage)

    factories.sign_in_with_two_factor(client, user)
    response = client.get(reverse("home"))
    assert response.wsgi_request.user.has_perm("judging.use_judging")


def test_a_new_judge_s_account_is_in_the_invitation_s_language(
    client, stage, staff_user, django_capture_on_commit_callbacks
):
    _invitation, link = invite(
        stage,
        staff_user,
        django_capture_on_commit_callbacks,
        language=Language.CHINESE,
    )
    client.get(link)
    response = client.post(PAGE, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new.judge@example.org")
    assert user.language == Language.CHINESE


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"password1": PASSWORD, "password2": PASSWORD + "!"},
            "The two passwords differ.",
        ),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"password1": "", "password2": ""}, "This field is required."),
    ],
)
def test_a_wrong_password_creates_nothing(client, invited, data, error):
    _invitation, page = invited
    response = client.post(page, data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not get_user_model().objects.filter(email="new.judge@example.org").exists()
    assert not PanelMember.objects.exists()
    assert not_cached(response)


def test_the_address_of_the_account_is_the_invited_one(client, invited):
    """An ``email`` posted with the form changes nothing."""
    _invitation, page = invited
    client.post(
        page,
        {"email": "other@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert get_user_model().objects.filter(email="new.judge@example.org").exists()
    assert not get_user_model().objects.filter(email="other@example.org").exists()


def test_an_existing_account_signs_in_first(client, invited):
    invitation, page = invited
    person = factories.make_entrant(email="new.judge@example.org")

    response = client.get(page)
    html = response.content.decode()
    assert "Sign in to accept" in html
    login = f"{reverse('account_login')}?{urlencode({'next': page})}"
    assert f'href="{login.replace("&", "&amp;")}"' in html
    assert "password1" not in html

    # A post without signing in creates and accepts nothing.
    response = client.post(page, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert get_user_model().objects.count() == 3  # staff, stage's entrant, person
    invitation.refresh_from_db()
    assert invitation.accepted_at is None

    client.force_login(person)
    response = client.get(page)
    assert "Accept as new.judge@example.org" in response.content.decode()
    response = client.post(page)
    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR_SETUP
    assert PanelMember.objects.filter(stage=invitation.stage, judge=person).exists()


def test_a_signed_in_person_with_another_address_may_accept(client, invited):
    invitation, page = invited
    person = factories.make_user(email="curator@example.org")
    client.force_login(person)

    html = client.get(page).content.decode()
    assert "Accept as curator@example.org" in html
    assert (
        "This invitation was sent to new.judge@example.org, but you are signed in "
        "as curator@example.org." in html
    )

    response = client.post(page)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    person.refresh_from_db()
    assert person.email == "curator@example.org"
    assert person.has_role(Role.JUDGE)
    event = AuditEvent.objects.get(verb=AuditVerb.INVITATION_ACCEPTED)
    assert event.data["other_address"] is True


def test_a_judge_with_an_authenticator_goes_straight_to_judging(
    client, invited, judge_user
):
    _invitation, page = invited
    factories.sign_in_with_two_factor(client, judge_user)
    response = client.post(page)
    assert response.status_code == 302
    assert response["Location"] == "/judging/"
    assert PanelMember.objects.filter(judge=judge_user).count() == 1


def test_a_double_click_makes_one_membership(client, invited):
    _invitation, page = invited
    person = factories.make_user()
    client.force_login(person)

    first = client.post(page)
    second = client.post(page)
    again = client.get(page)

    assert [first.status_code, second.status_code, again.status_code] == [302] * 3
    assert second["Location"] == again["Location"] == TWO_FACTOR_SETUP
    assert PanelMember.objects.filter(judge=person).count() == 1
    assert AuditEvent.objects.filter(verb=AuditVerb.INVITATION_ACCEPTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_accepts_at_once_make_one_membership():
    staff = factories.make_staff()
    stage = make_invite_stage()
    invitation = invite_judge(stage, email="a@example.org", language="en", by=staff)
    person = factories.make_user()

    results = factories.at_once(
        lambda: accept_invitation(invitation, user=person),
        lambda: accept_invitation(invitation, user=person),
    )

    assert [type(result) for result in results] == [JudgeInvitation] * 2
    assert PanelMember.objects.filter(judge=person).count() == 1
    assert AuditEvent.objects.filter(verb=AuditVerb.INVITATION_ACCEPTED).count() == 1


def test_a_used_link_is_gone_for_anyone_else(client, invited):
    invitation, page = invited
    client.post(page, {"password1": PASSWORD, "password2": PASSWORD})
    client.logout()

    client.get(invitation.link)
    response = client.get(page)
    assert response.status_code == 410
    assert "This invitation was accepted already" in response.content.decode()
    assert not_cached(response)
    client.force_login(factories.make_user())
    client.get(invitation.link)
    assert client.post(page).status_code == 410
    assert PanelMember.objects.count() == 1


def test_an_expired_link_is_gone(client, invited):
    invitation, page = invited
    JudgeInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(page)
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    response = client.post(page, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert not get_user_model().objects.filter(email="new.judge@example.org").exists()


def test_a_withdrawn_link_is_gone(client, invited, staff_user):
    invitation, page = invited
    withdraw_invitation(invitation, by=staff_user)
    response = client.get(page)
    assert response.status_code == 410
    assert "This invitation was withdrawn" in response.content.decode()


def test_the_link_replaced_by_a_resent_one_is_not_found(
    client, invited, staff_user, django_capture_on_commit_callbacks
):
    invitation, page = invited
    with django_capture_on_commit_callbacks(execute=True):
        resend_invitation(invitation, by=staff_user)

    assert client.get(page).status_code == 404
    client.get(link_in(mail.outbox[-1]))
    assert client.get(page).status_code == 200


def test_an_error_page_is_in_the_visitor_s_language(client, invited):
    invitation, page = invited
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    client.get(page_of(invitation.link).replace("/invitation/", "/invitation/x"))
    response = client.get(page)
    assert response.status_code == 404
    assert '<html lang="zh-Hant-HK"' in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "nothing",
        "a" * 43,
        "a" * 3000,
        "%3Cscript%3Ealert(1)%3C",
        "..%5C..%5Cetc%5Cpasswd",
        "%00",
        "%E2%80%AE",
    ],
)
def test_a_hostile_token_is_not_found_and_leaks_nothing(client, invited, token):
    response = client.get(f"/judging/invitation/{token}/")
    assert (response.status_code, response["Location"]) == (302, PAGE)
    assert private(response)
    response = client.get(PAGE)
    assert response.status_code == 404
    html = response.content.decode()
    assert "new.judge@example.org" not in html
    assert "First round" not in html
    assert "<script>alert(1)" not in html
    assert not_cached(response)
    assert client.post(PAGE).status_code == 404


@pytest.mark.parametrize(
    "path", ["%3Cscript%3Ealert(1)%3C%2Fscript%3E", "..%2F..%2Fetc%2Fpasswd"]
)
def test_a_token_with_a_slash_names_no_page(client, invited, path):
    response = client.get(f"/judging/invitation/{path}/")
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.content.decode()


def test_the_page_without_a_link_opened_is_not_found(client, stage):
    response = client.get(PAGE)
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()


def test_other_methods_are_refused(client, invited):
    invitation, page = invited
    assert client.put(page).status_code == 405
    assert client.post(page_of(invitation.link)).status_code == 405


def totp_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.django_db(transaction=True)
def test_a_new_judge_sets_up_an_authenticator_then_may_judge(client, stage, invited):
    """Transactional: allauth counts the new authenticator once its
    transaction commits."""
    _invitation, page = invited
    response = client.post(page, {"password1": PASSWORD, "password2": PASSWORD})
    assert response["Location"] == TWO_FACTOR_SETUP

    response = client.get(TWO_FACTOR_SETUP)
    assert response.status_code == 200
    assert not response.wsgi_request.user.has_perm("judging.use_judging")
    secret = response.context["form"].secret

    response = client.post(TWO_FACTOR_SETUP, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('mfa_view_recovery_codes')}?{urlencode({'next': '/judging/'})}"
    )
    response = client.get(response["Location"])
    assert response.status_code == 200
    user = response.wsgi_request.user
    assert user.has_perm("judging.use_judging")
    assert user.has_perm("judging.view_stage", stage) is False  # still in set-up
    stage.state = StageState.OPEN
    stage.save(update_fields=["state"])
    assert user.has_perm("judging.view_stage", stage)


def test_an_existing_account_signs_in_and_comes_back_to_accept(client, invited):
    invitation, page = invited
    person = factories.make_entrant(email="new.judge@example.org")

    response = client.post(
        f"{reverse('account_login')}?{urlencode({'next': page})}",
        {"login": person.email, "password": factories.PASSWORD, "next": page},
    )

    assert (response.status_code, response["Location"]) == (302, page)
    response = client.get(page)
    assert "Accept as new.judge@example.org" in response.content.decode()
    assert client.post(page)["Location"] == TWO_FACTOR_SETUP
    invitation.refresh_from_db()
    assert invitation.accepted_by == person


HOSTILE_ADDRESS = '"<script>alert(1)</script>"@example.org'


def test_an_address_with_markup_is_shown_as_text(
    client, stage, staff_user, django_capture_on_commit_callbacks
):
    """A quoted local part may hold markup and still be a valid address."""
    _invitation, link = invite(
        stage, staff_user, django_capture_on_commit_callbacks, email=HOSTILE_ADDRESS
    )
    assert mail.outbox[-1].to == [HOSTILE_ADDRESS]
    client.get(link)
    html = client.get(PAGE).content.decode()
    assert "<script>alert(1)" not in html
    assert "&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;@example.org" in html
