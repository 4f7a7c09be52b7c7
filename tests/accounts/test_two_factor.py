import time
from urllib.parse import urlencode

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import resolve, reverse

from artsprize.accounts import views as account_views
from tests import factories

pytestmark = pytest.mark.django_db


def totp_code(secret, *, step=0):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def log_in(client, user):
    return client.post(
        reverse("account_login"),
        {"login": user.email, "password": factories.PASSWORD},
    )


def confirm_password(client):
    """allauth asks for the password again before 2FA settings change."""
    response = client.post(
        reverse("account_reauthenticate"), {"password": factories.PASSWORD}
    )
    assert response.status_code == 302
    return response


def make_admin_site_user(**kwargs):
    """Somebody with access to the Django admin but no portal role."""
    return factories.make_user(is_staff=True, **kwargs)


def make_superuser(**kwargs):
    return factories.make_user(is_staff=True, is_superuser=True, **kwargs)


NEEDS_TWO_FACTOR = [
    pytest.param(factories.make_staff, id="staff"),
    pytest.param(factories.make_judge, id="judge"),
    pytest.param(make_admin_site_user, id="admin-site-user"),
    pytest.param(make_superuser, id="superuser"),
]
WRONG_SET_UP_CODE = (
    "That code was not accepted. Check that the time on your phone is right (set "
    "it to update automatically), then type the latest code the app shows: it "
    "changes every 30 seconds."
)
PROTECTED_PATHS = ["/manage/", "/manage/people/?q=tai", "/manage/audit/", "/admin/"]


def activate_url(next_url):
    return f"{reverse('mfa_activate_totp')}?{urlencode({'next': next_url})}"


@pytest.mark.parametrize("make", NEEDS_TWO_FACTOR)
@pytest.mark.parametrize("path", PROTECTED_PATHS)
def test_without_an_authenticator_staff_and_judges_are_sent_to_set_one_up(
    client, make, path
):
    user = make()
    client.force_login(user)

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == activate_url(path)


@pytest.mark.parametrize("make", NEEDS_TWO_FACTOR)
@pytest.mark.parametrize("path", PROTECTED_PATHS)
def test_a_session_without_the_second_factor_is_asked_for_a_code(client, make, path):
    user = make()
    factories.activate_totp(user)
    log_in(client, user)  # Straight to the code step, which is left undone.
    client.force_login(user)

    response = client.get(path)

    assert response.status_code == 302
    assert (
        response.url == f"{reverse('mfa_reauthenticate')}?{urlencode({'next': path})}"
    )


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(factories.make_entrant, id="entrant"),
        pytest.param(factories.make_caseworker, id="caseworker"),
    ],
)
def test_entrants_and_caseworkers_are_not_asked_for_a_second_factor(client, make):
    client.force_login(make())

    response = client.get(reverse("manage:people"))

    assert response.status_code == 403
    assert response.context["title"] == "Not allowed"


def test_with_the_second_factor_staff_reach_the_staff_pages_and_the_admin(
    mfa_client, staff_user
):
    client = mfa_client(staff_user)

    assert client.get(reverse("manage:people")).status_code == 200
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.context["site_header"] == "Django administration"


def test_a_judge_with_the_second_factor_is_still_refused_staff_pages(
    mfa_client, judge_user
):
    client = mfa_client(judge_user)

    response = client.get(reverse("manage:people"))
    assert response.status_code == 403
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/admin/"
    assert client.get(response.url).status_code == 403


def test_the_portal_replaces_the_allauth_pages_that_lead_back_to_the_next_page():
    assert resolve(reverse("mfa_activate_totp")).func.view_class is (
        account_views.ActivateTOTPThenContinueView
    )
    assert resolve(reverse("mfa_view_recovery_codes")).func.view_class is (
        account_views.ViewRecoveryCodesThenContinueView
    )


