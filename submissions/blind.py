"""The blind face of submissions: the only way the judging side reads entries.

Everything here returns frozen values built from ``values()`` rows that name
their columns, so the entrant's identity is not even loaded: no entrant, filer,
credit, team or guardian, no original file name, upload time, size, SHA-256,
sniffed type or media facts (a camera or an encoder names a device), no object
key. Nothing returned holds a model instance or a queryset, so no attribute of a
result leads back to a person. The one exception is asked for by name:
``public_credit_line``, the name the artist chose for the public, for a stage
staff made not blind. Revealing who made a work is a separate, audited
staff action (``submissions.services.identity.reveal_identity``).

An entry is named by its primary key, an opaque number that judging's
assignments and scores refer to by foreign key; its reference code is the label
people read. Both are given out by the portal, neither is chosen by the entrant.
"""

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from artsprize.common.errors import DomainError
from artsprize.common.i18n import localized
from submissions import storage
from submissions.enums import (
    JUDGE_COPY_KINDS,
    DerivativeKind,
    EntryState,
    FileState,
    MediaKind,
)
from submissions.models import ArtworkFile, Derivative, Entry
from submissions.selectors.credits import credit_line

# The entry states judges may see. Screening's outcome is a field of its own
# (``Entry.screening``): judging asks for eligible entries with ``screening``.
JUDGEABLE_STATES = frozenset({EntryState.SUBMITTED})

# Every derivative judging may show: the judge copies and the pictures that
# stand for a work in lists and on its page. The waveform is left out: it shows
# the entrant that their recording was read, and a judge listens to the
# recording itself (its thumbnail is drawn from the waveform). A kind added to
# the pipeline stays out of judging until it is added here.
JUDGING_KINDS = frozenset(
    {
        *JUDGE_COPY_KINDS.values(),
        DerivativeKind.THUMB,
        DerivativeKind.POSTER,
        DerivativeKind.PAGE,
    }
)

_ENTRY_COLUMNS = (
    "id",
    "reference",
    "round_id",
    "category_id",
    "category__name_en",
    "category__name_zh_hant",
    "title_en",
    "title_zh_hant",
    "statement",
    "text_work",
    "medium",
    "year_made",
    "dimensions",
    "content_warning",
    "content_warning_note",
)
_FILE_COLUMNS = (
    "id",
    "entry_id",
    "kind",
    "width",
    "height",
    "duration",
    "page_count",
    "alt_text",
)
_DERIVATIVE_COLUMNS = (
    "id",
    "artwork_file_id",
    "kind",
    "index",
    "width",
    "height",
    "content_type",
)


class NotJudgeable(DomainError):
    """What was asked for is not something judging may see: an entry that is not
    in a judgeable state (or does not exist), a file that is not ready, a copy of
    a kind judges do not get. ``code`` names the refusal; a view answers 404."""


@dataclass(frozen=True, slots=True)
class BlindCategory:
    id: int
    name_en: str
    name_zh_hant: str

    @property
    def name(self):
        return localized(self, "name")


@dataclass(frozen=True, slots=True)
class BlindCopy:
    """One derivative made for judging; ``id`` is what ``judging_copy_url``
    takes. ``number`` counts the pages of a document from 1; 0 otherwise."""

    id: int
    kind: DerivativeKind
    number: int
    width: int | None
    height: int | None
    content_type: str


@dataclass(frozen=True, slots=True)
class BlindFile:
    """One ready file of a work, as judges get it: its facts, its description
    for people who cannot see it, and the copies made of it. ``number`` is its
    place among the work's ready files, from 1."""

    number: int
    kind: MediaKind
    width: int | None
    height: int | None
    duration: float | None
    page_count: int | None
    description: str
    judge_copy: BlindCopy | None
    thumbnail: BlindCopy | None
    poster: BlindCopy | None
    pages: tuple[BlindCopy, ...]


@dataclass(frozen=True, slots=True)
class BlindEntry:
    id: int
    reference: str
    round_id: int
    category: BlindCategory
    title_en: str
    title_zh_hant: str
    statement: str
    text_work: str
    medium: str
    year_made: int | None
    dimensions: str
    # Set at screening: judges read the note before they choose to see the work.
    content_warning: bool
    content_warning_note: str
    files: tuple[BlindFile, ...]

    @property
    def title(self):
        return localized(self, "title")


def _check_states(states):
    states = frozenset(states)
    if not states or not states <= JUDGEABLE_STATES:
        raise ValueError(f"Judging sees entries in {sorted(JUDGEABLE_STATES)} only.")
    return states


def _judgeable_entries(states):
    return Entry.objects.filter(state__in=_check_states(states))


def _ready_files(entries):
    return ArtworkFile.objects.filter(entry__in=entries, state=FileState.READY)


