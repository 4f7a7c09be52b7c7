import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from artsprize.accounts.enums import Language
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a long pass phrase 2026"


def signup_data(**overrides):
    data = {
        "email": "artist@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "legal_name": "Chan Tai Man",
        "credit_name": "Tai",
        "date_of_birth": "1990-05-17",
        "hong_kong_based": "on",
        "phone": "+852 9123 4567",
        "language": Language.ENGLISH,
        "accept_pics": "on",
        "pics_version": settings.PICS_VERSION,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def confirmation_link(message):
    match = re.search(
        r"http://testserver(/accounts/confirm-email/[^/\s]+/)", message.body
    )
    assert match is not None, message.body
    return match.group(1)


def test_sign_up_page_shows_the_collection_statement_in_a_focusable_box(client):
    response = client.get(reverse("account_signup"))

    assert response.status_code == 200
    html = response.text
    assert (
        '<h2 id="pics-heading" class="h5">Personal Information Collection Statement</h2>'
        in html
    )
    assert 'tabindex="0" role="region" aria-labelledby="pics-heading"' in html
    assert "We never ask for an identity card number or immigration papers." in html
    assert (
        f'<input type="hidden" name="pics_version" value="{settings.PICS_VERSION}">'
        in html
    )
    for name in (
        "email",
        "password1",
        "password2",
        "legal_name",
        "credit_name",
        "date_of_birth",
        "phone",
        "language",
    ):
        assert f'for="id_{name}" class="form-label' in html, name
    assert 'for="id_accept_pics" class="form-check-label' in html


def test_sign_up_verify_by_the_link_then_log_out_and_in(client):
    response = client.post(reverse("account_signup"), signup_data())

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="artist@example.org")
    assert user.language == Language.ENGLISH
    profile = user.profile
    assert (profile.legal_name, profile.credit_name, profile.phone) == (
        "Chan Tai Man",
        "Tai",
        "+852 9123 4567",
    )
    assert profile.date_of_birth == datetime.date(1990, 5, 17)
    assert profile.hong_kong_based is True
    assert profile.pics_version == settings.PICS_VERSION
    assert timezone.now() - profile.pics_accepted_at < datetime.timedelta(minutes=1)
    event = AuditEvent.objects.for_object(user).get()
    assert (event.verb, event.to_state, event.actor) == (
        AuditVerb.PICS_ACCEPTED,
        settings.PICS_VERSION,
        user,
    )
    assert EmailAddress.objects.get(user=user).verified is False
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["artist@example.org"]
    assert message.subject == (
        "Confirm your e-mail address for the Hong Kong Human Rights Arts Prize"
    )
    link = confirmation_link(message)

    response = client.get(link)
    assert response.status_code == 200
    assert response.context["confirmation"].email_address.email == "artist@example.org"
    response = client.post(link)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert EmailAddress.objects.get(user=user).verified is True
    assert client.session["_auth_user_id"] == str(user.pk)

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("account_login"), {"login": "artist@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_unverified_account_cannot_log_in_before_following_the_link(client):
    client.post(reverse("account_signup"), signup_data())
    mail.outbox.clear()

    response = client.post(
        reverse("account_login"), {"login": "artist@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    # The link sent at sign-up still works: no second mail within three minutes.
    assert mail.outbox == []


def test_choosing_chinese_at_sign_up_sends_the_verification_mail_in_chinese(client):
    client.post(reverse("account_signup"), signup_data(language=Language.CHINESE))

    user = get_user_model().objects.get(email="artist@example.org")
    assert user.language == Language.CHINESE
    message = mail.outbox[0]
    assert message.subject == "請確認您在香港人權藝術獎使用的電郵地址"
    assert "請開啟此連結確認：" in message.body.splitlines()[2]
    assert "Open this link" not in message.body


BAD_INPUT = [
    pytest.param(
        {"accept_pics": None},
        "accept_pics",
        "Please read and accept the collection statement to sign up.",
        id="collection-statement-not-accepted",
    ),
    pytest.param(
        {"pics_version": "2020-01"},
        "pics_version",
        "The collection statement has changed since you opened this page. "
        "Please read the new version and accept it again.",
        id="stale-collection-statement",
    ),
    pytest.param(
        {
            "date_of_birth": (
                timezone.localdate() + datetime.timedelta(days=1)
            ).isoformat()
        },
        "date_of_birth",
        "The date of birth cannot be in the future.",
        id="future-date-of-birth",
    ),
    pytest.param(
        {"date_of_birth": "1890-01-01"},
        "date_of_birth",
        "Please check the year of your date of birth.",
        id="date-of-birth-too-long-ago",
    ),
    pytest.param(
        {"date_of_birth": "17/05/1990x"},
        "date_of_birth",
        "Enter a valid date.",
        id="not-a-date",
    ),
    pytest.param(
        {"legal_name": "<script>alert(1)</script>"},
        "legal_name",
        "Please write plain text, without the characters “<” and “>”.",
        id="html-in-legal-name",
    ),
    pytest.param(
        {"credit_name": "<b>Tai</b>"},
        "credit_name",
        "Please write plain text, without the characters “<” and “>”.",
        id="html-in-credit-name",
    ),
    pytest.param(
        {"legal_name": "Chan\nTai Man"},
        "legal_name",
        "Please remove line breaks and control characters.",
        id="line-break-in-name",
    ),
    pytest.param(
        {"credit_name": "Tai\u202egnaW"},
        "credit_name",
        "Please remove line breaks and control characters.",
        id="bidi-override-in-name",
    ),
    pytest.param(
        {"legal_name": "x" * 201},
        "legal_name",
        "Ensure this value has at most 200 characters (it has 201).",
        id="name-too-long",
    ),
    pytest.param(
        {"legal_name": "   "},
        "legal_name",
        "This field is required.",
        id="empty-legal-name",
    ),
    pytest.param(
        {"hong_kong_based": None},
        "hong_kong_based",
        "The prize is open to people based in Hong Kong.",
        id="not-hong-kong-based",
    ),
    pytest.param(
        {"phone": "call me maybe"},
        "phone",
        "Use only digits, spaces, “+”, “-” and brackets in a phone number.",
        id="letters-in-phone",
    ),
    pytest.param(
        {"language": "fr"},
        "language",
        "Select a valid choice. fr is not one of the available choices.",
        id="unknown-language",
    ),
    pytest.param(
        {"password2": "something else entirely"},
        "password2",
        "You must type the same password each time.",
        id="passwords-differ",
    ),
    pytest.param(
        {"email": "not-an-address"},
        "email",
        "Enter a valid email address.",
        id="bad-email",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_sign_up_keeps_what_was_typed_and_says_what_is_wrong(
    client, overrides, field, message
):
    data = signup_data(**overrides)
    response = client.post(reverse("account_signup"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [message]
    assert list(form.errors) == [field]
    assert escape(message) in response.text
    assert "Please correct the fields marked below." in response.text
    for name in ("email", "legal_name", "credit_name", "phone"):
        assert form[name].value() == data[name]
    assert form["date_of_birth"].value() == data["date_of_birth"]
    assert not get_user_model().objects.exists()
    assert mail.outbox == []


def test_after_a_stale_statement_the_page_asks_to_accept_the_current_one(client):
    response = client.post(
        reverse("account_signup"), signup_data(pics_version="2020-01")
    )

    form = response.context["form"]
    assert form["accept_pics"].value() is False
    html = response.text
    assert (
        f'<input type="hidden" name="pics_version" value="{settings.PICS_VERSION}">'
        in html
    )
    assert 'id="id_accept_pics" checked' not in html

    response = client.post(reverse("account_signup"), signup_data())
    assert response.status_code == 302
    assert get_user_model().objects.get().profile.pics_version == settings.PICS_VERSION


def test_chinese_names_and_an_empty_phone_are_accepted(client):
    response = client.post(
        reverse("account_signup"),
        signup_data(legal_name="陳大文", credit_name="ﺗﻲ Tai", phone=""),
    )

    assert response.status_code == 302
    profile = get_user_model().objects.get().profile
    assert (profile.legal_name, profile.credit_name, profile.phone) == (
        "陳大文",
        "ﺗﻲ Tai",
        "",
    )


def test_signing_up_again_with_a_known_address_mails_its_owner_in_their_language(
    client,
):
    owner = factories.make_entrant(
        email="artist@example.org", language=Language.CHINESE
    )

    response = client.post(
        reverse("account_signup"),
        signup_data(email="Artist@Example.org", legal_name="Someone Else"),
    )

    # The page does not reveal that the address has an account.
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert get_user_model().objects.get().pk == owner.pk
    assert owner.profile.legal_name == "Chan Tai Man"
    assert [message.subject for message in mail.outbox] == [
        "您已擁有香港人權藝術獎的帳戶"
    ]
