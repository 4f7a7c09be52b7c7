"""What the screening pages read: a round's submitted entries, filtered, with what
staff check them for, in a fixed number of queries however many there are."""

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from submissions.enums import EntryState, FileState, GuardianState
from submissions.models import ArtworkFile, Entry
from submissions.selectors import with_thumbnails

# The flags staff filter by.
FLAG_CHOICES = (
    ("content_warning", _("Content warning")),
    ("duplicate", _("Possible duplicate")),
    ("guardian_pending", _("Guardian has not confirmed")),
    ("filed", _("Filed by a caseworker")),
)


def _not_ready_files():
    return ArtworkFile.objects.exclude(state=FileState.READY)


def _matched_files():
    """Files with a match in another submitted entry (matches of withdrawn
    entries no longer count)."""
    return ArtworkFile.objects.filter(
        Q(matches__other__entry__state=EntryState.SUBMITTED)
        | Q(matched_by__file__entry__state=EntryState.SUBMITTED)
    )


def screening_entries(round_, *, category=None, screening="", problems=False, flag=""):
    """The round's submitted entries in the order of their reference codes, with
    the entrant's ``date_of_birth`` (not their name) annotated. The flags that
    need other tables are read for a page at a time (``with_flags``)."""
    entries = (
        Entry.objects.filter(round=round_, state=EntryState.SUBMITTED)
        .annotate(date_of_birth=F("entrant__profile__date_of_birth"))
        .order_by("reference", "pk")
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
        entries = entries.filter(Exists(_matched_files().filter(entry=OuterRef("pk"))))
    elif flag == "guardian_pending":
        entries = entries.filter(guardian_state=GuardianState.PENDING)
    elif flag == "filed":
        entries = entries.filter(filed_by__isnull=False)
    return entries


def with_flags(entries):
    """Give each of ``entries`` (a list) ``has_problem`` (a file not ready) and
    ``has_match`` (a file alike another entry's): two queries for the lot."""
    ids = [entry.pk for entry in entries]
    with_problem = set(
        _not_ready_files().filter(entry_id__in=ids).values_list("entry_id", flat=True)
    )
    with_match = set(
        _matched_files().filter(entry_id__in=ids).values_list("entry_id", flat=True)
    )
    for entry in entries:
        entry.has_problem = entry.pk in with_problem
        entry.has_match = entry.pk in with_match
    return entries


def with_details(entries):
    """``entries`` with what a row or page of the queue shows fetched at once."""
    return entries.select_related(
        "category", "filed_by", "screened_by"
    ).prefetch_related(
        Prefetch(
            "files",
            queryset=with_thumbnails(ArtworkFile.objects.order_by("position", "id")),
        ),
        "team_members",
    )
