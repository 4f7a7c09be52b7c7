"""What the screening pages read: a round's submitted entries, filtered, with what
staff check them for, in a fixed number of queries however many there are."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.models import EntrantProfile
from submissions.enums import EntryState, FileState, GuardianState
from submissions.models import ArtworkFile, Entry, FileMatch
from submissions.selectors import with_thumbnails
from submissions.selectors.duplicates import matches_of_entries

# Entries whose files' matches count.
LIVE = (EntryState.DRAFT, EntryState.SUBMITTED)

# The flags staff filter by.
FLAG_CHOICES = (
    ("content_warning", _("Content warning")),
    ("duplicate", _("Possible duplicate")),
    ("guardian_pending", _("Guardian has not confirmed")),
    ("filed", _("Filed by a caseworker")),
)


def _not_ready_files():
    return ArtworkFile.objects.exclude(state=FileState.READY)


def _has_match():
    """Entries with a file alike a file of another entry that was not withdrawn
    (the rule of ``selectors.duplicates``), as two semi-joins."""
    return Q(
        pk__in=FileMatch.objects.filter(other__entry__state__in=LIVE).values(
            "file__entry_id"
        )
    ) | Q(
        pk__in=FileMatch.objects.filter(file__entry__state__in=LIVE).values(
            "other__entry_id"
        )
    )


def screening_entries(round_, *, category=None, screening="", problems=False, flag=""):
    """The round's submitted entries in the order of their reference codes. What
    needs other tables is read for a page at a time (``with_flags``)."""
    entries = Entry.objects.filter(round=round_, state=EntryState.SUBMITTED).order_by(
        "reference", "pk"
    )
    if category is not None:
        entries = entries.filter(category=category)
    if screening:
        entries = entries.filter(screening=screening)
    if problems:
        entries = entries.filter(
            Exists(_not_ready_files().filter(entry=OuterRef("pk")))
        )
    if flag == "content_warning":
        entries = entries.filter(content_warning=True)
    elif flag == "duplicate":
        entries = entries.filter(_has_match())
    elif flag == "guardian_pending":
        entries = entries.filter(guardian_state=GuardianState.PENDING)
    elif flag == "filed":
        entries = entries.filter(filed_by__isnull=False)
    return entries


def with_flags(entries):
    """Give each of ``entries`` (a list) ``has_problem`` (a file not ready),
    ``matches`` and ``has_match`` (files alike another entry's, see
    ``selectors.duplicates``), the entrant's ``date_of_birth`` (not their name),
    and its files and team as lists: three queries for the lot, and one more
    when an entry has a match."""
    ids = [entry.pk for entry in entries]
    births = dict(
        EntrantProfile.objects.filter(
            user_id__in={entry.entrant_id for entry in entries}
        ).values_list("user_id", "date_of_birth")
    )
    with_problem = set(
        _not_ready_files().filter(entry_id__in=ids).values_list("entry_id", flat=True)
    )
    matches = matches_of_entries(ids)
    for entry in entries:
        entry.has_problem = entry.pk in with_problem
        entry.matches = matches[entry.pk]
        entry.has_match = bool(entry.matches)
        entry.date_of_birth = births.get(entry.entrant_id)
        # Lists, read once: a related manager is made anew at every access.
        entry.file_list = list(entry.files.all())
        entry.team = list(entry.team_members.all())
    return entries


# What the screening pages show of a file (not its media details, its upload's
# bookkeeping or its original's name).
FILE_COLUMNS = (
    "id",
    "entry_id",
    "position",
    "kind",
    "state",
    "reason",
    "alt_text",
    "width",
    "height",
    "page_count",
)


def with_details(entries):
    """``entries`` with what a row or page of the queue shows fetched at once."""
    return entries.select_related(
        "category", "filed_by", "screened_by"
    ).prefetch_related(
        Prefetch(
            "files",
            queryset=with_thumbnails(
                ArtworkFile.objects.only(*FILE_COLUMNS).order_by("position", "id")
            ),
        ),
        "team_members",
    )
