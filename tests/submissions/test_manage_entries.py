"""The staff page of an entry: the entry as the public would name it, nobody
named until a staff member reveals who made it with a reason, and the originals
opened one at a time, audited, through short-lived URLs."""

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import Credit, DerivativeKind, FileState, MediaKind
from submissions.errors import OriginalError
from submissions.models import Derivative, Entry
from submissions.services.entries import submit_entry
from submissions.services.identity import reveal_identity
from submissions.services.originals import open_original
from tests import factories
from tests.blind_fixtures import IDENTITY, PHOTO, make_identified_entry
from tests.entry_factories import (
    add_file,
    make_complete_entry,
    make_open_round,
    make_submitted_entry,
)

pytestmark = pytest.mark.django_db

REASON = "A judge declared a possible conflict of interest."
# What names the entrant of the identified entry: none of it before a reveal.
IDENTIFYING = (
    IDENTITY["legal_name"],
    IDENTITY["email"],
    IDENTITY["phone"],
    IDENTITY["filer_email"],
    IDENTITY["team_member"],
    IDENTITY["team_guardian"],
    IDENTITY["guardian_name"],
    IDENTITY["guardian_email"],
    IDENTITY["file_name"],
)


@pytest.fixture
def identified(db):
    # Its own client: the upload signs the caseworker in and out.
    return make_identified_entry(Client())


@pytest.fixture
def staff(db):
    return factories.make_staff(email="organiser@example.org")


@pytest.fixture
def staff_client(mfa_client, staff):
    return mfa_client(staff)


def with_two_factor(user):
    # What TwoFactorMiddleware sets on request.user once the session passed it.
    user.passed_two_factor = True
    return user


def detail_url(entry):
    return reverse("manage:entry_detail", args=[entry.pk])


def reveal_url(entry):
    return reverse("manage:entry_reveal", args=[entry.pk])


def original_url(file):
    return reverse("manage:file_original", args=[file.pk])


def events(entry, verb):
    return list(
        AuditEvent.objects.for_object(entry)
        .filter(verb=verb)
        .order_by("pk")
        .values_list("actor_id", "object_repr", "reason", "data")
    )


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


# Permissions ------------------------------------------------------------------------

ROLES = [
    "anonymous",
    "the entrant",
    "the caseworker who filed it",
    "judge",
    "entrant",
    "staff without two-factor",
]


def _sign_in(role, client, mfa_client, entry):
    if role == "the entrant":
        client.force_login(entry.entrant)
    elif role == "the caseworker who filed it":
        client.force_login(entry.filed_by)
    elif role == "judge":
        mfa_client(factories.make_judge())
    elif role == "entrant":
        client.force_login(factories.make_entrant())
    elif role == "staff without two-factor":
        client.force_login(factories.make_staff())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("entry_detail", "get"),
        ("entry_reveal", "post"),
        ("file_original", "post"),
        ("caseworkers", "get"),
        ("caseworker_detail", "get"),
    ],
)
def test_only_staff_with_two_factor_reach_the_staff_pages_of_entries(
    client, mfa_client, identified, role, name, method
):
    file = identified.files.get()
    args = {
        "entry_detail": [identified.pk],
        "entry_reveal": [identified.pk],
        "file_original": [file.pk],
        "caseworkers": [],
        "caseworker_detail": [identified.filed_by_id],
    }[name]
    target = reverse(f"manage:{name}", args=args)
    _sign_in(role, client, mfa_client, identified)
    events_before = AuditEvent.objects.count()

    data = {"reason": REASON} if method == "post" else None
    response = getattr(client, method)(target, data)

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={target}"
    elif role == "staff without two-factor":
        assert response.status_code == 302
        assert urlsplit(response.url).path == reverse("mfa_activate_totp")
        assert dict(parse_qsl(urlsplit(response.url).query)) == {"next": target}
    else:
        # A page that names an object is "not found" for whoever may not see it;
        # the list of caseworkers is "not allowed".
        assert response.status_code == (403 if name == "caseworkers" else 404)
        assert response.templates[0].name == "common/error.html"
    assert AuditEvent.objects.count() == events_before
    for identifying in IDENTIFYING:
        assert identifying not in response.content.decode()


