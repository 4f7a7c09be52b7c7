from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Prefetch
from django.utils import timezone

from submissions.enums import Credit, DerivativeKind, EntryState, RoundState
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


def credit_line(credit, *, legal_name, credit_name):
    """The name printed with a work in public, by the entry's credit choice: the
    legal name, the credit name (the legal name when there is none) or
    "Anonymous" (lazy, so that a mail built now reads it in its recipient's
    language). The one rule for it: ``public_credit`` reads it of an entry, the
    staff exports of rows of values."""
    if credit == Credit.ANONYMOUS:
        return Credit.ANONYMOUS.label
    if credit == Credit.LEGAL_NAME:
        return legal_name or ""
    return credit_name or legal_name or ""


def public_credit(entry):
    """The public credit of ``entry`` (``credit_line``); empty for an entrant
    without a profile, unless the entry is anonymous."""
    if entry.credit == Credit.ANONYMOUS:
        return credit_line(entry.credit, legal_name="", credit_name="")
    try:
        profile = entry.entrant.profile
    except ObjectDoesNotExist:
        return ""
    return credit_line(
        entry.credit, legal_name=profile.legal_name, credit_name=profile.credit_name
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
