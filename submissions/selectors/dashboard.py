"""What the round dashboard shows staff: a round's entries by category and state,
its submissions over time, the drafts left near the deadline, the files processing
could not finish and the storage its files take.

Every number is counted or summed by the database, in a fixed number of queries
however many entries and files the round has. Days and hours are Hong Kong's.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncHour

from submissions.enums import (
    DerivativeKind,
    EntryState,
    FileState,
    MediaKind,
    ScreeningState,
)
from submissions.models import ArtworkFile, Derivative, Entry

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")
# The run-up to the deadline: drafts changed in it, and submissions hour by hour.
RUSH = datetime.timedelta(hours=48)
HOUR = datetime.timedelta(hours=1)
# The most failed and rejected files the page lists; the counts cover them all.
FAILURES_SHOWN = 200


def rush_window(round_):
    """The 48 hours before the round's closing time, or None without one."""
    if round_.closes_at is None:
        return None
    return round_.closes_at - RUSH, round_.closes_at


def _entry_measures(round_):
    """The conditional counts of a round's entries, for one category's row or for
    all of them."""
    draft = Q(state=EntryState.DRAFT)
    submitted = Q(state=EntryState.SUBMITTED)
    uploaded = Exists(
        ArtworkFile.objects.filter(entry=OuterRef("pk")).exclude(
            state=FileState.AWAITING_UPLOAD
        )
    )
    measures = {
        "draft": Count("pk", filter=draft),
        "submitted": Count("pk", filter=submitted),
        "withdrawn": Count("pk", filter=Q(state=EntryState.WITHDRAWN)),
        "unscreened": Count(
            "pk", filter=submitted & Q(screening=ScreeningState.UNSCREENED)
        ),
        "eligible": Count(
            "pk", filter=submitted & Q(screening=ScreeningState.ELIGIBLE)
        ),
        "ineligible": Count(
            "pk", filter=submitted & Q(screening=ScreeningState.INELIGIBLE)
        ),
        "total": Count("pk"),
        # Drafts never submitted (a draft only ever moves on to submitted or
        # withdrawn) holding a file whose upload finished.
        "drafts_with_files": Count("pk", filter=draft & uploaded),
    }
    window = rush_window(round_)
    if window is not None:
        # Changed: the entry saved, or a file added to it, in the window.
        file_added = Exists(
            ArtworkFile.objects.filter(entry=OuterRef("pk"), created_at__range=window)
        )
        measures["drafts_changed"] = Count(
            "pk", filter=draft & (Q(updated_at__range=window) | file_added)
        )
    return measures


@dataclass(frozen=True)
class CategoryRow:
    category: object
    counts: dict


def entries_by_category(round_):
    """A row per category of the round, in the round's order (categories without
    entries too), and the totals: ``(rows, totals)``. Each row's ``counts`` and the
    totals hold draft, submitted, withdrawn, their sum (total), the submitted by
    screening (unscreened, eligible, ineligible), and of the drafts those holding
    an uploaded file (drafts_with_files) and those changed in the 48 hours before
    closing (drafts_changed; absent for a round without a closing time). Three
    queries."""
    measures = _entry_measures(round_)
    entries = Entry.objects.filter(round=round_)
    by_category = {
        row.pop("category_id"): row
        for row in entries.order_by()
        .values("category_id")
        .annotate(**measures)
        .values("category_id", *measures)
    }
    empty = dict.fromkeys(measures, 0)
    rows = [
        CategoryRow(category, by_category.get(category.pk, empty))
        for category in round_.categories.order_by("position", "pk")
    ]
    totals = entries.aggregate(**measures)
    return rows, totals


@dataclass(frozen=True)
class Point:
    """One bar of a chart: when it starts (a date or an aware datetime) and how
    many submissions fell in it."""

    start: object
    count: int


def _days_between(first, last):
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def submissions_by_day(round_, *, now):
    """Submissions per Hong Kong day, from the day the round opened to the day it
    closes (or today, for a round still without a closing time), days without any
    included; a submission outside those days widens the range. Entries withdrawn
    after they were submitted count on the day they were submitted. One query."""
    counts = dict(
        Entry.objects.filter(round=round_, submitted_at__isnull=False)
        .annotate(day=TruncDate("submitted_at", tzinfo=HONG_KONG))
        .order_by()
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    ends = [
        moment.astimezone(HONG_KONG).date()
        for moment in (round_.opens_at, round_.closes_at or now)
        if moment is not None
    ]
    ends.extend(counts)
    if not counts and round_.opens_at is None:
        return []
    first, last = min(ends), max(ends)
    return [Point(day, counts.get(day, 0)) for day in _days_between(first, last)]


def _hour_ceiling(moment):
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + HOUR


def submissions_by_hour(round_):
    """Submissions in each of the 48 hours before the closing time (the last hour
    the one the deadline falls in), or [] for a round without one. Hong Kong's
    hours are whole hours of UTC. One query."""
    if round_.closes_at is None:
        return []
    end = _hour_ceiling(round_.closes_at)
    start = end - RUSH
    counts = dict(
        Entry.objects.filter(
            round=round_, submitted_at__gte=start, submitted_at__lt=end
        )
        .annotate(hour=TruncHour("submitted_at", tzinfo=HONG_KONG))
        .order_by()
        .values("hour")
        .annotate(count=Count("pk"))
        .values_list("hour", "count")
    )
    hours = [(start + HOUR * n).astimezone(HONG_KONG) for n in range(RUSH // HOUR)]
    # Aware datetimes are equal, and hash alike, when they are the same instant.
    return [Point(hour, counts.get(hour, 0)) for hour in hours]


def processing_failures(round_):
    """The round's files processing could not finish (failed: our fault, retried
    by staff) and refused (rejected: the file itself), failed first, oldest first,
    at most ``FAILURES_SHOWN``; with their entry and category. One query."""
    return list(
        ArtworkFile.objects.filter(
            entry__round=round_, state__in=[FileState.FAILED, FileState.REJECTED]
        )
        .select_related("entry__category")
        .order_by("state", "updated_at", "pk")[:FAILURES_SHOWN]
    )


@dataclass(frozen=True)
class StorageRow:
    kind: str
    label: str
    files: int
    bytes: int


def _storage(queryset, kinds):
    measures = {
        "files": Count("pk"),
        "bytes": Coalesce(Sum("size"), 0),
    }
    found = {
        row["kind"]: row
        for row in queryset.order_by().values("kind").annotate(**measures)
    }
    rows = [
        StorageRow(kind.value, kind.label, found[kind]["files"], found[kind]["bytes"])
        for kind in kinds
        if kind in found
    ]
    return rows, queryset.aggregate(**measures)


def storage_of_originals(round_):
    """The bytes of the round's originals by media kind, counting files whose
    upload finished (their size is known), and the totals: ``(rows, totals)``.
    Two queries."""
    return _storage(
        ArtworkFile.objects.filter(entry__round=round_, size__isnull=False),
        MediaKind,
    )


def storage_of_copies(round_):
    """The bytes of the copies made of the round's originals, by kind of copy, and
    the totals: ``(rows, totals)``. Two queries."""
    return _storage(
        Derivative.objects.filter(artwork_file__entry__round=round_), DerivativeKind
    )


def file_problem_counts(round_):
    """How many of the round's files failed and how many were refused. One query."""
    return ArtworkFile.objects.filter(entry__round=round_).aggregate(
        failed=Count("pk", filter=Q(state=FileState.FAILED)),
        rejected=Count("pk", filter=Q(state=FileState.REJECTED)),
    )