# The page before a reveal ----------------------------------------------------------


def test_the_page_names_the_entry_as_the_public_would_and_nobody_behind_it(
    staff_client, identified
):
    file = identified.files.get()

    response = staff_client.get(detail_url(identified))

    assert response.status_code == 200
    assert response.templates[0].name == "submissions/manage/entry_detail.html"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    for identifying in IDENTIFYING:
        assert identifying not in page
    assert response.context["credit"] == IDENTITY["credit_name"]
    assert response.context["identity"] is None
    assert f'<h1 class="h3 text-break">{identified.reference} · ' in page
    for shown in (
        identified.reference,
        "Youth",
        "Harbour at Dusk",
        "黃昏的海港",
        "Kayan Ink",
        "A harbour seen from a rooftop in Sham Shui Po.",
        "Ink on rice paper",
        "2024",
        "640 × 480 px",
        "Waiting for the guardian&#x27;s confirmation",
        "Calligraphy",
        "1 member besides the entrant.",
        "yes, the guardian agreed",
        "Not screened yet",
        "File 1: Image",
        "the artist's consent: Agreed in person, witnessed by the caseworker",
    ):
        assert shown in page, shown
    assert f'src="{reverse("file_view", args=[file.pk, "thumb"])}"' in page
    assert f'href="{reverse("file_view", args=[file.pk, "preview"])}"' in page
    assert f'action="{original_url(file)}"' in page
    assert f'action="{reveal_url(identified)}"' in page
    assert "Nobody has revealed who made this entry." in page
    # Copies through the existing short-lived URLs, which staff may now open.
    thumb = staff_client.get(reverse("file_view", args=[file.pk, "thumb"]))
    assert thumb.status_code == 302
    query = dict(parse_qsl(urlsplit(thumb.url).query))
    assert query["X-Amz-Expires"] == "300"
    assert urlsplit(thumb.url).path.endswith(
        Derivative.objects.get(artwork_file=file, kind=DerivativeKind.THUMB).key
    )


def test_the_consents_screening_and_content_warning_are_shown(staff_client, staff):
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    Entry.objects.filter(pk=entry.pk).update(
        consent_press=True,
        content_warning=True,
        content_warning_note="Depicts detention.",
        screening_reason_en="Entered after the deadline.",
        screening_reason_zh_hant="截止後才提交。",
        screened_by=staff,
        screened_at=timezone.now(),
    )

    response = staff_client.get(detail_url(entry))

    assert response.context["consents"] == [
        ("the work is original", True),
        ("accepts the terms", True),
        ("may be shown on the website", False),
        ("may be shown on social media", False),
        ("may be shown to the press", True),
        ("may be exhibited", False),
        ("may be sold at the charity auction", False),
    ]
    page = response.content.decode()
    for shown in (
        "Content warning",
        "Depicts detention.",
        "Entered after the deadline.",
        "截止後才提交。",
        "organiser@example.org",
        "Not needed",
    ):
        assert shown in page, shown


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        (Credit.CREDIT_NAME, "Tai"),
        (Credit.LEGAL_NAME, "Chan Tai Man"),
        (Credit.ANONYMOUS, "Anonymous"),
    ],
)
def test_the_credit_is_the_one_the_public_would_read(staff_client, credit, expected):
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    Entry.objects.filter(pk=entry.pk).update(credit=credit)

    response = staff_client.get(detail_url(entry))

    assert response.context["credit"] == expected
    if credit != Credit.LEGAL_NAME:
        assert "Chan Tai Man" not in response.content.decode()


