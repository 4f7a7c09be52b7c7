"""How many queries the entrant's busiest requests make: the edit page, a
submission, a save, an upload's start and completion and the receipt. The counts
must not grow with the number of files or team members of the entry. The session
is read from the cache (``SESSION_ENGINE``), not counted here."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from artsprize.common.models import AuditEvent
from submissions.enums import Credit, EntryState, FileState, MediaKind
from submissions.models import ArtworkFile, Category, Entry, TeamMember
from tests.upload_helpers import Browser, make_entry, payload

pytestmark = pytest.mark.django_db

# User, the entry (with round, category, entrant and profile), its files,
# their thumbnails, its team, the person's roles and the round's categories.
EDIT_PAGE_QUERIES = 7
# User, one transaction (its two statements), the entry locked with its
# round, category, entrant and profile, its files, its team, the person's roles,
# the round's categories; a description written and audited; the round locked as
# its counter advances; the entry written and audited; the receipt queued.
SUBMIT_QUERIES = 15
# User, the entry (with round and category), the person's roles, one
# transaction (its two statements), the entry locked, its files, the person's
# uploads in progress, the file written and audited.
UPLOAD_START_QUERIES = 10
UPLOAD_COMPLETE_QUERIES = 11
# User, the entry (with round, category, entrant and profile), the
# person's roles, its files and its team.
RECEIPT_QUERIES = 5
# The edit page's reads, then the save's own: nothing is locked or written.
UNCHANGED_SAVE_QUERIES = 7


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


# One file and one member, then as many files as a category takes and five members.
SIZES = pytest.mark.parametrize(("files", "members"), [(1, 1), (5, 5)])


@pytest.fixture
def entry(client, entrant_user, files, members):
    """A draft with ``files`` images and ``members`` team members, its entrant
    signed in."""
    client.force_login(entrant_user)
    return _with_parts(make_entry(entrant_user), files=files, members=members)


@SIZES
def test_the_edit_page_reads_files_and_team_once(
    client, entry, files, members, django_assert_max_num_queries
):
    url = reverse("entry_edit", args=[entry.pk])
    with django_assert_max_num_queries(EDIT_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["files"]) == files
    assert response.context["team_formset"].initial_form_count() == members


def _saved_as_sent(entry, data):
    """The draft as the form sends it: title, medium and the rest."""
    for name in ("title_en", "medium", "statement"):
        setattr(entry, name, data[name])
    entry.year_made = int(data["year_made"])
    entry.consent_original = entry.consent_terms = True
    entry.save()


@SIZES
def test_a_draft_sent_back_unchanged_keeps_its_team_and_writes_nothing(
    client, entry, members, django_assert_max_num_queries
):
    data = _form_data(entry)
    events = AuditEvent.objects.count()
    _saved_as_sent(entry, data)
    with django_assert_max_num_queries(UNCHANGED_SAVE_QUERIES):
        response = client.post(reverse("entry_edit", args=[entry.pk]), data)
    assert response.status_code == 302
    assert entry.team_members.count() == members
    assert AuditEvent.objects.count() == events


@SIZES
def test_a_submission_takes_a_bounded_number_of_queries(
    client, entry, django_assert_max_num_queries
):
    data = _form_data(entry)
    # As in the deadline rush: the draft saved before, an image's description
    # typed with the submission.
    _saved_as_sent(entry, data)
    first = entry.files.order_by("position").first()
    data[f"alt_text_{first.pk}"] = "Ink washes of the harbour at night"
    # A running server has read the audit log's content type once, at its first
    # change of an entry.
    ContentType.objects.get_for_model(Entry)
    with django_assert_max_num_queries(SUBMIT_QUERIES):
        response = client.post(reverse("entry_submit", args=[entry.pk]), data)
    assert response.status_code == 302, response.context["problems"]
    assert response["Location"] == reverse("entry_receipt", args=[entry.pk])
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED
    first.refresh_from_db()
    assert first.alt_text == "Ink washes of the harbour at night"


@SIZES
def test_an_upload_start_reads_the_entrys_files_once(
    client, entry, files, django_assert_max_num_queries
):
    Category.objects.filter(pk=entry.category_id).update(max_files=files + 1)
    ContentType.objects.get_for_model(ArtworkFile)
    with django_assert_max_num_queries(UPLOAD_START_QUERIES):
        status, ticket = Browser(client).start(entry, "new.jpg", 2_000, "image/jpeg")
    assert status == 200, ticket
    assert ticket["resumed"] is False
    assert ArtworkFile.objects.get(pk=ticket["file"]).position == files


def test_an_upload_completion_takes_a_bounded_number_of_queries(
    client, entrant_user, django_assert_max_num_queries
):
    entrant = entrant_user
    client.force_login(entrant)
    browser = Browser(client)
    entry = make_entry(entrant)
    data = payload(20_000)
    status, ticket = browser.start(entry, "photo.jpg", len(data), "image/jpeg")
    assert status == 200
    assert browser.put(ticket["url"], data, ticket["headers"]).status_code == 200
    with django_assert_max_num_queries(UPLOAD_COMPLETE_QUERIES):
        status, done = browser.call(
            "POST", "upload_complete", file=ticket["file"], data={"page": True}
        )
    assert status == 200
    assert done["state"] == FileState.UPLOADED
    # What the page shows anew comes with the answer: no request follows.
    assert f'id="file-{ticket["file"]}"' in done["html"]
    assert "Describe the image “photo.jpg”" in done["checklist"]
    assert f'name="alt_text_{ticket["file"]}"' in done["description"]


@SIZES
def test_the_receipt_reads_files_and_team_once(
    client, entry, files, members, django_assert_max_num_queries
):
    data = _form_data(entry)
    _saved_as_sent(entry, data)
    response = client.post(reverse("entry_submit", args=[entry.pk]), data)
    assert response.status_code == 302, response.context["problems"]
    with django_assert_max_num_queries(RECEIPT_QUERIES):
        response = client.get(reverse("entry_receipt", args=[entry.pk]))
    assert response.status_code == 200
    assert len(response.context["files"]) == files
    assert len(response.context["team_members"]) == members
