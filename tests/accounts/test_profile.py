import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from artsprize.accounts.enums import Language
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def profile_data(**overrides):
    data = {
        "profile-legal_name": "Chan Tai Man",
        "profile-credit_name": "Tai Tai",
        "profile-date_of_birth": "1991-02-03",
        "profile-hong_kong_based": "on",
        "profile-phone": "(852) 9123-4567",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_profile_page_needs_sign_in(client):
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={reverse('profile')}"


def test_an_entrant_edits_their_profile_and_it_is_audited(client, entrant_user):
    client.force_login(entrant_user)

    response = client.post(reverse("profile"), profile_data(), follow=True)

    assert response.redirect_chain == [(reverse("profile"), 302)]
    assert [str(m) for m in response.context["messages"]] == ["Your profile was saved."]
    profile = entrant_user.profile
    profile.refresh_from_db()
    assert (profile.credit_name, profile.date_of_birth, profile.phone) == (
        "Tai Tai",
        datetime.date(1991, 2, 3),
        "(852) 9123-4567",
    )
    event = AuditEvent.objects.for_object(profile).get()
    assert (event.verb, event.actor, event.data) == (
        AuditVerb.UPDATED,
        entrant_user,
        {"fields": ["credit_name", "date_of_birth", "phone"]},
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {
                "profile-date_of_birth": (
                    timezone.localdate() + datetime.timedelta(days=3)
                ).isoformat()
            },
            "date_of_birth",
            "The date of birth cannot be in the future.",
        ),
        (
            {"profile-legal_name": "Chan\x00Tai"},
            "legal_name",
            "Null characters are not allowed.",
        ),
        (
            {"profile-legal_name": "Chan\x1bTai"},
            "legal_name",
            "Please remove line breaks and control characters.",
        ),
        (
            {"profile-credit_name": '<img src=x onerror="alert(1)">'},
            "credit_name",
            "Please write plain text, without the characters “<” and “>”.",
        ),
        (
            {"profile-phone": "9123 4567 ext. 8"},
            "phone",
            "Use only digits, spaces, “+”, “-” and brackets in a phone number.",
        ),
        (
            {"profile-phone": "9" * 41},
            "phone",
            "Ensure this value has at most 40 characters (it has 41).",
        ),
        (
            {"profile-hong_kong_based": None},
            "hong_kong_based",
            "The prize is open to people based in Hong Kong.",
        ),
    ],
)
def test_bad_profile_input_keeps_what_was_typed(
    client, entrant_user, overrides, field, message
):
    client.force_login(entrant_user)
    data = profile_data(**overrides)

    response = client.post(reverse("profile"), data)

    assert response.status_code == 200
    form = response.context["profile_form"]
    assert form.errors == {field: [message]}
    assert escape(message) in response.text
    assert form["credit_name"].value() == data["profile-credit_name"]
    assert form["phone"].value() == data["profile-phone"]
    entrant_user.profile.refresh_from_db()
    assert entrant_user.profile.credit_name == "Tai"
    assert not AuditEvent.objects.filter(verb=AuditVerb.UPDATED).exists()


def test_a_right_to_left_name_is_kept_as_typed(client, entrant_user):
    client.force_login(entrant_user)

    client.post(reverse("profile"), profile_data(**{"profile-credit_name": "ليلى"}))

    entrant_user.profile.refresh_from_db()
    assert entrant_user.profile.credit_name == "ليلى"


def test_choosing_the_language_on_the_profile_page_saves_and_applies_it(
    client, entrant_user
):
    client.force_login(entrant_user)

    response = client.post(reverse("profile"), {"language-language": "zh-hant"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    entrant_user.refresh_from_db()
    assert entrant_user.language == Language.CHINESE
    page = client.get(reverse("profile"))
    assert '<html lang="zh-Hant-HK">' in page.text
    assert page.context["language_form"]["language"].value() == Language.CHINESE


def test_an_unknown_language_is_refused_on_the_profile_page(client, entrant_user):
    client.force_login(entrant_user)

    response = client.post(reverse("profile"), {"language-language": "klingon"})

    assert response.status_code == 200
    assert response.context["language_form"].errors == {
        "language": [
            "Select a valid choice. klingon is not one of the available choices."
        ]
    }
    entrant_user.refresh_from_db()
    assert entrant_user.language == Language.ENGLISH


def test_staff_without_an_entrant_profile_still_choose_their_language(
    mfa_client, staff_user
):
    client = mfa_client(staff_user)

    page = client.get(reverse("profile"))
    assert page.context["profile_form"] is None
    client.post(reverse("profile"), {"language-language": "zh-hant"})

    staff_user.refresh_from_db()
    assert staff_user.language == Language.CHINESE


def test_the_language_switch_is_remembered_and_applied_at_the_next_sign_in(client):
    user = factories.make_entrant(language=Language.ENGLISH)
    client.post(
        reverse("account_login"), {"login": user.email, "password": factories.PASSWORD}
    )

    response = client.post(
        reverse("set_language"), {"language": "zh-hant", "next": reverse("profile")}
    )

    assert response.status_code == 302
    assert response.url == reverse("profile")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    user.refresh_from_db()
    assert user.language == Language.CHINESE
    client.post(reverse("account_logout"))

    # A new browser, which asks for English: the profile's choice wins at sign-in.
    browser = Client(headers={"accept-language": "en"})
    assert '<html lang="en">' in browser.get(reverse("home")).text
    response = browser.post(
        reverse("account_login"), {"login": user.email, "password": factories.PASSWORD}
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    assert '<html lang="zh-Hant-HK">' in browser.get(reverse("home")).text


def test_the_language_switch_works_signed_out_without_touching_anybody(client):
    user = factories.make_entrant()

    response = client.post(
        reverse("set_language"), {"language": "zh-hant", "next": "/"}
    )

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    user.refresh_from_db()
    assert user.language == Language.ENGLISH


def test_an_unknown_language_in_the_switch_changes_nothing(client, entrant_user):
    client.force_login(entrant_user)

    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    entrant_user.refresh_from_db()
    assert entrant_user.language == Language.ENGLISH
