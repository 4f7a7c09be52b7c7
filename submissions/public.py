"""The public face of entries: what the public may see of a work once results
are published, and the one module of entries that publishing reads besides
``blind``.

A ``PublicWork`` carries the work's titles, medium, year, dimensions, its
category, the credit the artist chose (``selectors.credits.public_credit``: the
legal name, a credit name or pseudonym, or "Anonymous" — never the legal name
behind a pseudonym), the team's names and roles (none for an anonymous work),
whether its images may be shown (``shown``: submitted, and the artist agreed
to the website) and whether it may be named at all (``listed``: a work whose
artist never agreed to the website is listed without its images; one whose
artist took the agreement back is not listed), and its images: the public copies made by
``services.public_copies`` with their widths and the artist's description of
each image for people who cannot see it. Nothing else: no contact, no date of
birth, no file name, no original.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from artsprize.common.i18n import localized
from submissions import storage
from submissions.enums import (
    Credit,
    DerivativeKind,
    EntryState,
    FileState,
    GuardianState,
    MediaKind,
)
from submissions.models import ArtworkFile, Derivative, Entry, PublicCopy, TeamMember
from submissions.selectors.credits import public_credit
from submissions.services.public_copies import (
    SOURCES,
    make_public_copies,
    may_be_public,
    public_storage,
    remove_public_copies,
)


@dataclass(frozen=True, slots=True)
class PublicImage:
    width: int
    height: int
    url: str
    # The object's key in the public location (empty for a staff preview).
    key: str = ""


@dataclass(frozen=True, slots=True)
class PublicFile:
    """One image of a work, at its widths (ascending)."""

    description: str
    images: tuple[PublicImage, ...]

    @property
    def largest(self):
        return self.images[-1]

    @property
    def srcset(self):
        return ", ".join(f"{image.url} {image.width}w" for image in self.images)


@dataclass(frozen=True, slots=True)
class PublicCredit:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class PublicWork:
    id: int
    reference: str
    round_id: int
    category_id: int
    category_name_en: str
    category_name_zh_hant: str
    title_en: str
    title_zh_hant: str
    medium: str
    year_made: int | None
    dimensions: str
    credit: str
    team: tuple[PublicCredit, ...]
    shown: bool
    listed: bool
    # The guardian confirmed (for a minor) and every team member agreed (with
    # their guardian, for a minor): without that, nothing of it is published.
    consents_complete: bool
    # Images (and posters, pages) whose artist gave no description for people
    # who cannot see them.
    undescribed: int
    files: tuple[PublicFile, ...]

    @property
    def title(self):
        return localized(self, "title")

    @property
    def category_name(self):
        return localized(self, "category_name")


# Without S3_PUBLIC_BASE_URL a public copy's address is presigned for seven
# days, and signing the hundreds of a gallery costs more than the page: the
# addresses of a set of copies are kept together for a day (well within their
# life), one entry of the cache for one page.
URL_CACHE_SECONDS = 24 * 3600


def public_urls(keys):
    """``{key: address}`` of public copies."""
    storage = public_storage()
    if not storage.querystring_auth:
        return {key: storage.url(key) for key in keys}
    if not keys:
        return {}
    digest = hashlib.sha256(
        "\n".join(
            [storage.endpoint_url or "", storage.bucket_name, *sorted(keys)]
        ).encode()
    ).hexdigest()
    name = f"public-urls:{digest}"
    urls = cache.get(name)
    if urls is None:
        urls = {key: storage.url(key) for key in keys}
        cache.set(name, urls, URL_CACHE_SECONDS)
    return urls


def _description(entry, file):
    """What people who cannot see a file's image read: the artist's
    description, or for the frame of a video or the page of a document (which
    the artist was not asked to describe) what it is a picture of."""
    if file.alt_text.strip():
        return file.alt_text
    # Read in the language of whoever reads it, as the message around it.
    title = lazy(localized, str)(entry, "title")
    if file.kind == MediaKind.VIDEO:
        return format_lazy(_("A frame of the video “{title}”"), title=title)
    if file.kind == MediaKind.DOCUMENT:
        return format_lazy(_("The first page of “{title}”"), title=title)
    return ""


def _files(entry, urls):
    files = []
    for file in entry.files.all():
        copies = sorted(file.public_copies.all(), key=lambda copy: copy.width)
        if not copies:
            continue
        files.append(
            PublicFile(
                description=_description(entry, file),
                images=tuple(
                    PublicImage(
                        width=copy.width,
                        height=copy.height,
                        url=urls[copy.key],
                        key=copy.key,
                    )
                    for copy in copies
                ),
            )
        )
    return tuple(files)


def _preview_files(entry):
    """The images of ``entry`` as its public copies will show them, for staff
    reviewing a publication before any copy is made: the derivatives they are
    made from, through short-lived URLs."""
    files = []
    for file in entry.files.all():
        if file.kind not in SOURCES:
            continue
        kind, index = SOURCES[file.kind]
        wanted = {(kind, index)}
        if file.kind == MediaKind.IMAGE:
            wanted.add((DerivativeKind.THUMB, 0))
        copies = sorted(
            (
                derivative
                for derivative in file.derivatives.all()
                if (derivative.kind, derivative.index) in wanted and derivative.width
            ),
            key=lambda derivative: derivative.width,
        )
        if copies:
            files.append(
                PublicFile(
                    description=_description(entry, file),
                    images=tuple(
                        PublicImage(
                            width=copy.width,
                            height=copy.height or copy.width,
                            url=storage.presign_view(
                                copy.key, content_type=copy.content_type
                            ),
                        )
                        for copy in copies
                    ),
                )
            )
    return tuple(files)


def _consents_complete(entry):
    if entry.guardian_state == GuardianState.PENDING:
        return False
    return all(
        member.agreed and (member.guardian_agreed or not member.is_minor)
        for member in entry.team_members.all()
    )


def public_works(*, round_id, entry_ids, preview=False):
    """The submitted entries of ``round_id`` among ``entry_ids`` as the public
    may see them, in the order of ``entry_ids``; four queries however many
    (five with ``preview``: the images are then the derivatives the public
    copies will be made of, for staff to review before they are)."""
    entries = (
        Entry.objects.filter(
            round_id=round_id, pk__in=list(entry_ids), state=EntryState.SUBMITTED
        )
        .select_related("category", "entrant__profile")
        .only(
            "id",
            "reference",
            "round_id",
            "state",
            "credit",
            "consent_website",
            "public_use_withdrawn_at",
            "guardian_state",
            "title_en",
            "title_zh_hant",
            "medium",
            "year_made",
            "dimensions",
            "category__id",
            "category__name_en",
            "category__name_zh_hant",
            "entrant__id",
            "entrant__profile__id",
            "entrant__profile__legal_name",
            "entrant__profile__credit_name",
        )
        .prefetch_related(
            Prefetch(
                "team_members",
                queryset=TeamMember.objects.order_by("position", "id").only(
                    "id",
                    "entry_id",
                    "name",
                    "role",
                    "agreed",
                    "is_minor",
                    "guardian_agreed",
                ),
            ),
            Prefetch(
                "files",
                queryset=ArtworkFile.objects.filter(state=FileState.READY)
                .order_by("position", "id")
                .only("id", "entry_id", "alt_text", "position", "kind"),
            ),
            Prefetch(
                "files__public_copies",
                queryset=PublicCopy.objects.only(
                    "id", "artwork_file_id", "key", "width", "height"
                ),
            ),
            *(
                [Prefetch("files__derivatives", queryset=Derivative.objects.all())]
                if preview
                else []
            ),
        )
    )
    entries = list(entries)
    urls = public_urls(
        [
            copy.key
            for entry in entries
            if may_be_public(entry)
            for file in entry.files.all()
            for copy in file.public_copies.all()
        ]
    )
    found = {}
    for entry in entries:
        anonymous = entry.credit == Credit.ANONYMOUS
        shown = may_be_public(entry)
        found[entry.pk] = PublicWork(
            id=entry.pk,
            reference=entry.reference,
            round_id=entry.round_id,
            category_id=entry.category_id,
            category_name_en=entry.category.name_en,
            category_name_zh_hant=entry.category.name_zh_hant,
            title_en=entry.title_en,
            title_zh_hant=entry.title_zh_hant,
            medium=entry.medium,
            year_made=entry.year_made,
            dimensions=entry.dimensions,
            credit=public_credit(entry),
            team=()
            if anonymous
            else tuple(
                PublicCredit(name=member.name, role=member.role)
                for member in entry.team_members.all()
            ),
            shown=shown,
            listed=shown or entry.public_use_withdrawn_at is None,
            consents_complete=_consents_complete(entry),
            undescribed=sum(
                1
                for file in entry.files.all()
                if file.kind in SOURCES and not str(_description(entry, file)).strip()
            ),
            files=(_preview_files(entry) if preview else _files(entry, urls))
            if shown
            else (),
        )
    return [found[entry_id] for entry_id in entry_ids if entry_id in found]


def make_public(entry_ids):
    """Copy the images of the works of ``entry_ids`` that may be shown to the
    public location (``services.public_copies``; each work once)."""
    for entry_id in entry_ids:
        make_public_copies(entry_id)


def remove_public(entry_id):
    """Take a work's images out of the public location."""
    return remove_public_copies(entry_id)
