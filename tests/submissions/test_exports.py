"""Staff exports of a round: the rows of each export in both formats, the export
with identity given a reason and audited with it, CSV that streams a chunk at a
time, text that a spreadsheet would run as a formula kept plain, and staff with
two-factor only."""

import csv
import io
import re
import zipfile
import zoneinfo
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from artsprize.accounts.models import EntrantProfile
from artsprize.common.enums import AuditVerb
from artsprize.common.exports import plain_cell
from artsprize.common.models import AuditEvent
from submissions.enums import ConsentMethod, Credit, DerivativeKind, FileState
from submissions.models import ArtworkFile, Derivative, Entry
from submissions.selectors import exports as export_rows
from submissions.services.entries import set_team_members, submit_entry
from submissions.services.identity import REASON_MAX_LENGTH
from tests import factories
from tests.entry_factories import (
    COMPLETE,
    add_file,
    make_artist_without_email,
    make_entry,
    make_open_round,
    make_submitted_entry,
)

pytestmark = pytest.mark.django_db

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")
REASON = "The winners' certificates are printed with their legal names."
XLSX_NAMESPACE = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

ENTRY_HEADINGS = [
    "Reference code",
    "Category (English)",
    "Category (Chinese)",
    "Entry state",
    "Screening",
    "Screening reason (English)",
    "Screening reason (Chinese)",
    "Title (English)",
    "Title (Chinese)",
    "Medium",
    "Year made",
    "Dimensions or duration",
    "Public credit",
    "Consent: original work",
    "Consent: terms",
    "Consent: website",
    "Consent: social media",
    "Consent: press",
    "Consent: exhibition",
    "Consent: charity auction",
    "Guardian's consent",
    "Team members",
    "Filed by a caseworker",
    "Content warning",
    "Content warning for judges",
    "Submitted at (Hong Kong time)",
    "Files",
]
IDENTITY_HEADINGS = [
    "Legal name",
    "E-mail",
    "Phone",
    "Date of birth",
    "Caseworker's e-mail",
]
FILE_HEADINGS = [
    "Reference code",
    "File number",
    "Kind",
    "File name",
    "Content type",
    "Size (bytes)",
    "SHA-256",
    "File state",
    "Refusal reason",
    "Width",
    "Height",
    "Duration (seconds)",
    "Number of pages",
    "Copies",
    "Size of the copies (bytes)",
]
SHA = "ab" * 32


@pytest.fixture
def staff():
    return factories.make_staff(email="organiser@example.org")


@pytest.fixture
def staff_client(mfa_client, staff):
    return mfa_client(staff)


@pytest.fixture
def seeded():
    """A round of 2026 with three entries: a submitted one screened eligible with
    a content warning and two files (one with a copy, one refused); one a
    caseworker filed for an artist without an address, anonymous, with a team
    member; and a draft."""
    round_ = make_open_round(year=2026)
    category = round_.categories.get()
    category.allows_teams = True
    category.save(update_fields=["allows_teams"])
    entrant = factories.make_entrant(email="chan@example.org")
    EntrantProfile.objects.filter(user=entrant).update(phone="+852 5123 4567")
    first = make_submitted_entry(round_, entrant=entrant)
    Entry.objects.filter(pk=first.pk).update(
        screening="eligible",
        screening_reason_en="Meets the rules.",
        screening_reason_zh_hant="符合規則。",
        content_warning=True,
        content_warning_note="Depicts detention.",
        consent_website=True,
        year_made=2025,
        dimensions="60 × 90 cm",
    )
    picture = first.files.get()
    ArtworkFile.objects.filter(pk=picture.pk).update(
        sha256=SHA, width=4000, height=3000
    )
    Derivative.objects.create(
        artwork_file=picture,
        kind=DerivativeKind.THUMB,
        key=f"derivatives/{picture.pk}/thumb.jpg",
        size=300,
        content_type="image/jpeg",
    )
    Derivative.objects.create(
        artwork_file=picture,
        kind=DerivativeKind.PREVIEW,
        key=f"derivatives/{picture.pk}/preview.jpg",
        size=5000,
        content_type="image/jpeg",
    )
    refused = add_file(first, state=FileState.REJECTED, name="脚本.jpg", size=77)
    ArtworkFile.objects.filter(pk=refused.pk).update(reason="not_an_image")

    artist = make_artist_without_email()
    caseworker = factories.make_caseworker(email="caseworker.lee@example.org")
    second = make_entry(
        round_,
        entrant=artist,
        by=caseworker,
        consent_method=ConsentMethod.IN_PERSON,
        credit=Credit.ANONYMOUS,
        **COMPLETE,
    )
    set_team_members(
        second,
        members=[{"name": "Ho Wing Sze", "role": "Calligraphy", "agreed": True}],
        by=caseworker,
    )
    add_file(second, name="amina.jpg", size=2048)
    second = submit_entry(second, by=caseworker)

    draft = make_entry(round_, entrant=entrant, title_en="Unfinished")
    first.refresh_from_db()
    return {
        "round": round_,
        "first": first,
        "second": second,
        "draft": draft,
        "entrant": entrant,
        "artist": artist,
    }


