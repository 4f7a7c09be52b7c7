"""How well a stage's entries are covered by its judges, for the staff page of
assignments: per entry, the judges whose scores count (those without a
conflict with it), the scores submitted, and whether it falls below the
stage's minimum. A page of entries reads in a fixed number of queries however
many entries and judges there are."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from judging.models import Assignment, Conflict, PanelMember, Score, StageEntry
from judging.selectors.conflicts import conflicted
from submissions.blind import blind_entries, judgeable_entry_id

PAGE_SIZE = 50
SHOWS = ("all", "below", "conflicts")


@dataclass(frozen=True)
class CoveredJudge:
    assignment_id: int
    judge_id: int
    email: str
    conflicted: bool
    submitted: bool


@dataclass(frozen=True)
class CoverageRow:
    entry_id: int
    reference: str
    title: str
    counted: int
    submitted: int
    conflicts: int
    below_minimum: bool
    judges: tuple[CoveredJudge, ...]


def _count(queryset):
    """The number of rows of ``queryset`` (grouped by its entry), as a
    subquery: 0 when there are none."""
    counted = (
        queryset.order_by()
        .values("entry_id")
        .annotate(number=Count("id"))
        .values("number")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _counted_assignments():
    """The assignments whose judge has no conflict with the entry, correlated
    with a stage entry of the outer query (its stage and its entry)."""
    return Assignment.objects.filter(
        stage_id=OuterRef("stage_id"), entry_id=OuterRef("entry_id")
    ).exclude(conflicted())


def below_minimum(stage_entries, min_judges):
    """``stage_entries`` (a query of ``StageEntry``) narrowed to those with
    fewer judges whose scores count than ``min_judges``: a stage's minimum, or
    ``OuterRef("min_judges")`` when the entries are a subquery of a query of
    stages (the round dashboard's progress counts them for every stage at
    once)."""
    return stage_entries.annotate(counted=_count(_counted_assignments())).filter(
        counted__lt=min_judges
    )


def _judges_of_stage(stage):
    """Judges who sit on the panel or hold an assignment of the stage."""
    return Q(
        judge_id__in=PanelMember.objects.filter(stage_id=stage.pk).values("judge_id")
    ) | Q(judge_id__in=Assignment.objects.filter(stage_id=stage.pk).values("judge_id"))


def covered_entries(stage, *, show="all"):
    """The stage's entries annotated with ``counted`` (judges whose scores
    count), ``submitted`` (their submitted scores) and ``conflicts`` (conflicts
    of the stage's judges with the entry), in the order they entered the stage.
    ``show``: "all", "below" (fewer counted judges than the stage's minimum) or
    "conflicts" (with at least one)."""
    counted = _counted_assignments()
    entries = StageEntry.objects.filter(stage_id=stage.pk).annotate(
        counted=_count(counted),
        submitted=_count(
            counted.filter(
                Exists(
                    Score.objects.filter(
                        assignment_id=OuterRef("pk"), submitted_at__isnull=False
                    )
                )
            )
        ),
        conflicts=_count(
            Conflict.objects.filter(entry_id=OuterRef("entry_id")).filter(
                _judges_of_stage(stage)
            )
        ),
    )
    if show == "below":
        entries = entries.filter(counted__lt=stage.min_judges)
    elif show == "conflicts":
        entries = entries.filter(conflicts__gt=0)
    return entries.order_by("id")


def entries_below_minimum(stage):
    """How many entries of the stage have fewer judges whose scores count than
    the stage's minimum (one query)."""
    return below_minimum(
        StageEntry.objects.filter(stage_id=stage.pk), stage.min_judges
    ).count()


def coverage_page(stage, *, show="all", page=None):
    """One page (PAGE_SIZE entries) of the stage's coverage: a Django ``Page``
    whose ``object_list`` is a list of ``CoverageRow``. The reference codes and
    titles come from the blind face of submissions, for the page's entries
    only."""
    paginator = Paginator(
        covered_entries(stage, show=show).values(
            "entry_id", "counted", "submitted", "conflicts"
        ),
        PAGE_SIZE,
    )
    current = paginator.get_page(page)
    rows = list(current.object_list)
    entry_ids = [row["entry_id"] for row in rows]
    judges_of = {entry_id: [] for entry_id in entry_ids}
    blind = {}
    if entry_ids:
        assignments = (
            Assignment.objects.filter(stage_id=stage.pk, entry_id__in=entry_ids)
            .annotate(
                conflicted=conflicted(),
                submitted=Exists(
                    Score.objects.filter(
                        assignment_id=OuterRef("pk"), submitted_at__isnull=False
                    )
                ),
            )
            .order_by("judge__email", "id")
            .values(
                "id", "entry_id", "judge_id", "judge__email", "conflicted", "submitted"
            )
        )
        for row in assignments:
            judges_of[row["entry_id"]].append(
                CoveredJudge(
                    assignment_id=row["id"],
                    judge_id=row["judge_id"],
                    email=row["judge__email"] or "",
                    conflicted=row["conflicted"],
                    submitted=row["submitted"],
                )
            )
        blind = {
            entry.id: entry
            for entry in blind_entries(round_id=stage.round_id, entry_ids=entry_ids)
        }
    current.object_list = [
        CoverageRow(
            entry_id=row["entry_id"],
            reference=blind[row["entry_id"]].reference
            if row["entry_id"] in blind
            else "",
            title=blind[row["entry_id"]].title if row["entry_id"] in blind else "",
            counted=row["counted"],
            submitted=row["submitted"],
            conflicts=row["conflicts"],
            below_minimum=row["counted"] < stage.min_judges,
            judges=tuple(judges_of[row["entry_id"]]),
        )
        for row in rows
    ]
    return current


@dataclass(frozen=True)
class ConflictRow:
    id: int
    judge_id: int
    judge_email: str
    entry_id: int
    reference: str
    reason: str
    declared_by_email: str
    by_the_judge: bool
    created_at: object


def stage_conflicts_page(stage, *, page=None):
    """One page (PAGE_SIZE) of the conflicts of the stage's judges with its
    entries, newest first, as ``ConflictRow`` values; a fixed number of
    queries."""
    conflicts = (
        Conflict.objects.filter(
            entry_id__in=StageEntry.objects.filter(stage_id=stage.pk).values("entry_id")
        )
        .filter(_judges_of_stage(stage))
        .order_by("-created_at", "-id")
        .values(
            "id",
            "judge_id",
            "judge__email",
            "entry_id",
            "reason",
            "declared_by_id",
            "declared_by__email",
            "created_at",
        )
    )
    current = Paginator(conflicts, PAGE_SIZE).get_page(page)
    rows = list(current.object_list)
    references = {}
    if rows:
        references = {
            entry.id: entry.reference
            for entry in blind_entries(
                round_id=stage.round_id, entry_ids=[row["entry_id"] for row in rows]
            )
        }
    current.object_list = [
        ConflictRow(
            id=row["id"],
            judge_id=row["judge_id"],
            judge_email=row["judge__email"] or "",
            entry_id=row["entry_id"],
            reference=references.get(row["entry_id"], ""),
            reason=row["reason"],
            declared_by_email=row["declared_by__email"] or "",
            by_the_judge=row["declared_by_id"] == row["judge_id"],
            created_at=row["created_at"],
        )
        for row in rows
    ]
    return current


def stage_entry_id(stage, reference):
    """The ID of the stage's entry whose reference code is ``reference``
    (letter case and spaces around it aside), or None."""
    entry_id = judgeable_entry_id(reference, round_id=stage.round_id)
    if entry_id is None:
        return None
    if not StageEntry.objects.filter(stage_id=stage.pk, entry_id=entry_id).exists():
        return None
    return entry_id
