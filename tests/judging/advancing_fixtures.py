"""Two stages of a round, the first closed and scored with a tie across a
cut at three, the second in set-up to take its entries."""

from judging.enums import StageOutcome, StageState
from submissions.models import Entry
from tests import factories
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_judging_round,
    make_stage,
    score,
)

# Totals of the adult works in the first stage: the works scored 7 share the
# third place, across a cut at three.
TOTALS = (9, 8, 7, 7, 5)


def make_two_stages(*, entries=5, totals=TOTALS, outcome=StageOutcome.SHORTLISTED):
    """A round with an adult and a youth category; its first stage closed
    with one judge's scores (``totals`` for the adult works, in ID order);
    a second stage in set-up over the adult category with a judge on its
    panel. Returns ``(first, second, adult works, youth works)``."""
    round_ = make_judging_round(entries=entries, youth=True)
    adult, youth = round_.categories.order_by("id")
    first = make_stage(round_, state=StageState.CLOSED)
    judge = factories.make_judge()
    add_to_panel(first, judge)
    assign_everyone(first, [judge])
    adult_works = list(Entry.objects.filter(category=adult).order_by("id"))
    youth_works = list(Entry.objects.filter(category=youth).order_by("id"))
    for work, total in zip(adult_works, totals, strict=False):
        score(first, judge, work, total=total)
    for work in youth_works:
        score(first, judge, work, total=6)
    second = make_stage(
        round_,
        categories=[adult],
        previous=first,
        position=1,
        outcome=outcome,
        name_en="Final",
        name_zh_hant="決選",
        assignment_mode="all",
    )
    add_to_panel(second, factories.make_judge(), factories.make_judge())
    return first, second, adult_works, youth_works
