from django.db.models import F, Prefetch
from django.utils import timezone

from submissions.enums import DerivativeKind, EntryState, RoundState
from submissions.models import ArtworkFile, Category, Derivative, Entry, Round


def with_categories(queryset):
    return queryset.prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("position", "id"))
    )


def open_rounds(*, now=None):
    """Rounds taking entries now, by the server's clock, soonest deadline first."""
    now = now or timezone.now()
    return with_categories(
        Round.objects.filter(state=RoundState.OPEN, closes_at__gt=now).order_by(
            "closes_at", "pk"
        )
    )


def upcoming_rounds(*, now=None):
    """Scheduled rounds that have not opened yet."""
    now = now or timezone.now()
    return Round.objects.filter(
        state=RoundState.DRAFT, is_scheduled=True, opens_at__gt=now
    ).order_by("opens_at", "pk")


def rounds_for_staff():
    """Newest first; a round without an opening time yet is the newest of its year
    on every database (PostgreSQL and SQLite sort NULLs differently)."""
    return Round.objects.all().order_by(
        "-year", F("opens_at").desc(nulls_first=True), "-pk"
    )


def entries_for_entrant(user):
    """The entrant's entries, their own and those a caseworker filed for them, newest
    first, with what the list shows fetched in a fixed number of queries."""
    return (
        Entry.objects.filter(entrant=user)
        .select_related("round", "category", "filed_by")
        .prefetch_related(
            Prefetch(
                "files",
                queryset=with_thumbnails(
                    ArtworkFile.objects.order_by("position", "id")
                ),
            )
        )
        .order_by("-created_at", "-id")
    )


def entry_count_toward_cap(round_, entrant):
    """Entries that take a place under the round's cap: all but the withdrawn,
    drafts and caseworker filings for the entrant included."""
    return (
        Entry.objects.filter(round=round_, entrant=entrant)
        .exclude(state=EntryState.WITHDRAWN)
        .count()
    )


def with_thumbnails(queryset):
    """``queryset`` of files with their thumbnail (``thumbs``) fetched at once."""
    return queryset.prefetch_related(
        Prefetch(
            "derivatives",
            queryset=Derivative.objects.filter(kind=DerivativeKind.THUMB),
            to_attr="thumbs",
        )
    )
