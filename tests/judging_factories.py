"""Rounds ready for judging, stages and panels, written straight to the tables
(the services that make them have their own tests)."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from judging.enums import AssignmentMode, StageMode, StageState
from judging.models import (
    Assignment,
    Criterion,
    CriterionScore,
    PanelMember,
    Score,
    Stage,
    StageEntry,
)
from submissions.enums import EntryState, RoundState, ScreeningState
from submissions.models import Entry
from tests import factories

_references = itertools.count(1)


def make_judging_round(*, entries=6, state=RoundState.CLOSED, youth=False):
    """A closed round whose submitted entries are all screened eligible and the
    results released; ``entries`` of them in its adult category (and as many in
    a youth category with ``youth=True``). Returns the round."""
    now = timezone.now()
    round_ = factories.make_round(
        state=state,
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=2),
        screening_released_at=now - datetime.timedelta(days=1),
    )
    categories = [round_.categories.get()]
    if youth:
        categories.append(
            factories.make_category(
                round_, name_en="Youth", name_zh_hant="青年組", min_age=None, max_age=17
            )
        )
    entrant = factories.make_entrant()
    for category in categories:
        for number in range(entries):
            make_eligible_entry(round_, category, entrant, title=f"Work {number + 1}")
    return round_


def make_eligible_entry(
    round_, category, entrant, *, title="Harbour at Dusk", **fields
):
    values = {
        "state": EntryState.SUBMITTED,
        "screening": ScreeningState.ELIGIBLE,
        "submitted_at": round_.closes_at - datetime.timedelta(hours=1),
        "reference": f"HRAP-{round_.year}-9{next(_references):04d}",
        "title_en": title,
        "title_zh_hant": f"{title}（中文）",
        "statement": "A statement about the work.",
        "medium": "Ink on paper",
    }
    values.update(fields)
    return Entry.objects.create(
        round=round_, category=category, entrant=entrant, **values
    )


def make_stage(round_, *, categories=None, criteria=2, **fields):
    """A stage in set-up over ``categories`` (all the round's by default), with
    ``criteria`` weighted criteria on a 1–10 scale in criteria mode."""
    values = {
        "name_en": "First round",
        "name_zh_hant": "初選",
        "mode": StageMode.CRITERIA,
        "assignment_mode": AssignmentMode.BALANCED,
        "judges_per_entry": 2,
        "min_judges": 2,
        "seed": 7,
        "closes_at": timezone.now() + datetime.timedelta(days=14),
    }
    values.update(fields)
    stage = Stage.objects.create(round=round_, **values)
    stage.categories.set(
        categories if categories is not None else round_.categories.all()
    )
    if stage.mode == StageMode.CRITERIA:
        for number in range(criteria):
            Criterion.objects.create(
                stage=stage,
                position=number,
                name_en=("Originality", "Craft", "Message")[number % 3],
                name_zh_hant=("原創性", "技巧", "訊息")[number % 3],
                description_en="How the work speaks to the theme.",
                description_zh_hant="作品如何回應主題。",
                weight=number + 1,
            )
    return stage


def add_to_panel(stage, *judges, chair=None):
    for judge in judges:
        PanelMember.objects.create(stage=stage, judge=judge, is_chair=judge == chair)


def assign_everyone(stage, judges, *, entries=None):
    """Every judge gets every entry of the stage's categories, in the order of
    the entries' IDs (the balanced algorithm has its own tests)."""
    if entries is None:
        entries = Entry.objects.filter(
            round=stage.round, category__in=stage.categories.all()
        ).order_by("id")
    for entry in entries:
        StageEntry.objects.get_or_create(
            stage=stage, entry=entry, defaults={"category_id": entry.category_id}
        )
        for judge in judges:
            Assignment.objects.get_or_create(
                stage=stage,
                judge=judge,
                entry=entry,
                defaults={"position": entry.pk},
            )


def make_open_stage(*, entries=3, judges=2, **fields):
    """A round in judging with an open stage, its panel of judges (each with a
    TOTP authenticator) and every judge assigned every entry. Returns
    ``(stage, judges)``."""
    round_ = make_judging_round(entries=entries, state=RoundState.JUDGING)
    stage = make_stage(round_, state=StageState.OPEN, **fields)
    panel = [factories.make_judge() for _ in range(judges)]
    add_to_panel(stage, *panel, chair=panel[0])
    assign_everyone(stage, panel)
    return stage, panel


def score(stage, judge, entry, *, total=None, comment="", note="", **values):
    """A submitted score of ``judge`` for ``entry``: every criterion at
    ``total`` in a criteria stage; ``values`` (a vote, a rank) as they are."""
    assignment = Assignment.objects.get(stage=stage, judge=judge, entry=entry)
    made = Score.objects.create(
        assignment=assignment,
        submitted_at=timezone.now(),
        saved_at=timezone.now(),
        version=1,
        total=None if total is None else Decimal(str(total)),
        comment=comment,
        private_note=note,
        **values,
    )
    if total is not None:
        for criterion in stage.criteria.all():
            CriterionScore.objects.create(
                score=made, criterion=criterion, value=Decimal(str(total))
            )
    return made
