"""An open stage whose three judges are at different points of their work: the
setting of the reminders' tests."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from artsprize.accounts.enums import Language
from judging.enums import StageState
from judging.models import Assignment, Conflict, Score, Stage
from submissions.enums import RoundState
from tests import factories
from tests.judging_factories import add_to_panel, assign_everyone, make_judging_round
from tests.judging_factories import make_stage as _make_stage

# 18:00 in Hong Kong.
CLOSES = datetime.datetime(2027, 1, 15, 10, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


@dataclass
class Panel:
    stage: Stage
    done: object  # scored everything
    english: object  # 2 left, one of them a draft
    chinese: object  # 2 left (a third is conflicted), no draft


def own(stage, judge):
    return list(
        Assignment.objects.filter(stage=stage, judge=judge).order_by("position", "id")
    )


def submit(assignment, *, draft=False):
    now = timezone.now()
    return Score.objects.create(
        assignment=assignment,
        version=1,
        saved_at=now,
        submitted_at=None if draft else now,
    )


def make_panel(*, closes_at=CLOSES):
    """An open stage of three works closing at ``closes_at``, and its panel of
    three judges: one done, one English with two works left (one a draft), one
    Chinese with two left (their first work is conflicted, unscored)."""
    round_ = make_judging_round(entries=3, state=RoundState.JUDGING)
    stage = _make_stage(round_, state=StageState.OPEN, closes_at=closes_at)
    done = factories.make_judge()
    english = factories.make_judge()
    chinese = factories.make_judge(language=Language.CHINESE)
    add_to_panel(stage, done, english, chinese, chair=done)
    assign_everyone(stage, [done, english, chinese])
    for assignment in own(stage, done):
        submit(assignment)
    first, second, _third = own(stage, english)
    submit(first)
    submit(second, draft=True)
    conflicted = own(stage, chinese)[0]
    Conflict.objects.create(
        judge=chinese, entry_id=conflicted.entry_id, reason="I know the artist."
    )
    return Panel(stage=stage, done=done, english=english, chinese=chinese)
