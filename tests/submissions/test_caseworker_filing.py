import datetime

import pytest
from django.urls import reverse

from artsprize.accounts.caseworkers import register_artist
from artsprize.accounts.enums import Language
from submissions.enums import Credit, EntryState
from submissions.models import Entry
from submissions.services.rounds import open_round_now
from tests import factories

pytestmark = pytest.mark.django_db

PROFILE = {
    "legal_name": "Amina Yusuf",
    "credit_name": "Amina",
    "date_of_birth": datetime.date(1990, 3, 2),
    "hong_kong_based": True,
    "phone": "",
}


@pytest.fixture
def open_round():
    staff = factories.make_staff()
    round_ = factories.make_round()
    open_round_now(round_, by=staff)
    return round_


@pytest.fixture
def caseworker():
    return factories.make_caseworker()


@pytest.fixture
def artist(caseworker):
    return register_artist(by=caseworker, data=PROFILE, language=Language.ENGLISH)


def entry_data(category):
    return {
        "category": category.pk,
        "title_en": "Harbour at night",
        "medium": "Ink on paper",
        "year_made": "2025",
        "statement": "Painted from memory.",
        "credit": Credit.CREDIT_NAME,
        "consent_original": "on",
        "consent_terms": "on",
    }


def test_caseworker_files_an_entry_for_an_artist_they_registered(
    client, caseworker, artist, open_round
):
    client.force_login(caseworker)
    url = reverse("entry_create", args=[open_round.pk]) + f"?artist={artist.pk}"

    page = client.get(url)
    assert "You are entering a work on behalf of Amina Yusuf." in page.text
    assert f'action="{url}"' in page.text.replace("&amp;", "&")
    response = client.post(url, entry_data(open_round.categories.get()))

    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("entry_edit", args=[entry.pk])
    assert (entry.entrant, entry.filed_by, entry.state) == (
        artist,
        caseworker,
        EntryState.DRAFT,
    )
    detail = client.get(reverse("caseworker:artist", args=[artist.pk]))
    assert "Harbour at night" in detail.text
    assert reverse("entry_edit", args=[entry.pk]) in detail.text


def test_the_artist_page_offers_the_open_rounds(client, caseworker, artist, open_round):
    client.force_login(caseworker)
    page = client.get(reverse("caseworker:artist", args=[artist.pk]))
    expected = reverse("entry_create", args=[open_round.pk]) + f"?artist={artist.pk}"
    assert expected in page.text


@pytest.mark.parametrize("who", ["other caseworker", "entrant"])
def test_nobody_else_files_for_the_artist(client, artist, open_round, who):
    user = (
        factories.make_caseworker()
        if who == "other caseworker"
        else (factories.make_entrant())
    )
    client.force_login(user)
    url = reverse("entry_create", args=[open_round.pk]) + f"?artist={artist.pk}"

    assert client.get(url).status_code == 404
    assert client.post(url, entry_data(open_round.categories.get())).status_code == 404
    assert Entry.objects.exists() is False


def test_a_malformed_artist_parameter_is_not_found(client, caseworker, open_round):
    client.force_login(caseworker)
    url = reverse("entry_create", args=[open_round.pk]) + "?artist=1%27%20OR%201=1"
    assert client.get(url).status_code == 404
