"""What the screening pages read: a round's submitted entries, filtered, with what
staff check them for, in a fixed number of queries however many there are."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.models import EntrantProfile
from submissions.enums import EntryState, FileState, GuardianState
from submissions.models import ArtworkFile, Entry, FileMatch
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
        entries = entries.filter(Exists(_matched_files().filter(entry=OuterRef("pk"))))
    elif flag == "guardian_pending":
        entries = entries.filter(guardian_state=GuardianState.PENDING)
    elif flag == "filed":
        entries = entries.filter(filed_by__isnull=False)
    return entries


def with_flags(entries):
    """Give each of ``entries`` (a list) ``has_problem`` (a file not ready),
    ``has_match`` (a file alike another entry's), the entrant's ``date_of_birth``
    (not their name), and its files and team as lists: three queries for the
    lot."""
    ids = [entry.pk for entry in entries]
    births = dict(
        EntrantProfile.objects.filter(
            user_id__in={entry.entrant_id for entry in entries}
        ).values_list("user_id", "date_of_birth")
    )
    with_problem = set(
        _not_ready_files().filter(entry_id__in=ids).values_list("entry_id", flat=True)
    )
    with_match = set()
    for pair in FileMatch.objects.filter(
        Q(file__entry_id__in=ids) | Q(other__entry_id__in=ids)
    ).values_list(
        "file__entry_id", "file__entry__state", "other__entry_id", "other__entry__state"
    ):
        file_entry, file_state, other_entry, other_state = pair
        if other_state == EntryState.SUBMITTED:
            with_match.add(file_entry)
        if file_state == EntryState.SUBMITTED:
            with_match.add(other_entry)
    for entry in entries:
        entry.has_problem = entry.pk in with_problem
        entry.has_match = entry.pk in with_match
        entry.date_of_birth = births.get(entry.entrant_id)
        # Lists, read once: a related manager is made anew at every access.
        entry.file_list = list(entry.files.all())
        entry.team = list(entry.team_members.all())
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
