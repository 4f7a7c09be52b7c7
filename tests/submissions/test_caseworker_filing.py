import datetime
import html
import re

import pytest
from django.urls import reverse

from artsprize.accounts.caseworkers import register_artist
from artsprize.accounts.enums import Language
from submissions.enums import Credit, EntryState
from submissions.models import Entry
from submissions.services.rounds import open_round_now
from tests import factories

pytestmark = pytest.mark.django_db

PROFILE = factories.ARTIST_PROFILE


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


def page_text(response):
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(text).split())


def main_text(response):
    """The text of the page's main part, without the site's menu."""
    [main] = re.findall(r"<main\b.*?</main>", response.text, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def breadcrumb(response):
    """The links of the page's breadcrumb, as (address, text) pairs."""
    [trail] = re.findall(r'<ol class="breadcrumb">(.*?)</ol>', response.text, re.S)
    return [
        (href, " ".join(html.unescape(text).split()))
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', trail, re.S)
    ]


def labels(response):
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", label)).split())
        for label in re.findall(r"<label[^>]*>(.*?)</label>", response.text, re.S)
    ]


def test_the_artist_form_speaks_of_the_artist(client, caseworker):
    client.force_login(caseworker)

    page = client.get(reverse("caseworker:artist_create"))

    found = labels(page)
    assert found[:5] == [
        "The artist's legal name *",
        "The artist's public credit name",
        "The artist's date of birth *",
        "The artist is based in Hong Kong *",
        "The artist's phone",
    ]
    assert (
        "How the artist's name appears with their work in public. It may be a "
        "pseudonym. Leave it empty to use their legal name."
    ) in page_text(page)
    assert (
        "Some categories have an age band; the artist's age is counted on the "
        "closing day."
    ) in page_text(page)


def test_the_caseworkers_entry_pages_speak_of_the_artist(
    client, caseworker, artist, open_round
):
    client.force_login(caseworker)
    trail = [
        (reverse("caseworker:artists"), "Artists I registered"),
        (reverse("caseworker:artist", args=[artist.pk]), "Amina Yusuf"),
    ]
    url = reverse("entry_create", args=[open_round.pk]) + f"?artist={artist.pk}"

    new = client.get(url)

    assert breadcrumb(new) == trail
    assert "This work is the artist's own original work." in labels(new)
    assert "The artist accepts the rules and terms of the prize." in labels(new)
    assert "This work is my own original work." not in labels(new)
    assert (
        "The first two are needed to submit. Each of the others is the artist's "
        "separate choice; it may be changed until the deadline."
    ) in page_text(new)
    assert "My entries" not in main_text(new)

    client.post(url, entry_data(open_round.categories.get()))
    entry = Entry.objects.get()
    edit = client.get(reverse("entry_edit", args=[entry.pk]))

    assert breadcrumb(edit)[:2] == trail
    assert '<h1 class="h3">The artist\'s entry</h1>' in html.unescape(edit.text)
    assert "This work is the artist's own original work." in labels(edit)
    assert "You are entering a work on behalf of Amina Yusuf." in page_text(edit)
    back = reverse("caseworker:artist", args=[artist.pk])
    assert f'<a class="btn btn-link" href="{back}">' in edit.text
    assert "Back to the artist's entries" in page_text(edit)
    assert "My entries" not in main_text(edit)

    withdraw = client.get(reverse("entry_withdraw", args=[entry.pk]))
    assert breadcrumb(withdraw)[:2] == trail
    assert "My entries" not in main_text(withdraw)
    withdrawn = client.post(
        reverse("entry_withdraw", args=[entry.pk]), {"reason": "", "confirm": "on"}
    )
    assert (withdrawn.status_code, withdrawn.url) == (302, back)


def test_the_entrants_own_pages_still_speak_to_them(client, open_round):
    entrant = factories.make_entrant()
    client.force_login(entrant)

    new = client.get(reverse("entry_create", args=[open_round.pk]))

    assert breadcrumb(new) == [(reverse("my_entries"), "My entries")]
    assert "This work is my own original work." in labels(new)
    assert "I accept the rules and terms of the prize." in labels(new)


def test_a_round_closed_to_the_artist_is_explained_about_the_artist(
    client, caseworker, open_round
):
    today = datetime.date.today()
    young = register_artist(
        by=caseworker,
        data={**PROFILE, "date_of_birth": today.replace(year=today.year - 15)},
        language=Language.ENGLISH,
    )
    client.force_login(caseworker)

    page = client.get(
        reverse("entry_create", args=[open_round.pk]) + f"?artist={young.pk}"
    )

    assert (
        "None of this round's categories is open to the artist: their age at the "
        "deadline does not fit the categories' age limits."
    ) in main_text(page)
    assert "My entries" not in main_text(page)
    assert f'href="{reverse("caseworker:artist", args=[young.pk])}"' in page.text