def test_a_refused_file_shows_its_reason_and_offers_no_original(staff_client):
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    refused = add_file(entry, state=FileState.REJECTED)
    refused.reason = "not_an_image"
    refused.save(update_fields=["reason"])
    uploading = add_file(entry, state=FileState.AWAITING_UPLOAD)

    response = staff_client.get(detail_url(entry))

    rows = response.context["files"]
    assert [(row["number"], row["has_original"]) for row in rows] == [
        (1, True),
        (2, False),
        (3, False),
    ]
    assert str(rows[1]["status_message"]) == (
        "This file is not an image in a format we accept "
        "(JPEG, PNG, WebP, GIF, HEIC or TIFF), whatever its name says."
    )
    page = response.content.decode()
    assert "<code>not_an_image</code>" in page
    assert f'action="{original_url(refused)}"' not in page
    assert f'action="{original_url(uploading)}"' not in page
    assert "harbour.jpg" not in page


def test_the_page_of_a_draft_has_no_reference_code(staff_client):
    draft = make_complete_entry(make_open_round(), entrant=factories.make_entrant())

    response = staff_client.get(detail_url(draft))

    page = response.content.decode()
    assert "<title>Draft entry · Rounds" in page
    assert "none yet (a draft)" in page


def test_an_entry_that_does_not_exist_is_not_found(staff_client):
    response = staff_client.get(reverse("manage:entry_detail", args=[987654]))

    assert response.status_code == 404


def _add_ready_image(entry):
    file = add_file(entry)
    for kind in (DerivativeKind.THUMB, DerivativeKind.PREVIEW):
        Derivative.objects.create(
            artwork_file=file,
            kind=kind,
            key=Derivative.key_for(file, kind, "jpg"),
            width=320,
            height=240,
            size=100,
            content_type="image/jpeg",
        )
    return file


def test_the_page_makes_as_many_queries_for_five_files_as_for_one(
    staff_client, django_assert_num_queries
):
    entry = make_complete_entry(
        make_open_round(), entrant=factories.make_entrant(), with_file=False
    )
    _add_ready_image(entry)
    submit_entry(entry, by=entry.entrant)
    staff_client.get(detail_url(entry))
    with CaptureQueriesContext(connection) as one_file:
        response = staff_client.get(detail_url(entry))
    assert len(response.context["files"]) == 1
    reveal_identity(entry, by=with_two_factor(factories.make_staff()), reason=REASON)
    for _ in range(4):
        _add_ready_image(entry)

    with django_assert_num_queries(len(one_file.captured_queries)):
        response = staff_client.get(detail_url(entry))

    assert [row["number"] for row in response.context["files"]] == [1, 2, 3, 4, 5]
    assert all(row["thumb"] and row["judge_copy"] for row in response.context["files"])
    assert len(response.context["reveals"]) == 1


# Revealing --------------------------------------------------------------------------