def _copy(row):
    return BlindCopy(
        id=row["id"],
        kind=DerivativeKind(row["kind"]),
        number=row["index"],
        width=row["width"],
        height=row["height"],
        content_type=row["content_type"],
    )


def _file(number, row, copies):
    kind = MediaKind(row["kind"])
    by_kind = {}
    pages = []
    for copy in copies:
        if copy.kind == DerivativeKind.PAGE:
            pages.append(copy)
        else:
            by_kind[copy.kind] = copy
    return BlindFile(
        number=number,
        kind=kind,
        width=row["width"],
        height=row["height"],
        duration=row["duration"],
        page_count=row["page_count"],
        description=row["alt_text"],
        judge_copy=by_kind.get(JUDGE_COPY_KINDS[kind]),
        thumbnail=by_kind.get(DerivativeKind.THUMB),
        poster=by_kind.get(DerivativeKind.POSTER),
        pages=tuple(pages),
    )


def _entry(row, files):
    return BlindEntry(
        id=row["id"],
        reference=row["reference"],
        round_id=row["round_id"],
        category=BlindCategory(
            id=row["category_id"],
            name_en=row["category__name_en"],
            name_zh_hant=row["category__name_zh_hant"],
        ),
        title_en=row["title_en"],
        title_zh_hant=row["title_zh_hant"],
        statement=row["statement"],
        text_work=row["text_work"],
        medium=row["medium"],
        year_made=row["year_made"],
        dimensions=row["dimensions"],
        content_warning=row["content_warning"],
        content_warning_note=row["content_warning_note"],
        files=tuple(files),
    )


def _blind(entries):
    """Blind values of ``entries`` (a queryset of judgeable entries) in three
    queries, however many there are: entries, their ready files, and the copies
    of those files. The later queries select by subquery, so a round of 20,000
    entries sends no list of 20,000 IDs."""
    # Reference codes of a round share their prefix and grow in length past
    # 9999, so (length, code) is the order in which they were given.
    rows = list(
        entries.order_by(Length("reference"), "reference", "id").values(*_ENTRY_COLUMNS)
    )
    if not rows:
        return []
    files = _ready_files(entries)
    copies = {}
    for row in (
        Derivative.objects.filter(artwork_file__in=files, kind__in=JUDGING_KINDS)
        .order_by("artwork_file_id", "kind", "index")
        .values(*_DERIVATIVE_COLUMNS)
    ):
        copies.setdefault(row["artwork_file_id"], []).append(_copy(row))
    files_of = {}
    for row in files.order_by("entry_id", "position", "id").values(*_FILE_COLUMNS):
        of_entry = files_of.setdefault(row["entry_id"], [])
        of_entry.append(_file(len(of_entry) + 1, row, copies.get(row["id"], ())))
    return [_entry(row, files_of.get(row["id"], ())) for row in rows]


def blind_entries(
    *,
    round_id,
    category_id=None,
    entry_ids=None,
    states=JUDGEABLE_STATES,
    screening=None,
):
    """The judgeable entries of a round, blind, in the order of their reference
    codes; of one category, of some entries and of one screening outcome
    (``ScreeningState.ELIGIBLE``) only when asked. ``states`` is a part of
    JUDGEABLE_STATES (ValueError otherwise)."""
    entries = _judgeable_entries(states).filter(round_id=round_id)
    if screening is not None:
        entries = entries.filter(screening=screening)
    if category_id is not None:
        entries = entries.filter(category_id=category_id)
    if entry_ids is not None:
        entries = entries.filter(pk__in=list(entry_ids))
    return _blind(entries)


def blind_entry(entry_id, *, states=JUDGEABLE_STATES):
    """One judgeable entry, blind; raises NotJudgeable for any other."""
    found = _blind(_judgeable_entries(states).filter(pk=entry_id))
    if not found:
        raise NotJudgeable(
            _("This entry is not available for judging."), code="entry_not_judgeable"
        )
    return found[0]


def _download_name(reference, file_number, kind, index, extension):
    """A file name that says which work and file a copy is of, and nothing of
    the entrant's own file name: ``HRAP-2025-0007-1.mp4``, ``...-1-page-2.png``."""
    parts = [reference, str(file_number)]
    if kind not in JUDGE_COPY_KINDS.values():
        parts.append(kind)
        if index:
            parts.append(str(index))
    return "-".join(parts) + extension