def moment(value):
    return value.astimezone(HONG_KONG).isoformat(timespec="seconds")


def expected_entries(seeded, *, identity=False):
    first, second = seeded["first"], seeded["second"]
    rows = [
        [
            "HRAP-2026-0001",
            "Adult — community",
            "成人組 — 社區",
            "Submitted",
            "Eligible",
            "Meets the rules.",
            "符合規則。",
            "Harbour at Dusk",
            "黃昏的海港",
            "Ink on rice paper",
            2025,
            "60 × 90 cm",
            "Tai",
            "yes",
            "yes",
            "yes",
            "no",
            "no",
            "no",
            "no",
            "Not needed",
            0,
            "no",
            "yes",
            "Depicts detention.",
            moment(first.submitted_at),
            2,
        ],
        [
            "HRAP-2026-0002",
            "Adult — community",
            "成人組 — 社區",
            "Submitted",
            "Not screened yet",
            "",
            "",
            "Harbour at Dusk",
            "黃昏的海港",
            "Ink on rice paper",
            None,
            "",
            "Anonymous",
            "yes",
            "yes",
            "no",
            "no",
            "no",
            "no",
            "no",
            "Not needed",
            1,
            "yes",
            "no",
            "",
            moment(second.submitted_at),
            1,
        ],
        [
            "",
            "Adult — community",
            "成人組 — 社區",
            "Draft",
            "Not screened yet",
            "",
            "",
            "Unfinished",
            "",
            "",
            None,
            "",
            "Tai",
            "no",
            "no",
            "no",
            "no",
            "no",
            "no",
            "no",
            "Not needed",
            0,
            "no",
            "no",
            "",
            None,
            0,
        ],
    ]
    if identity:
        entrant_born = seeded["entrant"].profile.date_of_birth.isoformat()
        artist_born = seeded["artist"].profile.date_of_birth.isoformat()
        rows[0] += [
            "Chan Tai Man",
            "chan@example.org",
            "+852 5123 4567",
            entrant_born,
            "",
        ]
        rows[1] += [
            "Maria Santos",
            "",
            "",
            artist_born,
            "caseworker.lee@example.org",
        ]
        rows[2] += [
            "Chan Tai Man",
            "chan@example.org",
            "+852 5123 4567",
            entrant_born,
            "",
        ]
    return rows


EXPECTED_FILES = [
    [
        "HRAP-2026-0001",
        1,
        "Image",
        "harbour.jpg",
        "image/jpeg",
        1024,
        SHA,
        "Ready",
        "",
        4000,
        3000,
        None,
        None,
        2,
        5300,
    ],
    [
        "HRAP-2026-0001",
        2,
        "Image",
        "脚本.jpg",
        "image/jpeg",
        77,
        "",
        "Rejected",
        "not_an_image",
        None,
        None,
        None,
        None,
        0,
        0,
    ],
    [
        "HRAP-2026-0002",
        1,
        "Image",
        "amina.jpg",
        "image/jpeg",
        2048,
        "",
        "Ready",
        "",
        None,
        None,
        None,
        None,
        0,
        0,
    ],
]


def download_url(round_, kind, file_format):
    return reverse("manage:export_download", args=[round_.pk, kind, file_format])


def identity_url(round_):
    return reverse("manage:export_with_identity", args=[round_.pk])


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def read_csv(content):
    """The rows of a CSV export, numbers and empty cells as the XLSX has them."""
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def as_csv(rows):
    return [["" if value is None else str(value) for value in row] for row in rows]


