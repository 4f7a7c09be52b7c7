"""A person's data: the copy of everything held of them, and deleting their
account, against the real S3 server."""

import datetime
import io
import json
import re
import zipfile

import pytest
import requests
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from artsprize.accounts.caseworkers import register_artist
from artsprize.accounts.enums import Language
from artsprize.accounts.models import EntrantProfile
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import (
    EntryState,
    GuardianState,
    RoundState,
    ScreeningState,
)
from submissions.errors import PrivacyError
from submissions.models import ArtworkFile, DataArchive, Entry, TeamMember
from submissions.services.entries import set_entry_state
from submissions.services.privacy import (
    build_data_archive,
    delete_account,
    delete_entries_waiting_for_publication,
    delete_expired_archives,
    request_data_archive,
)
from submissions.services.rounds import set_round_state
from tests import entry_factories, factories
from tests.submissions.privacy_helpers import (
    listed_keys,
    stored_derivative,
    submitted_with_file,
)
from tests.upload_helpers import stored_bytes, stored_file

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 3, 4, 5, 6, tzinfo=datetime.UTC)
PROFILE_JSON = {
    "account": {"language": "en"},
    "profile": {
        "legal_name": "Chan Tai Man",
        "credit_name": "Tai",
        "hong_kong_based": True,
        "phone": "",
        "registered_by_caseworker": False,
        "collection_statement_version": settings.PICS_VERSION,
    },
}


def publish(round_):
    Round = type(round_)
    Round.objects.filter(pk=round_.pk).update(state=RoundState.PUBLISHED)
    round_.refresh_from_db()


def read_archive(archive):
    archive.refresh_from_db()
    return zipfile.ZipFile(io.BytesIO(stored_bytes(archive.key)))


@pytest.fixture
def entrant():
    return factories.make_entrant()


@pytest.fixture
def round_():
    return entry_factories.make_open_round()


# A copy of the data ----------------------------------------------------------------


