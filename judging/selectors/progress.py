"""How far the judging of a round has got, stage by stage, for the round's
staff dashboard (``judging.dashboard``): each stage's entries, judges,
assignments and the scores submitted of them, the entries short of judges and
the judges not finished.

As everywhere in judging, an assignment whose judge has a conflict with its
entry does not count (``selectors.conflicts.conflicted``). Every number is
counted by the database, in one query however many stages, entries and judges
the round has.
"""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from judging.models import Assignment, PanelMember, Stage, StageEntry
from judging.selectors.conflicts import conflicted
from judging.selectors.coverage import below_minimum


@dataclass(frozen=True)
class StageProgress:
    stage: Stage
    # The stage's entries, and the judges on its panel.
    entries: int
    judges: int
    # Its assignments that count (not conflicted), and those with a submitted
    # score.
    assignments: int
    submitted: int
    # Entries with fewer judges whose scores count than the stage's minimum.
    below_minimum: int
    # Judges with an assignment that counts still without a submitted score.
    judges_not_finished: int

    @property
    def percent(self):
        """The scores submitted, in whole per cent of the assignments, rounded
        down (100 only when every one is in); None without assignments."""
        if not self.assignments:
            return None
        return self.submitted * 100 // self.assignments


def _count(queryset, counted="pk", *, distinct=False):
    """The number of rows (or of distinct ``counted`` values) of ``queryset``,
    whose rows belong to the stage of the outer query, as a subquery: 0 when
    there are none. Subqueries, so that counts do not multiply each other's
    rows."""
    number = (
        queryset.order_by()
        .values("stage_id")
        .annotate(number=Count(counted, distinct=distinct))
        .values("number")
    )
    return Coalesce(Subquery(number, output_field=IntegerField()), Value(0))


def round_progress(round_id):
    """The round's stages in their order, each with its progress
    (``StageProgress``). One query."""
    stage = OuterRef("pk")
    counted = Assignment.objects.filter(stage_id=stage).exclude(conflicted())
    unscored = counted.filter(score__submitted_at__isnull=True)
    stages = (
        Stage.objects.filter(round_id=round_id)
        .annotate(
            entry_count=_count(StageEntry.objects.filter(stage_id=stage)),
            judge_count=_count(PanelMember.objects.filter(stage_id=stage)),
            assignment_count=_count(counted),
            submitted_count=_count(counted.filter(score__submitted_at__isnull=False)),
            below_count=_count(
                below_minimum(
                    StageEntry.objects.filter(stage_id=stage),
                    OuterRef("min_judges"),
                )
            ),
            not_finished_count=_count(unscored, "judge_id", distinct=True),
        )
        .order_by("position", "id")
    )
    return [
        StageProgress(
            stage=row,
            entries=row.entry_count,
            judges=row.judge_count,
            assignments=row.assignment_count,
            submitted=row.submitted_count,
            below_minimum=row.below_count,
            judges_not_finished=row.not_finished_count,
        )
        for row in stages
    ]
