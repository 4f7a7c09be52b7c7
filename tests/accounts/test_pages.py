"""Every allauth page is a page of the portal: Bootstrap layout, real labels, no
inline script or style (the Content-Security-Policy would block them)."""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

FIELD_CLASSES = {"form-control", "form-select", "form-check-input"}


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = []
        self.labels = set()
        self.inline_scripts = []
        self.inline_styles = []
        self.h1 = []
        self.buttons = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles.append((tag, attrs))
        if tag in {"input", "select", "textarea"} and attrs.get("type") != "hidden":
            self.fields.append(attrs)
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag == "h1":
            self.h1.append(attrs.get("class", ""))
        if tag == "button" or (tag == "a" and "btn" in attrs.get("class", "")):
            self.buttons.append(attrs.get("class", ""))
        if tag == "script" and "src" not in attrs:
            self._in_script = attrs

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        # JSON data for allauth's own scripts is not run, so the CSP allows it.
        if (
            self._in_script is not None
            and data.strip()
            and self._in_script.get("type") != "application/json"
        ):
            self.inline_scripts.append(data)


def assert_portal_page(response):
    assert response.status_code == 200, response
    html = response.text
    assert (
        '<link rel="stylesheet" href="/static/vendor/bootstrap/bootstrap.min.css">'
        in html
    )
    assert 'class="col-12 col-md-9 col-lg-7 mx-auto"' in html
    main = html[html.index("<main") : html.index("</main>")]
    parser = PageParser()
    parser.feed(main)
    assert parser.h1 == ["h3 mb-3"], parser.h1
    assert parser.inline_scripts == []
    assert parser.inline_styles == []
    for field in parser.fields:
        classes = set(field.get("class", "").split())
        assert classes & FIELD_CLASSES, field
        assert field.get("id") in parser.labels, field
    for classes in parser.buttons:
        assert "btn" in classes.split(), classes
    return parser


def reauthenticated(client, user):
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    return client


def test_entrance_pages(client):
    for name in (
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ):
        parser = assert_portal_page(client.get(reverse(name)))
        if name in {"account_login", "account_signup", "account_reset_password"}:
            assert parser.fields, name


def test_bad_password_reset_key_page(client):
    response = client.get(
        reverse("account_reset_password_from_key", args=["x", "bad-key"]), follow=True
    )
    assert_portal_page(response)
    assert "Bad Token" in response.text


def test_email_confirmation_page(client):
    user = factories.make_user(verified=False)
    address = EmailAddress.objects.get(user=user)
    key = EmailConfirmationHMAC(address).key

    response = client.get(reverse("account_confirm_email", args=[key]))

    assert_portal_page(response)
    assert re.search(
        r'<button class="btn btn-primary" type="submit">\s*Confirm\s*</button>',
        response.text,
    )


def test_account_pages(client, entrant_user):
    client.force_login(entrant_user)
    for name in (
        "account_logout",
        "account_change_password",
        "account_email",
        "account_reauthenticate",
        "mfa_index",
        "profile",
    ):
        response = client.get(reverse(name))
        if name == "profile":
            assert response.status_code == 200
            continue
        assert_portal_page(response)


def test_two_factor_pages(client, entrant_user):
    reauthenticated(client, entrant_user)
    parser = assert_portal_page(client.get(reverse("mfa_activate_totp")))
    assert {field["id"] for field in parser.fields} == {
        "authenticator_secret",
        "id_code",
    }

    factories.activate_totp(entrant_user)
    RecoveryCodes.activate(entrant_user)
    factories.sign_in_with_two_factor(client, entrant_user)
    reauthenticated(client, entrant_user)
    for name in (
        "mfa_index",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_reauthenticate",
    ):
        assert_portal_page(client.get(reverse(name)))


def test_the_code_step_of_sign_in(client):
    user = factories.make_entrant()
    factories.activate_totp(user)

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": factories.PASSWORD}
    )
    page = client.get(response.url)
    parser = assert_portal_page(page)

    assert [field["id"] for field in parser.fields] == ["id_code"]
    assert parser.fields[0]["autocomplete"] == "one-time-code"