def test_the_archive_holds_exactly_the_entrants_data_and_files(
    client, django_capture_on_commit_callbacks, entrant, round_
):
    submitted, first = submitted_with_file(round_, entrant, b"first original")
    second = stored_file(submitted, b"second original", name="detail 細節.png")
    ArtworkFile.objects.filter(pk=second.pk).update(position=1)
    draft = entry_factories.make_entry(round_, entrant=entrant, title_en="Sketch")
    stored_file(draft, b"draft original", name="sketch.jpg")
    TeamMember.objects.create(entry=draft, name="Lee Siu Ming", role="Painter")
    # Screened but not released: the entrant does not learn it from the copy.
    Entry.objects.filter(pk=submitted.pk).update(
        screening=ScreeningState.INELIGIBLE, screening_reason_en="Too late."
    )
    record_event(
        actor=None,
        verb=AuditVerb.SCREENED,
        obj=submitted,
        to_state=ScreeningState.INELIGIBLE,
        reason="Too late.",
    )
    record_event(
        actor=None,
        verb=AuditVerb.UPDATED,
        obj=submitted,
        reason="Shows violence.",
        data={"fields": ["content_warning"], "content_warning": True},
    )
    other = factories.make_entrant()
    other_entry, other_file = submitted_with_file(round_, other, b"not yours")
    client.force_login(entrant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("data_archive_request"))

    assert response.status_code == 302
    archive = DataArchive.objects.get(person=entrant)
    assert archive.ready_at is not None
    # A random name: nothing of the person.
    assert re.fullmatch(r"archives/[0-9a-f]{32}\.zip", archive.key)
    zipped = read_archive(archive)
    folder = f"entries/01-{submitted.reference}/"
    assert sorted(zipped.namelist()) == [
        "audit_events.json",
        f"{folder}entry.json",
        f"{folder}files/01-work.jpg",
        f"{folder}files/02-detail 細節.png",
        "entries/02-draft/entry.json",
        "entries/02-draft/files/01-sketch.jpg",
        "profile.json",
        "profile.txt",
    ]
    assert zipped.read(f"{folder}files/01-work.jpg") == b"first original"
    assert zipped.read(f"{folder}files/02-detail 細節.png") == b"second original"
    assert zipped.read("entries/02-draft/files/01-sketch.jpg") == b"draft original"
    profile = json.loads(zipped.read("profile.json"))
    assert profile["account"]["email"] == entrant.email
    assert profile["profile"]["date_of_birth"] == (
        entrant.profile.date_of_birth.isoformat()
    )
    for part in ("account", "profile"):
        for key, value in PROFILE_JSON[part].items():
            assert profile[part][key] == value
    entry_json = json.loads(zipped.read(f"{folder}entry.json"))
    assert entry_json["reference"] == submitted.reference
    assert entry_json["state"] == EntryState.SUBMITTED
    assert entry_json["title_en"] == "Harbour at Dusk"
    assert entry_json["consents"]["original"] is True
    assert entry_json["guardian"]["state"] == GuardianState.NOT_NEEDED
    assert "screening" not in entry_json
    assert [file["in_archive"] for file in entry_json["files"]] == [
        f"{folder}files/01-work.jpg",
        f"{folder}files/02-detail 細節.png",
    ]
    draft_json = json.loads(zipped.read("entries/02-draft/entry.json"))
    assert draft_json["team"] == [
        {
            "name": "Lee Siu Ming",
            "role": "Painter",
            "agreed": False,
            "under_18": False,
            "guardian_name": "",
            "guardian_agreed": False,
        }
    ]
    events = json.loads(zipped.read("audit_events.json"))
    about = {("user", str(entrant.pk)), ("entry", str(submitted.pk))}
    about |= {("entry", str(draft.pk)), ("artworkfile", str(first.pk))}
    about |= {("artworkfile", str(second.pk))}
    assert {(event["object"], event["object_id"]) for event in events} <= about
    assert ("entry", str(submitted.pk)) in {
        (event["object"], event["object_id"]) for event in events
    }
    assert AuditVerb.SCREENED not in {event["what"] for event in events}
    assert "Shows violence." not in {event["reason"] for event in events}
    assert AuditVerb.DATA_ARCHIVE_REQUESTED in {event["what"] for event in events}
    everything = b"".join(zipped.read(name) for name in zipped.namelist())
    for theirs in (other.email, other_entry.reference, b"not yours"):
        assert (theirs.encode() if isinstance(theirs, str) else theirs) not in (
            everything
        )
    text = zipped.read("profile.txt").decode()
    assert "Legal name: Chan Tai Man" in text.splitlines()
    assert other_file.key not in everything.decode(errors="replace")


