"""A round in judging whose one stage, over an adult and a youth category, is
finalised with scores that rank its works."""

from judging.enums import StageState
from submissions.enums import RoundState
from submissions.models import Entry
from tests import factories
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_judging_round,
    make_stage,
    score,
)


def make_decidable_round(*, entries=3, state=StageState.FINALISED):
    """Returns ``(round, stage, adult works, youth works)``; the works of each
    category scored in falling order (the first ranked first)."""
    round_ = make_judging_round(entries=entries, youth=True, state=RoundState.JUDGING)
    adult, youth = round_.categories.order_by("id")
    stage = make_stage(round_, state=state)
    judge = factories.make_judge()
    add_to_panel(stage, judge)
    assign_everyone(stage, [judge])
    adult_works = list(Entry.objects.filter(category=adult).order_by("id"))
    youth_works = list(Entry.objects.filter(category=youth).order_by("id"))
    for works in (adult_works, youth_works):
        for number, work in enumerate(works):
            score(stage, judge, work, total=10 - number * 0.25)
    return round_, stage, adult_works, youth_works