def test_a_reveal_shows_who_made_the_entry_once_and_is_audited(
    staff_client, staff, identified
):
    response = staff_client.post(reveal_url(identified), {"reason": f"  {REASON}\n"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    for identifying in IDENTIFYING:
        assert identifying in page, identifying
    assert response.context["identity"].legal_name == IDENTITY["legal_name"]
    assert events(identified, AuditVerb.IDENTITY_REVEALED) == [
        (staff.pk, identified.reference, REASON, {})
    ]
    # Listed with who and why; the form is offered empty again.
    reveal = AuditEvent.objects.get(verb=AuditVerb.IDENTITY_REVEALED)
    assert [(row.by, row.reason) for row in response.context["reveals"]] == [
        ("organiser@example.org", REASON)
    ]
    assert response.context["reveals"][0].at == reveal.at
    assert response.context["reveal_form"].is_bound is False
    assert f'<td class="prose" dir="auto">{REASON}</td>' in page

    # Nothing of it is kept: the page, opened again, names nobody.
    again = staff_client.get(detail_url(identified))
    page = again.content.decode()
    for identifying in IDENTIFYING:
        assert identifying not in page
    assert REASON in page
    assert "organiser@example.org" in page
    assert not any(
        IDENTITY["legal_name"] in str(value)
        for value in dict(staff_client.session).values()
    )


def test_every_reveal_of_the_entry_is_listed_newest_first(staff_client, identified):
    chair = factories.make_staff(email="chair@example.org")
    reveal_identity(identified, by=with_two_factor(chair), reason="The award is due.")
    staff_client.post(reveal_url(identified), {"reason": REASON})

    response = staff_client.get(detail_url(identified))

    assert [(row.by, row.reason) for row in response.context["reveals"]] == [
        ("organiser@example.org", REASON),
        ("chair@example.org", "The award is due."),
    ]


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give the reason for revealing who made this entry."),
        ("   \n ", "Give the reason for revealing who made this entry."),
        (
            "x" * 2001,
            "Ensure this value has at most 2000 characters (it has 2001).",
        ),
        ("Bell\x07", "Please remove control characters."),
    ],
)
def test_a_reveal_without_a_good_reason_says_why_and_keeps_the_form(
    staff_client, identified, reason, message
):
    response = staff_client.post(reveal_url(identified), {"reason": reason})

    assert response.status_code == 400
    form = response.context["reveal_form"]
    assert form.errors == {"reason": [message]}
    page = response.content.decode()
    assert "The identity was not revealed: give the reason first." in page
    assert "data-error-summary" in page
    if reason.strip():
        assert f">\n{reason}</textarea>" in page
    for identifying in IDENTIFYING:
        assert identifying not in page
    assert events(identified, AuditVerb.IDENTITY_REVEALED) == []


def test_opening_the_reveal_address_reveals_nothing(staff_client, identified):
    response = staff_client.get(reveal_url(identified))

    assert response.status_code == 302
    assert response.url == detail_url(identified)
    assert events(identified, AuditVerb.IDENTITY_REVEALED) == []


def test_the_page_is_in_chinese_for_a_chinese_reader(staff_client, identified):
    response = staff_client.post(
        reveal_url(identified), {"reason": ""}, headers={"accept-language": "zh-hant"}
    )

    page = response.content.decode()
    assert "請說明揭示此參賽作品作者身份的原因。" in page
    assert "揭示此參賽作品的作者" in page
    assert "Reveal who made this entry" not in page


# Originals --------------------------------------------------------------------------