def test_a_released_screening_is_in_the_archive(
    django_capture_on_commit_callbacks, entrant, round_
):
    entry, _file = submitted_with_file(round_, entrant, b"original")
    Entry.objects.filter(pk=entry.pk).update(
        screening=ScreeningState.ELIGIBLE, screening_reason_en="Within the rules."
    )
    type(round_).objects.filter(pk=round_.pk).update(
        screening_released_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        archive = request_data_archive(entrant, by=entrant)

    zipped = read_archive(archive)
    entry_json = json.loads(zipped.read(f"entries/01-{entry.reference}/entry.json"))
    assert entry_json["screening"] == {
        "outcome": ScreeningState.ELIGIBLE,
        "reason_en": "Within the rules.",
        "reason_zh_hant": "",
        "content_warning": False,
        "content_warning_note": "",
    }


def test_the_link_redirects_its_person_to_a_short_lived_url(
    client, django_capture_on_commit_callbacks, entrant
):
    with django_capture_on_commit_callbacks(execute=True):
        archive = request_data_archive(entrant, by=entrant)
    archive.refresh_from_db()
    client.force_login(entrant)

    response = client.get(reverse("data_archive_download", args=[archive.uuid]))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    url = response["Location"]
    assert f"X-Amz-Expires={settings.S3_PRESIGN_SECONDS}" in url
    downloaded = requests.get(url, timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == stored_bytes(archive.key)
    assert zipfile.ZipFile(io.BytesIO(downloaded.content)).testzip() is None


def test_another_person_gets_not_found_for_the_link(
    client, django_capture_on_commit_callbacks, entrant
):
    with django_capture_on_commit_callbacks(execute=True):
        archive = request_data_archive(entrant, by=entrant)
    client.force_login(factories.make_entrant())

    response = client.get(reverse("data_archive_download", args=[archive.uuid]))

    assert response.status_code == 404


def test_an_expired_link_is_refused(
    client, django_capture_on_commit_callbacks, entrant
):
    with django_capture_on_commit_callbacks(execute=True):
        archive = request_data_archive(entrant, by=entrant)
    DataArchive.objects.filter(pk=archive.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    client.force_login(entrant)

    response = client.get(reverse("data_archive_download", args=[archive.uuid]))

    assert response.status_code == 410
    assert "Location" not in response
    assert response.context["expired"] is True


def test_one_archive_is_prepared_at_a_time(client, entrant):
    first = request_data_archive(entrant, by=entrant)

    with pytest.raises(PrivacyError) as refused:
        request_data_archive(entrant, by=entrant)
    client.force_login(entrant)
    response = client.post(reverse("data_archive_request"), follow=True)

    assert refused.value.code == "archive_in_preparation"
    assert list(DataArchive.objects.filter(person=entrant)) == [first]
    assert [str(message) for message in response.context["messages"]] == [
        "A copy of this data is already being prepared. You will get an e-mail "
        "when it is ready; then you can ask for another."
    ]
    assert factories.audit_count(entrant, verb=AuditVerb.DATA_ARCHIVE_REQUESTED) == 1


def test_expired_archives_are_deleted_from_storage_and_database(
    django_capture_on_commit_callbacks, entrant
):
    with django_capture_on_commit_callbacks(execute=True):
        archive = request_data_archive(entrant, by=entrant)
    archive.refresh_from_db()
    assert archive.key in listed_keys("archives/")

    kept = delete_expired_archives(now=archive.expires_at - datetime.timedelta(1))
    deleted = delete_expired_archives(now=archive.expires_at)

    assert (kept, deleted) == (0, 1)
    assert archive.key not in listed_keys("archives/")
    assert DataArchive.objects.filter(pk=archive.pk).exists() is False


def test_the_ready_mail_is_in_the_persons_language(
    django_capture_on_commit_callbacks,
):
    english = factories.make_entrant(language=Language.ENGLISH)
    chinese = factories.make_entrant(language=Language.CHINESE)
    archives = [request_data_archive(p, by=p) for p in (english, chinese)]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        for archive in archives:
            build_data_archive(archive.pk, now=AT)

    first, second = mail.outbox
    url = settings.SITE_URL.rstrip("/") + reverse(
        "data_archive_download", args=[archives[0].uuid]
    )
    assert first.to == [english.email]
    assert first.subject == "The copy of your data is ready"
    assert first.body == (
        "The copy of your data that you asked for is ready. Download it from this "
        "link, signed in to your account:\n"
        "\n"
        f"{url}\n"
        "\n"
        "The link works until March 11, 2026, 1:06 p.m. (Hong Kong time). Then the "
        "copy is deleted; a new one can be asked for at any time.\n"
        "\n"
        "With best wishes,\n"
        "Hong Kong Human Rights Arts Prize\n"
    )
    assert second.to == [chinese.email]
    assert second.subject == "您的資料副本已準備好"


def test_a_caseworker_asks_for_and_fetches_an_artists_archive(
    client, django_capture_on_commit_callbacks
):
    caseworker = factories.make_caseworker()
    artist = register_artist(
        by=caseworker, data=factories.ARTIST_PROFILE, email=None, language="en"
    )
    client.force_login(caseworker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("caseworker:artist_data_archive", args=[artist.pk])
        )

    assert response.status_code == 302
    archive = DataArchive.objects.get(person=artist)
    assert archive.requested_by == caseworker
    page = client.get(reverse("caseworker:artist", args=[artist.pk]))
    assert list(page.context["archives"]) == [archive]
    download = client.get(reverse("data_archive_download", args=[archive.uuid]))
    assert download.status_code == 302
    profile = json.loads(read_archive(archive).read("profile.json"))
    assert profile["profile"]["legal_name"] == "Amina Yusuf"
    assert profile["profile"]["registered_by_caseworker"] is True
    [message] = mail.outbox[-1:]
    assert message.to == [caseworker.email]
    assert message.subject == "The copy of the artist's data is ready"
    client.force_login(factories.make_caseworker())
    other = client.get(reverse("data_archive_download", args=[archive.uuid]))
    assert other.status_code == 404


# Deleting an account -----------------------------------------------------------


@pytest.fixture
def three_entries(entrant):
    """A draft and a submitted entry in an open round, and a submitted entry of
    a round already published; each with a stored original and copy."""
    open_round = entry_factories.make_open_round()
    draft = entry_factories.make_entry(open_round, entrant=entrant, title_en="Draft")
    draft_file = stored_file(draft, b"draft")
    stored_derivative(draft_file)
    waiting, waiting_file = submitted_with_file(open_round, entrant, b"waiting")
    stored_derivative(waiting_file)
    # Another year: reference codes are numbered by the year.
    published_round = entry_factories.make_open_round(year=2025)
    published, published_file = submitted_with_file(
        published_round, entrant, b"published"
    )
    stored_derivative(published_file)
    publish(published_round)
    return {
        "draft": (draft, draft_file),
        "waiting": (waiting, waiting_file),
        "published": (published, published_file),
    }


def keys_of(file):
    return {file.key, *file.derivatives.values_list("key", flat=True)}


def test_deleting_an_account_needs_the_password(client, entrant, three_entries):
    client.force_login(entrant)

    response = client.post(reverse("account_delete"), {"password": "wrong"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "password": ["That is not your password. Nothing was deleted."]
    }
    assert Entry.objects.filter(entrant=entrant).count() == 3
    entrant.refresh_from_db()
    assert (entrant.is_active, entrant.deleted_at) == (True, None)


def test_deleting_an_account_removes_objects_rows_and_personal_data(
    client, django_capture_on_commit_callbacks, entrant, three_entries
):
    _draft, draft_file = three_entries["draft"]
    waiting, waiting_file = three_entries["waiting"]
    _published, published_file = three_entries["published"]
    gone = keys_of(draft_file) | keys_of(published_file)
    kept = keys_of(waiting_file)
    other = factories.make_entrant()
    _other_entry, other_file = submitted_with_file(waiting.round, other, b"other")
    client.force_login(entrant)
    mail.outbox.clear()
    address = entrant.email
    assert AuditEvent.objects.filter(actor_repr=address).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_delete"), {"password": factories.PASSWORD}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    listed = listed_keys("originals/", "derivatives/")
    assert gone & listed == set()
    assert kept | {other_file.key} <= listed
    assert set(Entry.objects.filter(entrant=entrant)) == {waiting}
    assert (
        ArtworkFile.objects.filter(pk__in=[draft_file.pk, published_file.pk]).count()
        == 0
    )
    waiting.refresh_from_db()
    assert (waiting.state, waiting.delete_when_published) == (
        EntryState.WITHDRAWN,
        True,
    )
    entrant.refresh_from_db()
    assert (entrant.email, entrant.is_active, entrant.has_usable_password()) == (
        None,
        False,
        False,
    )
    assert entrant.deleted_at is not None
    assert EntrantProfile.objects.filter(user=entrant).exists() is False
    assert EmailAddress.objects.filter(user=entrant).exists() is False
    event = AuditEvent.objects.get(verb=AuditVerb.ACCOUNT_DELETED)
    assert (event.actor_id, event.actor_repr, event.object_repr) == (
        None,
        "",
        f"#{entrant.pk}",
    )
    assert event.data == {"entries_deleted": 2, "entries_waiting": 1}
    # Signed out.
    assert client.get(reverse("profile")).status_code == 302
    # Earlier events keep what happened, not the person's address or name.
    assert AuditEvent.objects.filter(actor_repr=address).count() == 0
    assert (
        AuditEvent.objects.filter(object_repr__in=[address, "Chan Tai Man"]).count()
        == 0
    )
    assert AuditEvent.objects.filter(
        object_id=str(entrant.pk), object_repr=f"#{entrant.pk}"
    ).exists()


def test_the_deletion_mail_says_what_happened_in_english(
    django_capture_on_commit_callbacks, entrant, three_entries
):
    address = entrant.email
    waiting, _file = three_entries["waiting"]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(entrant)

    [message] = mail.outbox
    assert message.to == [address]
    assert message.subject == "Your account was deleted"
    assert message.body == (
        "As you asked, your account at the Hong Kong Human Rights Arts Prize was "
        "deleted. Your profile, e-mail address and password were erased.\n"
        "\n"
        "2 entries (drafts, and entries in rounds whose results were already "
        "published) were deleted with their files.\n"
        "\n"
        "These entries were withdrawn and are no longer judged. Each is deleted "
        "with its files when its round's results are published:\n"
        f"- {waiting.reference} (Colours of Humanity)\n"
        "\n"
        "Once they are deleted, nothing of your account is left but the record "
        "that it was deleted.\n"
        "\n"
        "This is the last e-mail we send to this address. If you did not ask for "
        "this, please reply at once.\n"
        "\n"
        "With best wishes,\n"
        "Hong Kong Human Rights Arts Prize\n"
    )


def test_the_deletion_mail_comes_in_chinese_to_a_chinese_reader(
    django_capture_on_commit_callbacks,
):
    reader = factories.make_entrant(language=Language.CHINESE)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(reader)

    [message] = mail.outbox
    assert message.subject == "您的帳戶已刪除"
    assert message.body.splitlines()[-2:] == ["祝好！", "香港人權藝術獎"]


def test_an_account_without_waiting_entries_is_removed_at_once(
    django_capture_on_commit_callbacks, entrant
):
    draft = entry_factories.make_entry(
        entry_factories.make_open_round(), entrant=entrant
    )

    with django_capture_on_commit_callbacks(execute=True):
        deletion = delete_account(entrant)

    assert (deletion.deleted, deletion.waiting) == (1, ())
    assert get_user_model().objects.filter(pk=entrant.pk).exists() is False
    assert Entry.objects.filter(pk=draft.pk).exists() is False


def test_withdrawn_entries_are_deleted_when_their_round_is_published(
    django_capture_on_commit_callbacks, entrant, three_entries
):
    waiting, waiting_file = three_entries["waiting"]
    keys = keys_of(waiting_file)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(entrant)
    round_ = waiting.round
    staff = factories.make_staff()
    for state in (RoundState.CLOSED, RoundState.JUDGING, RoundState.DECIDED):
        type(round_).objects.filter(pk=round_.pk).update(state=state)
    round_.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        set_round_state(round_, RoundState.PUBLISHED, by=staff)

    round_.refresh_from_db()
    assert round_.published_at is not None
    assert Entry.objects.filter(pk=waiting.pk).exists() is False
    assert keys & listed_keys("originals/", "derivatives/") == set()
    assert get_user_model().objects.filter(pk=entrant.pk).exists() is False
    assert delete_entries_waiting_for_publication(round_.pk) == {
        "entries": 0,
        "files": 0,
        "accounts": 0,
    }


def test_an_entry_withdrawn_before_is_also_deleted_at_publication(
    django_capture_on_commit_callbacks, entrant, round_
):
    entry, _file = submitted_with_file(round_, entrant, b"withdrawn")
    set_entry_state(entry, EntryState.WITHDRAWN, by=entrant)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(entrant)
    publish(round_)

    result = delete_entries_waiting_for_publication(round_.pk)

    assert result == {"entries": 1, "files": 1, "accounts": 1}


def test_staff_cannot_delete_their_own_account(client):
    staff = factories.make_staff()
    factories.sign_in_with_two_factor(client, staff)

    response = client.get(reverse("account_delete"))

    assert response.status_code == 403
    with pytest.raises(PrivacyError) as refused:
        delete_account(staff)
    assert refused.value.code == "has_role"


def test_the_pages_of_your_data_render(client, entrant):
    client.force_login(entrant)

    profile = client.get(reverse("profile"))
    page = client.get(reverse("your_data"))
    delete = client.get(reverse("account_delete"))

    assert reverse("data_archive_request") in profile.content.decode()
    assert reverse("account_delete") in profile.content.decode()
    assert page.status_code == 200
    assert delete.status_code == 200
    assert (delete.context["at_once"], delete.context["waiting"]) == (0, 0)
