"""How many queries the entrant's busiest requests make: the edit page, a
submission and an upload's completion. The counts must not grow with the number
of files or team members of the entry."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from submissions.enums import Credit, EntryState, FileState, MediaKind
from submissions.models import ArtworkFile, Category, TeamMember
from tests import factories
from tests.upload_helpers import Browser, make_entry, payload

pytestmark = pytest.mark.django_db

# Session, user, the entry (with round, category, entrant and filer), its files,
# their thumbnails, its team, the person's roles and the round's categories.
EDIT_PAGE_QUERIES = 8
SUBMIT_QUERIES = 24
UPLOAD_COMPLETE_QUERIES = 11


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The upload API's rate-limit counters live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def entrant():
    return factories.make_entrant()


@pytest.fixture
def signed_in(client, entrant):
    client.force_login(entrant)
    return client


def _team_category(entry):
    Category.objects.filter(pk=entry.category_id).update(allows_teams=True)


def _with_parts(entry, *, files, members):
    _team_category(entry)
    for number in range(files):
        ArtworkFile.objects.create(
            entry=entry,
            owner=entry.entrant,
            position=number,
            kind=MediaKind.IMAGE,
            key=f"originals/test/{entry.pk}-{number}",
            original_name=f"photo-{number}.jpg",
            content_type="image/jpeg",
            declared_size=1000,
            size=1000,
            state=FileState.READY,
            alt_text=f"Photo {number}",
        )
    for number in range(members):
        TeamMember.objects.create(
            entry=entry, position=number, name=f"Member {number}", agreed=True
        )
    return entry


def _form_data(entry):
    data = {
        "category": entry.category_id,
        "title_en": "Shared Future",
        "medium": "Ink on paper",
        "year_made": "2025",
        "statement": "A harbour at night, painted from memory.",
        "credit": Credit.CREDIT_NAME,
        "consent_original": "on",
        "consent_terms": "on",
        "team-TOTAL_FORMS": "0",
        "team-INITIAL_FORMS": "0",
    }
    for file in entry.files.all():
        data[f"alt_text_{file.pk}"] = file.alt_text
    members = list(entry.team_members.all())
    data["team-TOTAL_FORMS"] = str(len(members))
    data["team-INITIAL_FORMS"] = str(len(members))
    for index, member in enumerate(members):
        data[f"team-{index}-name"] = member.name
        data[f"team-{index}-agreed"] = "on"
    return data


@pytest.mark.parametrize(("files", "members"), [(1, 1), (5, 5)])
def test_the_edit_page_reads_files_and_team_once(
    signed_in, entrant, files, members, django_assert_max_num_queries
):
    entry = _with_parts(make_entry(entrant), files=files, members=members)
    url = reverse("entry_edit", args=[entry.pk])
    with django_assert_max_num_queries(EDIT_PAGE_QUERIES):
        response = signed_in.get(url)
    assert response.status_code == 200
    assert len(response.context["files"]) == files
    assert response.context["team_formset"].initial_form_count() == members


@pytest.mark.parametrize(("files", "members"), [(1, 1), (5, 5)])
def test_a_submission_takes_a_bounded_number_of_queries(
    signed_in, entrant, files, members, django_assert_max_num_queries
):
    entry = _with_parts(make_entry(entrant), files=files, members=members)
    data = _form_data(entry)
    with django_assert_max_num_queries(SUBMIT_QUERIES):
        response = signed_in.post(reverse("entry_submit", args=[entry.pk]), data)
    assert response.status_code == 302, response.context["problems"]
    assert response["Location"] == reverse("entry_receipt", args=[entry.pk])
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED


def test_an_upload_completion_takes_a_bounded_number_of_queries(
    client, entrant, django_assert_max_num_queries
):
    client.force_login(entrant)
    browser = Browser(client)
    entry = make_entry(entrant)
    data = payload(20_000)
    status, ticket = browser.start(entry, "photo.jpg", len(data), "image/jpeg")
    assert status == 200
    assert browser.put(ticket["url"], data, ticket["headers"]).status_code == 200
    with django_assert_max_num_queries(UPLOAD_COMPLETE_QUERIES):
        status, done = browser.complete(ticket["file"])
    assert status == 200
    assert done["state"] == FileState.UPLOADED