def test_opening_an_original_is_audited_and_leads_to_a_short_lived_url(
    staff_client, staff, identified, settings
):
    settings.S3_PRESIGN_SECONDS = 90
    file = identified.files.get()

    response = staff_client.post(original_url(file))

    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
    url = urlsplit(response.url)
    assert (
        url.path
        == f"/{settings.STORAGES['default']['OPTIONS']['bucket_name']}/{file.key}"
    )
    query = dict(parse_qsl(url.query))
    assert query["X-Amz-Expires"] == "90"
    name = f"{identified.reference}-1-original.jpg"
    assert query["response-content-disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    )
    assert IDENTITY["file_name"] not in response.url
    assert events(identified, AuditVerb.ORIGINAL_OPENED) == [
        (staff.pk, identified.reference, "", {"file": 1, "file_id": file.pk})
    ]
    stored = requests.get(response.url, timeout=10)
    assert stored.status_code == 200
    assert stored.content == PHOTO.read_bytes()


def test_the_audit_names_the_file_by_its_number_in_the_entry(staff_client, staff):
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    add_file(entry, kind=MediaKind.DOCUMENT, name="statement.pdf")
    second = add_file(entry, name="second.jpg")

    response = staff_client.post(original_url(second))

    assert response.status_code == 302
    query = dict(parse_qsl(urlsplit(response.url).query))
    assert (
        f'filename="{entry.reference}-3-original.jpg"'
        in query["response-content-disposition"]
    )
    assert events(entry, AuditVerb.ORIGINAL_OPENED) == [
        (staff.pk, entry.reference, "", {"file": 3, "file_id": second.pk})
    ]


def test_opening_the_address_of_an_original_does_nothing(staff_client, identified):
    file = identified.files.get()

    response = staff_client.get(original_url(file))

    assert response.status_code == 302
    assert response.url == detail_url(identified)
    assert events(identified, AuditVerb.ORIGINAL_OPENED) == []


def test_a_file_without_an_original_says_so(staff_client):
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    uploading = add_file(entry, state=FileState.AWAITING_UPLOAD)

    response = staff_client.post(original_url(uploading), follow=True)

    assert response.redirect_chain == [(detail_url(entry), 302)]
    assert shown_messages(response) == [
        "This file has no original to open: it has not finished uploading or was "
        "not accepted."
    ]
    assert events(entry, AuditVerb.ORIGINAL_OPENED) == []


def test_the_audit_log_shows_which_file_was_opened(staff_client, identified):
    file = identified.files.get()
    staff_client.post(original_url(file))

    response = staff_client.get(
        reverse("manage:audit_log"),
        {"object": f"submissions.entry:{identified.pk}", "verb": "original_opened"},
    )

    page = response.content.decode()
    assert "opened an original file" in page
    assert (
        f'<dt class="d-inline">File ID:</dt> <dd class="d-inline">{file.pk}</dd>'
        in (page)
    )
    assert '<dt class="d-inline">File:</dt> <dd class="d-inline">1</dd>' in page
    assert IDENTITY["file_name"] not in page


@pytest.mark.parametrize(
    "who",
    ["staff without two-factor", "judge", "the entrant", "caseworker", "nobody"],
)
def test_nobody_but_staff_with_two_factor_opens_an_original(who):
    entrant = factories.make_entrant()
    entry = make_submitted_entry(make_open_round(), entrant=entrant)
    by = {
        "staff without two-factor": lambda: factories.make_staff(),
        "judge": lambda: with_two_factor(factories.make_judge()),
        "the entrant": lambda: entrant,
        "caseworker": lambda: factories.make_caseworker(),
        "nobody": lambda: None,
    }[who]()

    with pytest.raises(OriginalError) as refused:
        open_original(entry.files.get(), by=by)

    assert refused.value.code == "not_allowed"
    assert str(refused.value) == (
        "Only staff who signed in with two-factor authentication may open an "
        "original file."
    )
    assert events(entry, AuditVerb.ORIGINAL_OPENED) == []


def test_an_original_is_opened_by_the_service_with_its_number(staff):
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    add_file(entry, name="second.jpg")
    third = add_file(entry, name="third.jpg")

    url = open_original(third, by=with_two_factor(staff))

    query = dict(parse_qsl(urlsplit(url).query))
    assert query["response-content-disposition"].startswith(
        f'attachment; filename="{entry.reference}-3-original.jpg"'
    )
    assert query["response-content-type"] == "image/jpeg"
    assert events(entry, AuditVerb.ORIGINAL_OPENED) == [
        (staff.pk, entry.reference, "", {"file": 3, "file_id": third.pk})
    ]


@pytest.mark.parametrize("who", ["judge", "entrant", "staff without two-factor"])
def test_the_copies_on_the_staff_page_are_for_staff_with_two_factor(
    client, mfa_client, identified, who
):
    file = identified.files.get()
    thumb = reverse("file_view", args=[file.pk, "thumb"])
    if who == "judge":
        mfa_client(factories.make_judge())
    elif who == "entrant":
        client.force_login(factories.make_entrant())
    else:
        client.force_login(factories.make_staff())

    response = client.get(thumb)

    if who == "staff without two-factor":
        assert response.status_code == 302
        assert urlsplit(response.url).path == reverse("mfa_activate_totp")
    else:
        assert response.status_code == 404