def judging_copy_url(derivative_id, *, states=JUDGEABLE_STATES):
    """A short-lived URL (S3_PRESIGN_SECONDS) of a copy made for judging.

    The store answers with the type the server fixed and a file name made of the
    reference code and the file's number. Browsers ignore the attachment
    disposition for ``<img>``, ``<video>`` and ``<audio>``, so the same URL shows
    a copy in a page and saves it under that name. Raises NotJudgeable for a
    copy of another kind, of a file that is not ready or of an entry that is not
    judgeable. Whether the person asking may see the entry is the caller's
    permission check.
    """
    states = _check_states(states)
    row = (
        Derivative.objects.filter(pk=derivative_id)
        .values(
            "key",
            "kind",
            "index",
            "content_type",
            "artwork_file_id",
            "artwork_file__position",
            "artwork_file__state",
            "artwork_file__entry_id",
            "artwork_file__entry__state",
            "artwork_file__entry__reference",
        )
        .first()
    )
    if row is None or row["kind"] not in JUDGING_KINDS:
        raise NotJudgeable(
            _("This copy is not available for judging."), code="not_a_judging_copy"
        )
    if row["artwork_file__entry__state"] not in states:
        raise NotJudgeable(
            _("This entry is not available for judging."), code="entry_not_judgeable"
        )
    if row["artwork_file__state"] != FileState.READY:
        raise NotJudgeable(
            _("This file is not ready for judging."), code="file_not_ready"
        )
    # The file's number as blind_entries gives it: its place among the ready files.
    position = row["artwork_file__position"]
    file_number = 1 + (
        ArtworkFile.objects.filter(
            entry_id=row["artwork_file__entry_id"], state=FileState.READY
        )
        .filter(
            Q(position__lt=position)
            | Q(position=position, id__lt=row["artwork_file_id"])
        )
        .count()
    )
    name = _download_name(
        row["artwork_file__entry__reference"],
        file_number,
        row["kind"],
        row["index"],
        PurePosixPath(row["key"]).suffix,
    )
    return storage.presign_download(
        row["key"], filename=name, content_type=row["content_type"]
    )


def judgeable_entry_ids(
    *, round_id, category_ids, screening=None, states=JUDGEABLE_STATES
):
    """``(entry id, category id)`` of the judgeable entries of a round's
    categories, in the order of their reference codes; of one screening outcome
    only when asked. One query, nothing but the two numbers."""
    entries = _judgeable_entries(states).filter(
        round_id=round_id, category_id__in=list(category_ids)
    )
    if screening is not None:
        entries = entries.filter(screening=screening)
    return list(
        entries.order_by(Length("reference"), "reference", "id").values_list(
            "id", "category_id"
        )
    )


def _copies_of(entry):
    for file in entry.files:
        for copy in (file.judge_copy, file.thumbnail, file.poster, *file.pages):
            if copy is not None:
                yield file.number, copy


def copy_urls(entries, *, kinds=None):
    """Short-lived URLs (S3_PRESIGN_SECONDS) of the copies of ``entries``
    (``BlindEntry`` values), ``{copy id: url}``, in one query however many:
    the same URLs as ``judging_copy_url`` gives one by one. ``kinds`` limits
    them to some kinds of copy (the thumbnails of a list)."""
    wanted = {}
    for entry in entries:
        for number, copy in _copies_of(entry):
            if kinds is None or copy.kind in kinds:
                wanted[copy.id] = (entry.reference, number, copy)
    if not wanted:
        return {}
    keys = dict(
        Derivative.objects.filter(
            pk__in=list(wanted),
            kind__in=JUDGING_KINDS,
            artwork_file__state=FileState.READY,
            artwork_file__entry__state__in=JUDGEABLE_STATES,
        ).values_list("id", "key")
    )
    urls = {}
    for copy_id, key in keys.items():
        reference, number, copy = wanted[copy_id]
        name = _download_name(
            reference, number, copy.kind, copy.number, PurePosixPath(key).suffix
        )
        urls[copy_id] = storage.presign_download(
            key, filename=name, content_type=copy.content_type
        )
    return urls


def judgeable_entry_id(reference, *, round_id, states=JUDGEABLE_STATES):
    """The ID of the judgeable entry of a round whose reference code is
    ``reference`` (letter case and spaces around it aside), or None: staff name
    an entry by the code they read."""
    reference = str(reference or "").strip()
    if not reference:
        return None
    return (
        _judgeable_entries(states)
        .filter(round_id=round_id, reference__iexact=reference)
        .values_list("id", flat=True)
        .first()
    )


def public_credit_line(entry_id, *, states=JUDGEABLE_STATES):
    """The name the artist chose to be printed with the work in public — the
    credit name or pseudonym, the legal name only when they chose it, or
    "Anonymous" — as the gallery will print it (``selectors.credits``, the one
    rule). For a stage that staff made not blind, and for nothing else: no
    contact detail, filer, team or guardian comes with it. One query."""
    row = (
        _judgeable_entries(states)
        .filter(pk=entry_id)
        .values(
            "credit", "entrant__profile__legal_name", "entrant__profile__credit_name"
        )
        .first()
    )
    if row is None:
        raise NotJudgeable(
            _("This entry is not available for judging."), code="entry_not_judgeable"
        )
    return credit_line(
        row["credit"],
        legal_name=row["entrant__profile__legal_name"],
        credit_name=row["entrant__profile__credit_name"],
    )