# Setting up TOTP counts as passing the second factor only once allauth's
# "authenticator added" signal has run, which allauth sends on commit.
@pytest.mark.django_db(transaction=True)
def test_staff_set_up_totp_with_a_real_code_and_land_where_they_were_going(client):
    staff = factories.make_staff()
    target = reverse("manage:people") + "?q=tai"
    log_in(client, staff)

    response = client.get(target)
    assert response.status_code == 302
    assert response.url == activate_url(target)

    response = client.get(response.url)
    assert response.status_code == 302
    reauthenticate = f"{reverse('account_reauthenticate')}?" + urlencode(
        {"next": activate_url(target)}
    )
    assert response.url == reauthenticate
    response = client.post(
        reauthenticate,
        {"password": factories.PASSWORD, "next": activate_url(target)},
    )
    assert response.status_code == 302
    assert response.url == activate_url(target)

    response = client.get(response.url)
    assert response.status_code == 200
    assert (
        "Staff and judges need two-factor authentication: set up an authenticator "
        "app before you continue." in response.text
    )
    assert f'action="{activate_url(target).replace("&", "&amp;")}"' in response.text
    secret = response.context["form"].secret

    response = client.post(activate_url(target), {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [WRONG_SET_UP_CODE]}
    assert not Authenticator.objects.filter(user=staff).exists()

    response = client.post(activate_url(target), {"code": totp_code(secret)})
    assert response.status_code == 302
    codes_url = f"{reverse('mfa_view_recovery_codes')}?{urlencode({'next': target})}"
    assert response.url == codes_url
    assert sorted(
        Authenticator.objects.filter(user=staff).values_list("type", flat=True)
    ) == [Authenticator.Type.RECOVERY_CODES, Authenticator.Type.TOTP]

    response = client.get(codes_url)
    assert response.status_code == 200
    assert len(response.context["unused_codes"]) == 10
    assert response.context["next_url"] == target
    assert f'href="{target}"' in response.text

    response = client.get(target)
    assert response.status_code == 200
    assert response.context["form"]["q"].value() == "tai"


def test_an_unsafe_next_is_not_followed_after_setting_up_totp(client, entrant_user):
    log_in(client, entrant_user)
    confirm_password(client)
    url = f"{reverse('mfa_activate_totp')}?next=https://evil.example/"
    secret = client.get(url).context["form"].secret

    response = client.post(url, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == reverse("mfa_view_recovery_codes")


def test_reauthenticating_with_a_code_leads_to_the_page(client, staff_user):
    secret = factories.activate_totp(staff_user)
    client.force_login(staff_user)
    target = reverse("manage:people")
    url = f"{reverse('mfa_reauthenticate')}?{urlencode({'next': target})}"

    response = client.post(url, {"code": totp_code(secret), "next": target})

    assert response.status_code == 302
    assert response.url == target
    assert client.get(target).status_code == 200


def test_signing_in_with_totp_reaches_the_staff_pages(client, staff_user):
    secret = factories.activate_totp(staff_user)
    target = reverse("manage:people")

    response = client.post(
        f"{reverse('account_login')}?next={target}",
        {"login": staff_user.email, "password": factories.PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response.url == target
    assert client.session["_auth_user_id"] == str(staff_user.pk)
    assert client.get(target).status_code == 200


def test_a_recovery_code_signs_in_once(client, judge_user):
    factories.activate_totp(judge_user)
    codes = RecoveryCodes.activate(judge_user).get_unused_codes()

    log_in(client, judge_user)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(judge_user.pk)
    recovery = Authenticator.objects.get(
        user=judge_user, type=Authenticator.Type.RECOVERY_CODES
    )
    assert recovery.wrap().get_unused_codes() == codes[1:]
    assert client.get(reverse("manage:people")).status_code == 403

    client.post(reverse("account_logout"))
    log_in(client, judge_user)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Incorrect code."]}
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(factories.make_staff, id="staff"),
        pytest.param(factories.make_judge, id="judge"),
    ],
)
def test_staff_and_judges_cannot_remove_their_own_totp(mfa_client, make):
    user = make()
    client = mfa_client(user)
    confirm_password(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Staff and judges must keep two-factor authentication. If you lost your "
        "device, ask a staff member to reset it."
    ]
    assert Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()
    index = client.get(reverse("mfa_index"))
    assert reverse("mfa_deactivate_totp") not in index.text
    assert "you cannot turn it off" in index.text


def test_an_entrant_may_remove_their_totp(mfa_client, entrant_user):
    client = mfa_client(entrant_user)
    confirm_password(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_index")
    assert not Authenticator.objects.filter(
        user=entrant_user, type=Authenticator.Type.TOTP
    ).exists()


def test_every_signed_in_person_can_set_up_totp_from_their_account(
    client, entrant_user
):
    log_in(client, entrant_user)

    profile = client.get(reverse("profile"))
    assert f'href="{reverse("mfa_index")}"' in profile.text
    index = client.get(reverse("mfa_index"))
    assert f'href="{reverse("mfa_activate_totp")}"' in index.text


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(make_superuser, id="superuser"),
        pytest.param(factories.make_staff, id="staff"),
    ],
)
def test_posting_credentials_to_the_admin_login_signs_nobody_in(client, make):
    user = make()

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": user.email, "password": factories.PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/admin/"
    assert "_auth_user_id" not in client.session
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/admin/"


def test_the_admin_login_page_sends_a_signed_in_admin_to_the_admin(
    mfa_client, staff_user
):
    client = mfa_client(staff_user)

    response = client.get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response.url == "/admin/accounts/user/"
    response = client.get("/admin/login/?next=https://evil.example/admin/")
    assert response.url == reverse("admin:index")


def secret_on_page(response):
    """The secret the set-up page shows under its QR code (what a phone stores)."""
    page = response.content.decode()
    assert response.context["form"].secret in page
    assert response.context["totp_url"].count(response.context["form"].secret) == 1
    return response.context["form"].secret


def test_the_set_up_secret_stays_the_same_across_reloads_and_a_language_switch(
    client, judge_user
):
    log_in(client, judge_user)
    confirm_password(client)
    url = activate_url("/judging/")

    scanned = secret_on_page(client.get(url))
    assert secret_on_page(client.get(url)) == scanned
    response = client.post(
        reverse("set_language"), {"language": "zh-hant", "next": url}
    )
    assert response.status_code == 302
    assert response.url == url
    response = client.get(url)
    assert response.context["LANGUAGE_CODE"] == "zh-hant"
    assert secret_on_page(response) == scanned

    response = client.post(url, {"code": totp_code(scanned)})

    assert response.status_code == 302
    totp = Authenticator.objects.get(user=judge_user, type=Authenticator.Type.TOTP)
    assert totp.wrap().validate_code(totp_code(scanned))
    # Once confirmed, the secret is no longer pending: a later set-up (after a
    # reset) gets a new one.
    assert "mfa.totp.secret" not in client.session


def test_signing_out_abandons_the_pending_secret(client, entrant_user):
    log_in(client, entrant_user)
    confirm_password(client)
    first = secret_on_page(client.get(reverse("mfa_activate_totp")))

    client.post(reverse("account_logout"))
    log_in(client, entrant_user)
    confirm_password(client)

    assert secret_on_page(client.get(reverse("mfa_activate_totp"))) != first


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", WRONG_SET_UP_CODE),
        (
            "zh-hant",
            "這個代碼未被接受。請確認手機的時間準確（設定為自動更新），然後輸入"
            "應用程式顯示的最新代碼：代碼每 30 秒更新一次。",
        ),
    ],
)
def test_a_wrong_set_up_code_says_what_to_check(
    client, entrant_user, language, message
):
    log_in(client, entrant_user)
    confirm_password(client)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    url = reverse("mfa_activate_totp")
    secret = secret_on_page(client.get(url))

    response = client.post(url, {"code": totp_code(secret, step=-10)})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [message]}
    assert message in response.content.decode()
    assert secret_on_page(response) == secret
    assert not Authenticator.objects.filter(user=entrant_user).exists()
