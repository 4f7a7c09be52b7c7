"""The pages of a person's data, in both languages, on a laptop and a phone: the
profile's section, the page of copies, deleting the account with the keyboard,
and a caseworker's section on an artist's page. axe-core checks each (the
``page`` fixture)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from artsprize.accounts.caseworkers import register_artist
from submissions.models import DataArchive
from tests import entry_factories, factories
from tests.e2e.session import share_session, use_language
from tests.e2e.test_accessibility import focused, visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["en", "zh-hant"])
def language(request):
    return request.param


def signed_in(page, live_server, user, language):
    client = Client()
    client.force_login(user)
    share_session(page, live_server, client)
    use_language(page, live_server, language)


def ready_archive(person, *, by):
    now = timezone.now()
    return DataArchive.objects.create(
        person=person,
        requested_by=by,
        key="archives/0123456789abcdef0123456789abcdef.zip",
        size=2048,
        ready_at=now,
        expires_at=now + datetime.timedelta(days=7),
    )


def test_an_entrant_finds_their_data_and_deletes_the_account(
    live_server, page, language
):
    entrant = factories.make_entrant(language=language)
    round_ = entry_factories.make_open_round()
    entry_factories.make_submitted_entry(round_, entrant=entrant)
    entry_factories.make_entry(round_, entrant=entrant, title_en="Sketch")
    ready_archive(entrant, by=entrant)
    DataArchive.objects.create(person=entrant, requested_by=entrant)
    signed_in(page, live_server, entrant, language)

    visit(page, live_server, reverse("profile"))
    assert page.locator("#data-heading").count() == 1
    visit(page, live_server, reverse("your_data"))
    assert page.locator("a[href*='/account/data/archives/']").count() == 1

    visit(page, live_server, reverse("account_delete"))
    page.fill("input[name=password]", "not my password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert focused(page) == "form-errors"
    page.reported_errors.remove(
        "Failed to load resource: the server responded with a status of 400 "
        "(Bad Request)"
    )
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server.url + reverse("home")
    person = get_user_model().objects.get(pk=entrant.pk)
    assert (person.email, person.is_active) == (None, False)


def test_a_caseworker_sees_the_copies_of_an_artists_data(live_server, page, language):
    caseworker = factories.make_caseworker(language=language)
    artist = register_artist(
        by=caseworker, data=factories.ARTIST_PROFILE, email=None, language="en"
    )
    ready_archive(artist, by=caseworker)
    signed_in(page, live_server, caseworker, language)

    visit(page, live_server, reverse("caseworker:artist", args=[artist.pk]))

    assert page.locator("#data-heading").count() == 1
    assert page.locator("a[href*='/account/data/archives/']").count() == 1
