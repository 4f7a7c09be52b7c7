"""The rows of a round's staff exports: their columns and their values, in one
place that the CSV and the XLSX writers (``views.exports``) both read.

Rows come in chunks of ``CHUNK_SIZE`` from one query read through a server-side
cursor (``iterator(chunk_size=...)``), so a round of 20,000 entries is never
held in memory at once; what a row needs from other tables (the number of its
files, its team, a file's copies) is a subquery of that same query. The
identity of the entrants is not read here: the export with identity
(``services.exports``) audits first, then passes its reader in, and it is
called once a chunk.

A cell is text, a number or None (empty). Dates and times are ISO 8601 in Hong
Kong time; states and kinds are their labels in the language of the request.
"""

import itertools
import zoneinfo

from django.db.models import (
    BigIntegerField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, Length, RowNumber
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from submissions.enums import (
    EntryState,
    FileState,
    GuardianState,
    MediaKind,
    ScreeningState,
)
from submissions.models import ArtworkFile, Derivative, Entry, TeamMember
from submissions.selectors.credits import credit_line

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")
# Rows read from the cursor at a time, and written out together.
CHUNK_SIZE = 2000

ENTRIES = "entries"
ENTRIES_WITH_IDENTITY = "entries-with-identity"
FILES = "files"
KINDS = (ENTRIES, ENTRIES_WITH_IDENTITY, FILES)

ENTRY_COLUMNS = (
    _("Reference code"),
    _("Category (English)"),
    _("Category (Chinese)"),
    _("Entry state"),
    _("Screening"),
    _("Screening reason (English)"),
    _("Screening reason (Chinese)"),
    _("Title (English)"),
    _("Title (Chinese)"),
    _("Medium"),
    _("Year made"),
    _("Dimensions or duration"),
    _("Public credit"),
    _("Consent: original work"),
    _("Consent: terms"),
    _("Consent: website"),
    _("Consent: social media"),
    _("Consent: press"),
    _("Consent: exhibition"),
    _("Consent: charity auction"),
    _("Guardian's consent"),
    _("Team members"),
    _("Filed by a caseworker"),
    _("Content warning"),
    _("Content warning for judges"),
    _("Submitted at (Hong Kong time)"),
    _("Files"),
)
IDENTITY_COLUMNS = (
    _("Legal name"),
    _("E-mail"),
    _("Phone"),
    _("Date of birth"),
    _("Caseworker's e-mail"),
)
FILE_COLUMNS = (
    _("Reference code"),
    _("File number"),
    _("Kind"),
    _("File name"),
    _("Content type"),
    _("Size (bytes)"),
    _("SHA-256"),
    _("File state"),
    _("Refusal reason"),
    _("Width"),
    _("Height"),
    _("Duration (seconds)"),
    _("Number of pages"),
    _("Copies"),
    _("Size of the copies (bytes)"),
)

_CONSENTS = (
    "consent_original",
    "consent_terms",
    "consent_website",
    "consent_social",
    "consent_press",
    "consent_exhibition",
    "consent_auction",
)
_ENTRY_FIELDS = (
    "id",
    "reference",
    "category__name_en",
    "category__name_zh_hant",
    "state",
    "screening",
    "screening_reason_en",
    "screening_reason_zh_hant",
    "title_en",
    "title_zh_hant",
    "medium",
    "year_made",
    "dimensions",
    "credit",
    "entrant__profile__legal_name",
    "entrant__profile__credit_name",
    *_CONSENTS,
    "guardian_state",
    "team_size",
    "filed_by_id",
    "content_warning",
    "content_warning_note",
    "submitted_at",
    "file_count",
)
_FILE_FIELDS = (
    "entry__reference",
    "number",
    "kind",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "state",
    "reason",
    "width",
    "height",
    "duration",
    "page_count",
    "copy_count",
    "copy_bytes",
)


def columns(kind):
    """The headings of an export of ``kind``, in the language of the request."""
    if kind == FILES:
        labels = FILE_COLUMNS
    elif kind == ENTRIES_WITH_IDENTITY:
        labels = ENTRY_COLUMNS + IDENTITY_COLUMNS
    else:
        labels = ENTRY_COLUMNS
    return tuple(str(label) for label in labels)


def _count_of(model, field):
    """The number of ``model`` rows whose ``field`` is the outer row, as a
    subquery (0 for none)."""
    counted = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(total=Count("id"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _in_reference_order(prefix=""):
    """Reference codes of a round share their prefix and grow in length past
    9999, so (length, code) is the order in which they were given; drafts,
    without one, come last."""
    field = f"{prefix}reference"
    return (
        Length(field).asc(nulls_last=True),
        F(field).asc(nulls_last=True),
        f"{prefix}id" if prefix else "id",
    )


def entries_of(round_):
    """The entries of ``round_``, drafts and withdrawn ones included, in the order
    of their reference codes."""
    return (
        Entry.objects.filter(round=round_)
        .annotate(
            team_size=_count_of(TeamMember, "entry"),
            file_count=_count_of(ArtworkFile, "entry"),
        )
        .order_by(*_in_reference_order())
    )


def files_of(round_):
    """Every file of the entries of ``round_``, numbered within its entry, with
    how many copies processing made of it and their bytes."""
    copies = (
        Derivative.objects.filter(artwork_file=OuterRef("pk"))
        .order_by()
        .values("artwork_file")
    )
    return (
        ArtworkFile.objects.filter(entry__round=round_)
        .annotate(
            number=Window(
                RowNumber(),
                partition_by=[F("entry_id")],
                order_by=[F("position").asc(), F("id").asc()],
            ),
            copy_count=Coalesce(
                Subquery(
                    copies.annotate(total=Count("id")).values("total"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            copy_bytes=Coalesce(
                Subquery(
                    copies.annotate(total=Sum("size")).values("total"),
                    output_field=BigIntegerField(),
                ),
                0,
                output_field=BigIntegerField(),
            ),
        )
        .order_by(*_in_reference_order("entry__"), "position", "id")
    )


def count_rows(round_, kind):
    """How many rows an export of ``kind`` has now."""
    if kind == FILES:
        return ArtworkFile.objects.filter(entry__round=round_).count()
    return Entry.objects.filter(round=round_).count()


def _yes_no(value):
    return gettext("yes") if value else gettext("no")


def _label(choices, value):
    """The label of a choice, or the stored value if it is no longer a choice."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _moment(value):
    if value is None:
        return None
    return value.astimezone(HONG_KONG).isoformat(timespec="seconds")


def _entry_row(row):
    return (
        row["reference"] or "",
        row["category__name_en"],
        row["category__name_zh_hant"],
        _label(EntryState, row["state"]),
        _label(ScreeningState, row["screening"]),
        row["screening_reason_en"],
        row["screening_reason_zh_hant"],
        row["title_en"],
        row["title_zh_hant"],
        row["medium"],
        row["year_made"],
        row["dimensions"],
        str(
            credit_line(
                row["credit"],
                legal_name=row["entrant__profile__legal_name"],
                credit_name=row["entrant__profile__credit_name"],
            )
        ),
        *(_yes_no(row[name]) for name in _CONSENTS),
        _label(GuardianState, row["guardian_state"]),
        row["team_size"],
        _yes_no(row["filed_by_id"] is not None),
        _yes_no(row["content_warning"]),
        row["content_warning_note"],
        _moment(row["submitted_at"]),
        row["file_count"],
    )


def _identity_cells(identity):
    if identity is None:
        return ("", "", "", None, "")
    born = identity.date_of_birth
    return (
        identity.legal_name,
        identity.email,
        identity.phone,
        born.isoformat() if born else None,
        identity.filer_email,
    )


def _file_row(row):
    return (
        row["entry__reference"] or "",
        row["number"],
        _label(MediaKind, row["kind"]),
        row["original_name"],
        row["content_type"],
        row["size"],
        row["sha256"],
        _label(FileState, row["state"]),
        row["reason"],
        row["width"],
        row["height"],
        row["duration"],
        row["page_count"],
        row["copy_count"],
        row["copy_bytes"],
    )


def _chunks(queryset, chunk_size):
    rows = queryset.iterator(chunk_size=chunk_size)
    while chunk := list(itertools.islice(rows, chunk_size)):
        yield chunk


def export_chunks(round_, kind, *, identities=None, chunk_size=None):
    """The rows of an export of ``kind``, a list of tuples a chunk, in the order
    of ``columns(kind)``. The export with identity needs ``identities``, a
    function from entry IDs to ``{entry ID: EntrantIdentity}``, called once a
    chunk."""
    chunk_size = chunk_size or CHUNK_SIZE
    if kind == FILES:
        for chunk in _chunks(files_of(round_).values(*_FILE_FIELDS), chunk_size):
            yield [_file_row(row) for row in chunk]
        return
    if kind == ENTRIES_WITH_IDENTITY and identities is None:
        raise ValueError("The export with identity needs the identities' reader.")
    for chunk in _chunks(entries_of(round_).values(*_ENTRY_FIELDS), chunk_size):
        if kind == ENTRIES_WITH_IDENTITY:
            found = identities([row["id"] for row in chunk])
            yield [
                _entry_row(row) + _identity_cells(found.get(row["id"])) for row in chunk
            ]
        else:
            yield [_entry_row(row) for row in chunk]
