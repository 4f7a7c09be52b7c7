"""Staff pages of caseworkers' filings, and what becomes of the filings when a
caseworker loses the role: they stay with the artists, out of the former
caseworker's reach, and staff still see who filed them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from artsprize.accounts.caseworkers import register_artist
from artsprize.accounts.enums import Language, Role
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import ConsentMethod, Credit, EntryState
from submissions.models import Entry
from submissions.selectors.filings import (
    CaseworkerFilings,
    RoundFilings,
    caseworker_filings,
)
from submissions.services.entries import submit_entry
from tests import factories
from tests.entry_factories import (
    COMPLETE,
    add_file,
    make_artist_without_email,
    make_entry,
    make_open_round,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return factories.make_staff(email="organiser@example.org")


@pytest.fixture
def staff_client(mfa_client, staff):
    return mfa_client(staff)


def file_for(artist, round_, *, by, submit=True, credit=Credit.CREDIT_NAME):
    entry = make_entry(
        round_,
        entrant=artist,
        by=by,
        consent_method=ConsentMethod.SIGNED_FORM,
        credit=credit,
        **COMPLETE,
    )
    if not submit:
        return entry
    add_file(entry)
    return submit_entry(entry, by=by)


def artist_named(legal_name, credit_name="", **kwargs):
    artist = make_artist_without_email(**kwargs)
    artist.profile.legal_name = legal_name
    artist.profile.credit_name = credit_name
    artist.profile.save(update_fields=["legal_name", "credit_name"])
    return artist


# The list ---------------------------------------------------------------------------


def test_the_list_counts_entries_and_artists_per_round_for_each_caseworker(
    staff_client,
):
    earlier = make_open_round(year=2025, title_en="Shared Future")
    later = make_open_round(year=2026, title_en="Colours of Humanity")
    chow = factories.make_caseworker(email="chow@partner.example.org")
    lee = factories.make_caseworker(email="lee@partner.example.org")
    factories.make_entrant(email="alone@example.org")
    maria, amina = artist_named("Maria Santos"), artist_named("Amina Yusuf")
    file_for(maria, later, by=chow)
    file_for(maria, later, by=chow)
    file_for(amina, later, by=chow, submit=False)
    file_for(amina, earlier, by=chow)

    response = staff_client.get(reverse("manage:caseworkers"))

    assert response.status_code == 200
    assert response.context["caseworkers"] == [
        CaseworkerFilings(
            user_id=chow.pk,
            email="chow@partner.example.org",
            holds_role=True,
            rounds=(
                RoundFilings(
                    round_id=later.pk,
                    year=2026,
                    title_en="Colours of Humanity",
                    title_zh_hant="人性的色彩",
                    entries=3,
                    artists=2,
                ),
                RoundFilings(
                    round_id=earlier.pk,
                    year=2025,
                    title_en="Shared Future",
                    title_zh_hant="人性的色彩",
                    entries=1,
                    artists=1,
                ),
            ),
        ),
        CaseworkerFilings(
            user_id=lee.pk, email="lee@partner.example.org", holds_role=True, rounds=()
        ),
    ]
    page = response.content.decode()
    assert "Colours of Humanity (2026): 3 entries, 2 artists" in page
    assert "Shared Future (2025): 1 entry, 1 artist" in page
    assert "none yet" in page
    assert "alone@example.org" not in page
    assert "Maria Santos" not in page
    assert f'href="{reverse("manage:caseworker_detail", args=[chow.pk])}"' in page
    assert f'href="{reverse("manage:caseworkers")}"' in page


def test_the_list_makes_as_many_queries_for_many_caseworkers_as_for_one(
    staff_client, django_assert_num_queries
):
    round_ = make_open_round()
    first = factories.make_caseworker()
    file_for(make_artist_without_email(), round_, by=first)
    staff_client.get(reverse("manage:caseworkers"))
    with CaptureQueriesContext(connection) as one:
        staff_client.get(reverse("manage:caseworkers"))
    other_round = make_open_round(year=round_.year - 1)
    for _ in range(9):
        caseworker = factories.make_caseworker()
        file_for(make_artist_without_email(), round_, by=caseworker)
        file_for(make_artist_without_email(), other_round, by=caseworker)

    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(reverse("manage:caseworkers"))

    assert len(response.context["caseworkers"]) == 10
    assert sum(person.entries for person in response.context["caseworkers"]) == 19


# One caseworker's filings -----------------------------------------------------------


def test_the_filings_name_the_artist_by_the_public_credit_only(staff_client):
    round_ = make_open_round()
    caseworker = factories.make_caseworker(email="chow@partner.example.org")
    maria = artist_named("Maria Santos", "Maria S.")
    amina = artist_named("Amina Yusuf", "Amina")
    submitted = file_for(maria, round_, by=caseworker)
    anonymous = file_for(amina, round_, by=caseworker, credit=Credit.ANONYMOUS)
    draft = file_for(amina, round_, by=caseworker, submit=False)

    response = staff_client.get(
        reverse("manage:caseworker_detail", args=[caseworker.pk])
    )

    assert response.status_code == 200
    assert [(row["entry"], row["artist"]) for row in response.context["rows"]] == [
        (submitted, "Maria S."),
        (anonymous, "Anonymous"),
        (draft, "Amina"),
    ]
    page = response.content.decode()
    assert '<h1 class="h3 text-break">chow@partner.example.org</h1>' in page
    for entry, label in (
        (submitted, submitted.reference),
        (anonymous, anonymous.reference),
        (draft, "draft"),
    ):
        assert (
            f'<a href="{reverse("manage:entry_detail", args=[entry.pk])}">{label}</a>'
            in page
        )
    assert page.count("Adult — community") == 3
    assert page.count("Submitted") == 2
    assert "Maria Santos" not in page
    assert "Amina Yusuf" not in page


def test_someone_who_never_filed_nor_was_a_caseworker_has_no_such_page(staff_client):
    entrant = factories.make_entrant()

    response = staff_client.get(reverse("manage:caseworker_detail", args=[entrant.pk]))

    assert response.status_code == 404


def test_the_filings_make_as_many_queries_for_fifty_entries_as_for_one(
    staff_client, django_assert_num_queries
):
    round_ = make_open_round(entry_cap=60)
    caseworker = factories.make_caseworker()
    artist = make_artist_without_email()
    file_for(artist, round_, by=caseworker, submit=False)
    url = reverse("manage:caseworker_detail", args=[caseworker.pk])
    staff_client.get(url)
    with CaptureQueriesContext(connection) as one:
        staff_client.get(url)
    for _ in range(49):
        file_for(make_artist_without_email(), round_, by=caseworker, submit=False)

    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(url)

    assert len(response.context["rows"]) == 50


# Losing the role --------------------------------------------------------------------


def test_filings_stay_with_the_artists_when_the_caseworker_loses_the_role(
    client, mfa_client, staff
):
    round_ = make_open_round()
    caseworker = factories.make_caseworker(email="chow@partner.example.org")
    artist = register_artist(
        by=caseworker,
        data=factories.ARTIST_PROFILE,
        email="amina@example.org",
        language=Language.ENGLISH,
    )
    submitted = file_for(artist, round_, by=caseworker)
    draft = file_for(artist, round_, by=caseworker, submit=False)

    removed = mfa_client(staff).post(
        reverse("manage:person_role", args=[caseworker.pk]),
        {"role": Role.CASEWORKER, "action": "revoke"},
    )
    assert removed.status_code == 302
    assert (
        AuditEvent.objects.for_object(caseworker)
        .filter(verb=AuditVerb.ROLE_REVOKED)
        .values_list("from_state", flat=True)
        .get()
        == Role.CASEWORKER
    )

    # The entries are unchanged: the artist's, filed by the former caseworker.
    assert list(
        Entry.objects.order_by("pk").values_list("entrant", "filed_by", "state")
    ) == [
        (artist.pk, caseworker.pk, EntryState.SUBMITTED),
        (artist.pk, caseworker.pk, EntryState.DRAFT),
    ]

    # Staff still see who filed them.
    listed = client.get(reverse("manage:caseworkers"))
    assert listed.context["caseworkers"][0].user_id == caseworker.pk
    assert listed.context["caseworkers"][0].holds_role is False
    assert listed.context["caseworkers"][0].entries == 2
    assert '<span class="badge text-bg-secondary">role removed</span>' in listed.text
    filings = client.get(reverse("manage:caseworker_detail", args=[caseworker.pk]))
    assert [row["entry"] for row in filings.context["rows"]] == [submitted, draft]
    assert "No longer a caseworker" in filings.text
    revealed = client.post(
        reverse("manage:entry_reveal", args=[submitted.pk]),
        {"reason": "Who filed this entry?"},
    )
    assert revealed.context["identity"].filer_email == "chow@partner.example.org"

    # The artist follows them under "My entries".
    client.force_login(artist)
    mine = client.get(reverse("my_entries"))
    assert [item["entry"] for item in mine.context["items"]] == [draft, submitted]

    # The former caseworker can no longer open or change them.
    client.force_login(caseworker)
    assert client.get(reverse("caseworker:artists")).status_code == 403
    for entry in (submitted, draft):
        assert client.get(reverse("entry_edit", args=[entry.pk])).status_code == 404
        changed = client.post(
            reverse("entry_edit", args=[entry.pk]), {"title_en": "Changed"}
        )
        assert changed.status_code == 404
        assert client.get(reverse("entry_receipt", args=[entry.pk])).status_code == 404
    file = submitted.files.get()
    assert client.get(reverse("file_download", args=[file.pk])).status_code == 404
    assert client.get(reverse("my_entries")).context["items"] == []
    assert list(Entry.objects.values_list("title_en", flat=True)) == [
        "Harbour at Dusk",
        "Harbour at Dusk",
    ]


def test_a_caseworker_whose_account_is_closed_is_no_longer_one(staff):
    round_ = make_open_round()
    caseworker = factories.make_caseworker(email="chow@partner.example.org")
    file_for(make_artist_without_email(), round_, by=caseworker)
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])

    assert caseworker_filings() == [
        CaseworkerFilings(
            user_id=caseworker.pk,
            email="chow@partner.example.org",
            holds_role=False,
            rounds=(
                RoundFilings(
                    round_id=round_.pk,
                    year=round_.year,
                    title_en="Colours of Humanity",
                    title_zh_hant="人性的色彩",
                    entries=1,
                    artists=1,
                ),
            ),
        )
    ]
