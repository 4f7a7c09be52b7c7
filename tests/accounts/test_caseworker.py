import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from artsprize.accounts.caseworkers import (
    artists_of,
    claim_url,
    invite_artist_to_claim,
    register_artist,
)
from artsprize.accounts.enums import Language
from artsprize.accounts.errors import AccountError
from artsprize.accounts.models import User
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

PROFILE = factories.ARTIST_PROFILE


@pytest.fixture
def caseworker():
    return factories.make_caseworker()


def form_data(**overrides):
    data = {
        "legal_name": "Amina Yusuf",
        "credit_name": "Amina",
        "date_of_birth": "1994-03-02",
        "hong_kong_based": "on",
        "phone": "",
        "email": "",
        "language": Language.ENGLISH,
        "pics_explained": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_register_artist_without_email_makes_an_account_without_password(caseworker):
    artist = register_artist(
        by=caseworker, data=PROFILE, email="", language=Language.CHINESE
    )

    assert artist.email is None
    assert artist.has_usable_password() is False
    assert artist.language == Language.CHINESE
    assert artist.profile.registered_by == caseworker
    assert artist.profile.legal_name == "Amina Yusuf"
    assert artist.profile.pics_version == settings.PICS_VERSION
    assert list(artists_of(caseworker)) == [artist]
    event = AuditEvent.objects.for_object(artist).get()
    assert (event.actor, event.verb, event.to_state) == (
        caseworker,
        AuditVerb.ARTIST_REGISTERED,
        settings.PICS_VERSION,
    )


def test_only_caseworkers_register_artists():
    entrant = factories.make_entrant()
    with pytest.raises(AccountError) as error:
        register_artist(by=entrant, data=PROFILE, language=Language.ENGLISH)
    assert str(error.value) == "Only caseworkers can register artists."
    assert User.objects.filter(profile__legal_name="Amina Yusuf").exists() is False


def test_an_email_of_an_existing_account_is_refused(caseworker):
    factories.make_user(email="taken@example.org")
    with pytest.raises(AccountError):
        register_artist(
            by=caseworker,
            data=PROFILE,
            email="TAKEN@example.org",
            language=Language.ENGLISH,
        )


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("entrant", 403), ("judge", 403), ("staff", 403)],
)
def test_caseworker_pages_are_for_caseworkers_only(client, role, expected):
    if role == "entrant":
        client.force_login(factories.make_entrant())
    elif role == "judge":
        factories.sign_in_with_two_factor(client, factories.make_judge())
    elif role == "staff":
        factories.sign_in_with_two_factor(client, factories.make_staff())
    for name in ("caseworker:artists", "caseworker:artist_create"):
        response = client.get(reverse(name))
        assert response.status_code == expected
        if expected == 302:
            assert response.url.startswith(reverse("account_login"))


def test_register_an_artist_through_the_page(client, caseworker):
    client.force_login(caseworker)

    response = client.post(reverse("caseworker:artist_create"), form_data())

    artist = User.objects.get(profile__legal_name="Amina Yusuf")
    assert response.status_code == 302
    assert response.url == reverse("caseworker:artist", args=[artist.pk])
    page = client.get(response.url)
    assert "Amina Yusuf is registered." in page.text
    assert "Let the artist claim the account" in page.text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"pics_explained": None},
            "pics_explained",
            "The artist must know and accept the collection statement before you "
            "register them.",
        ),
        (
            {"date_of_birth": "2999-01-01"},
            "date_of_birth",
            "The date of birth cannot be in the future.",
        ),
        ({"legal_name": ""}, "legal_name", "This field is required."),
        ({"email": "not an address"}, "email", "Enter a valid email address."),
    ],
)
def test_bad_artist_records_are_explained_and_kept(
    client, caseworker, overrides, field, message
):
    client.force_login(caseworker)
    data = form_data(credit_name="<script>alert(1)</script>", **overrides)

    response = client.post(reverse("caseworker:artist_create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert response.context["form"]["credit_name"].value() == (
        "<script>alert(1)</script>"
    )
    assert "<script>alert(1)</script>" not in response.text
    assert User.objects.filter(profile__registered_by=caseworker).exists() is False


def test_another_caseworkers_artist_is_not_found(client, caseworker):
    artist = register_artist(by=caseworker, data=PROFILE, language=Language.ENGLISH)
    other = factories.make_caseworker()
    client.force_login(other)

    assert client.get(reverse("caseworker:artist", args=[artist.pk])).status_code == 404
    response = client.post(
        reverse("caseworker:artist_invite", args=[artist.pk]),
        {"email": "amina@example.org"},
    )
    assert response.status_code == 404
    with pytest.raises(AccountError):
        invite_artist_to_claim(artist, by=other, email="amina@example.org")


def test_artist_claims_the_account_with_the_mailed_link(
    client, caseworker, django_capture_on_commit_callbacks
):
    artist = register_artist(by=caseworker, data=PROFILE, language=Language.CHINESE)
    client.force_login(caseworker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("caseworker:artist_invite", args=[artist.pk]),
            {"email": "Amina@Example.org"},
        )

    assert response.status_code == 302
    artist.refresh_from_db()
    assert artist.email == "amina@example.org"
    [message] = mail.outbox
    assert message.to == ["amina@example.org"]
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", message.body)
    assert link is not None
    assert (
        AuditEvent.objects.filter(
            verb=AuditVerb.CLAIM_INVITED, object_id=str(artist.pk), actor=caseworker
        ).count()
        == 1
    )

    client.logout()
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    response = client.get(f"/{path}", follow=True)
    set_password_url = (
        response.redirect_chain[-1][0] if response.redirect_chain else (f"/{path}")
    )
    response = client.post(
        set_password_url,
        {"password1": "a long new pass phrase", "password2": "a long new pass phrase"},
    )
    assert response.status_code == 302
    artist.refresh_from_db()
    assert artist.has_usable_password() is True
    assert EmailAddress.objects.get(user=artist).verified is True

    assert client.login(email="amina@example.org", password="a long new pass phrase")


def test_claim_link_is_single_use(caseworker):
    artist = register_artist(
        by=caseworker, data=PROFILE, email="amina@example.org", language="en"
    )
    url = claim_url(artist)
    artist.set_password("now chosen by the artist")
    artist.save()
    assert url != claim_url(artist)