def column_number(reference):
    letters = re.match(r"[A-Z]+", reference).group()
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def read_xlsx(content, width):
    """The cells of the first sheet: text, numbers, None where empty; and
    whether any cell is a formula."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    sheet = ElementTree.fromstring(sheet_xml)  # noqa: S314 (the portal's own file)
    rows = []
    formulas = False
    for row in sheet.iterfind(".//x:sheetData/x:row", XLSX_NAMESPACE):
        cells = [None] * width
        for cell in row.iterfind("x:c", XLSX_NAMESPACE):
            formulas = formulas or cell.find("x:f", XLSX_NAMESPACE) is not None
            index = column_number(cell.get("r"))
            if cell.get("t") == "inlineStr":
                cells[index] = "".join(
                    text.text or "" for text in cell.iterfind(".//x:t", XLSX_NAMESPACE)
                )
            else:
                value = float(cell.find("x:v", XLSX_NAMESPACE).text)
                cells[index] = int(value) if value.is_integer() else value
        rows.append(cells)
    return rows, formulas


def xlsx_expected(rows):
    """Empty text is an empty cell in a sheet."""
    return [[None if value == "" else value for value in row] for row in rows]


def exported_events(round_):
    return list(
        AuditEvent.objects.for_object(round_)
        .filter(verb=AuditVerb.EXPORTED)
        .order_by("id")
        .values_list("actor_repr", "reason", "data")
    )


# The rows ---------------------------------------------------------------------------


def test_entries_csv_has_every_entry_without_identity(staff_client, seeded):
    round_ = seeded["round"]

    response = staff_client.get(download_url(round_, "entries", "csv"))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="HRAP-2026-entries.csv"'
    )
    assert response["Cache-Control"] == "no-store, private"
    assert read_csv(body(response)) == [
        ENTRY_HEADINGS,
        *as_csv(expected_entries(seeded)),
    ]
    assert exported_events(round_) == [
        ("organiser@example.org", "", {"kind": "entries", "format": "csv", "rows": 3})
    ]


def test_entries_xlsx_has_the_same_rows(staff_client, seeded):
    round_ = seeded["round"]

    response = staff_client.get(download_url(round_, "entries", "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="HRAP-2026-entries.xlsx"'
    )
    rows, formulas = read_xlsx(body(response), len(ENTRY_HEADINGS))
    assert rows == [ENTRY_HEADINGS, *xlsx_expected(expected_entries(seeded))]
    assert not formulas
    assert exported_events(round_) == [
        ("organiser@example.org", "", {"kind": "entries", "format": "xlsx", "rows": 3})
    ]


def test_files_manifest_csv_and_xlsx_have_one_row_per_file(staff_client, seeded):
    round_ = seeded["round"]

    as_text = staff_client.get(download_url(round_, "files", "csv"))
    as_sheet = staff_client.get(download_url(round_, "files", "xlsx"))

    assert as_text["Content-Disposition"] == (
        'attachment; filename="HRAP-2026-files.csv"'
    )
    assert read_csv(body(as_text)) == [FILE_HEADINGS, *as_csv(EXPECTED_FILES)]
    rows, _ = read_xlsx(body(as_sheet), len(FILE_HEADINGS))
    assert rows == [FILE_HEADINGS, *xlsx_expected(EXPECTED_FILES)]
    assert [data for _, _, data in exported_events(round_)] == [
        {"kind": "files", "format": "csv", "rows": 3},
        {"kind": "files", "format": "xlsx", "rows": 3},
    ]


def test_a_round_without_entries_exports_its_headings(staff_client):
    round_ = make_open_round(year=2026)

    response = staff_client.get(download_url(round_, "entries", "csv"))

    assert read_csv(body(response)) == [ENTRY_HEADINGS]


def test_headings_and_labels_follow_the_readers_language(staff_client, seeded):
    response = staff_client.get(
        download_url(seeded["round"], "entries", "csv"),
        headers={"accept-language": "zh-hant"},
    )

    rows = read_csv(body(response))
    assert rows[0][:4] == ["參考編號", "組別（英文）", "組別（中文）", "參賽狀態"]
    assert rows[2][12] == "匿名"


# With identity ------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_identity_export_adds_who_made_each_entry_and_is_audited_with_its_reason(
    staff_client, seeded, file_format
):
    round_ = seeded["round"]

    response = staff_client.post(
        identity_url(round_), {"reason": f"  {REASON}\n", "file_format": file_format}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="HRAP-2026-entries-with-identity.{file_format}"'
    )
    expected = expected_entries(seeded, identity=True)
    headings = ENTRY_HEADINGS + IDENTITY_HEADINGS
    if file_format == "csv":
        # A number written "+852 ..." would be a formula to a spreadsheet.
        rows = [
            ["'+852 5123 4567" if cell == "+852 5123 4567" else cell for cell in row]
            for row in as_csv(expected)
        ]
        assert read_csv(body(response)) == [headings, *rows]
    else:
        rows, _ = read_xlsx(body(response), len(headings))
        assert rows == [headings, *xlsx_expected(expected)]
    assert exported_events(round_) == [
        (
            "organiser@example.org",
            REASON,
            {"kind": "entries-with-identity", "format": file_format, "rows": 3},
        )
    ]


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "This field is required."),
        ("   \n ", "This field is required."),
        (
            "x" * (REASON_MAX_LENGTH + 1),
            "Ensure this value has at most 2000 characters (it has 2001).",
        ),
    ],
    ids=["empty", "blank", "too long"],
)
def test_identity_export_without_a_reason_is_refused(
    staff_client, seeded, reason, message
):
    round_ = seeded["round"]

    response = staff_client.post(
        identity_url(round_), {"reason": reason, "file_format": "csv"}
    )

    assert response.status_code == 200
    assert response.templates[0].name == "submissions/manage/round_exports.html"
    assert response.context["form"].errors == {"reason": [message]}
    assert exported_events(round_) == []


def test_identity_export_is_a_post(staff_client, seeded):
    round_ = seeded["round"]

    response = staff_client.get(identity_url(round_))

    assert response.status_code == 302
    assert response.url == reverse("manage:round_exports", args=[round_.pk])
    assert exported_events(round_) == []


def test_the_service_refuses_identity_without_a_reason(staff, seeded):
    from submissions.errors import ExportError
    from submissions.services.exports import export_round
    from submissions.services.identity import IdentityError

    staff.passed_two_factor = True
    with pytest.raises(IdentityError) as refused:
        export_round(
            seeded["round"], by=staff, kind="entries-with-identity", file_format="csv"
        )
    assert refused.value.code == "no_reason"
    with pytest.raises(ExportError) as not_allowed:
        export_round(
            seeded["round"],
            by=factories.make_entrant(),
            kind="entries",
            file_format="csv",
        )
    assert not_allowed.value.code == "not_allowed"
    assert exported_events(seeded["round"]) == []


# Streaming ------------------------------------------------------------------------------


def test_csv_streams_a_chunk_at_a_time(staff_client, seeded, monkeypatch):
    """The first bytes go out when the first chunk is read: its query and the
    identities of its entries, nothing of the later chunks."""
    monkeypatch.setattr(export_rows, "CHUNK_SIZE", 2)
    round_ = seeded["round"]

    response = staff_client.post(
        identity_url(round_), {"reason": REASON, "file_format": "csv"}
    )
    assert response.streaming
    pieces = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as first_chunk:
        first = next(pieces)
    with CaptureQueriesContext(connection) as the_rest:
        rest = list(pieces)

    assert [len(read_csv(first))] == [3]  # the headings and two entries
    assert [len(piece.decode().splitlines()) for piece in rest] == [1]
    statements = [query["sql"] for query in first_chunk.captured_queries]
    assert len(statements) == 3
    assert 'FROM "submissions_entry"' in statements[0]
    assert "COUNT(" in statements[0]  # the files and team counted in that query
    assert 'FROM "submissions_entry"' in statements[1]  # identities of 2 entries
    assert f"IN ({seeded['first'].pk}, {seeded['second'].pk})" in statements[1]
    assert 'FROM "submissions_teammember"' in statements[2]
    later = [query["sql"] for query in the_rest.captured_queries]
    assert len(later) == 2
    assert f"IN ({seeded['draft'].pk})" in later[0]


def test_plain_exports_read_the_round_in_one_query(
    staff_client, seeded, django_assert_num_queries
):
    round_ = seeded["round"]
    staff_client.get(download_url(round_, "entries", "csv"))
    response = staff_client.get(download_url(round_, "entries", "csv"))

    with django_assert_num_queries(1):
        body(response)


# Formulas -------------------------------------------------------------------------------


def test_text_a_spreadsheet_would_run_is_kept_plain(staff_client, seeded):
    round_ = seeded["round"]
    Entry.objects.filter(pk=seeded["first"].pk).update(
        title_en='=HYPERLINK("http://example.com","x")',
        title_zh_hant="+cmd|' /C calc'!A0",
        medium="-2+3",
        dimensions="@SUM(A1)",
        screening_reason_en="\t=1",
        screening_reason_zh_hant="\r=1",
    )

    as_text = read_csv(body(staff_client.get(download_url(round_, "entries", "csv"))))
    sheet = body(staff_client.get(download_url(round_, "entries", "xlsx")))

    assert as_text[1][5:12] == [
        "'\t=1",
        "'\r=1",
        '\'=HYPERLINK("http://example.com","x")',
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "2025",
        "'@SUM(A1)",
    ]
    rows, formulas = read_xlsx(sheet, len(ENTRY_HEADINGS))
    assert not formulas
    assert rows[1][7] == '=HYPERLINK("http://example.com","x")'


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@1", "'@1"),
        ("\t1", "'\t1"),
        ("\r1", "'\r1"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
        (-1, "-1"),
        (2.5, "2.5"),
    ],
)
def test_plain_cell(value, cell):
    assert plain_cell(value) == cell


# Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["anonymous", "entrant", "judge", "caseworker", "staff without two-factor"]
)
@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("get", "page"),
        ("get", "entries.csv"),
        ("get", "files.xlsx"),
        ("post", "identity"),
    ],
)
def test_only_staff_with_two_factor_export(client, mfa_client, who, method, target):
    round_ = make_open_round(year=2026)
    url = {
        "page": lambda: reverse("manage:round_exports", args=[round_.pk]),
        "entries.csv": lambda: download_url(round_, "entries", "csv"),
        "files.xlsx": lambda: download_url(round_, "files", "xlsx"),
        "identity": lambda: identity_url(round_),
    }[target]()
    if who == "entrant":
        client.force_login(factories.make_entrant())
    elif who == "judge":
        mfa_client(factories.make_judge())
    elif who == "caseworker":
        client.force_login(factories.make_caseworker())
    elif who == "staff without two-factor":
        client.force_login(factories.make_staff())

    response = getattr(client, method)(
        url, {"reason": REASON, "file_format": "csv"} if method == "post" else None
    )

    if who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    elif who == "staff without two-factor":
        assert response.status_code == 302
        assert response.url.startswith(reverse("mfa_activate_totp"))
    else:
        assert response.status_code == 403
    assert exported_events(round_) == []


@pytest.mark.parametrize(
    "path",
    [
        "/manage/rounds/999999/exports/",
        "/manage/rounds/999999/exports/entries.csv",
        "/manage/rounds/999999/exports/files.xlsx",
        "/manage/rounds/abc/exports/entries.csv",
        "/manage/rounds/1/exports/entries.pdf",
        "/manage/rounds/1/exports/entries-with-identity.csv",
    ],
)
def test_a_bad_round_or_export_is_not_found(staff_client, path):
    assert staff_client.get(path).status_code == 404


def test_the_exports_page_links_every_export(staff_client, seeded):
    round_ = seeded["round"]

    detail = staff_client.get(reverse("manage:round_detail", args=[round_.pk]))
    page = staff_client.get(reverse("manage:round_exports", args=[round_.pk]))

    exports_url = reverse("manage:round_exports", args=[round_.pk])
    assert f'href="{exports_url}"' in detail.text
    assert page.status_code == 200
    links = re.findall(r'href="([^"]+/exports/[^"]+)"', page.text)
    assert links == [
        download_url(round_, "entries", "csv"),
        download_url(round_, "entries", "xlsx"),
        download_url(round_, "files", "csv"),
        download_url(round_, "files", "xlsx"),
    ]
    assert f'action="{identity_url(round_)}"' in page.text
    assert exported_events(round_) == []
