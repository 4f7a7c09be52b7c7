import datetime

import pytest
from django.utils import timezone

from artsprize.common.models import AuditEvent
from judging.enums import StageState
from judging.errors import StageError
from judging.services.stages import (
    STAGE_TRANSITIONS,
    open_and_close_due_stages,
    set_stage_state,
    stage_problems,
)
from submissions.enums import RoundState, ScreeningState
from submissions.models import Entry
from tests import factories
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_judging_round,
    make_stage,
)

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def ready_stage(**fields):
    round_ = make_judging_round(entries=2)
    stage = make_stage(round_, **fields)
    judges = [factories.make_judge(), factories.make_judge()]
    add_to_panel(stage, *judges)
    assign_everyone(stage, judges)
    return stage


def test_opening_the_first_stage_takes_the_round_to_judging(staff_user):
    stage = ready_stage()
    set_stage_state(stage, StageState.OPEN, by=staff_user)
    stage.refresh_from_db()
    stage.round.refresh_from_db()
    assert stage.state == StageState.OPEN
    assert stage.round.state == RoundState.JUDGING
    event = AuditEvent.objects.filter(object_id=str(stage.pk)).latest("id")
    assert (event.from_state, event.to_state) == ("setup", "open")


def test_a_stage_missing_its_parts_does_not_open(staff_user):
    round_ = make_judging_round(entries=1)
    stage = make_stage(round_, criteria=0)
    with pytest.raises(StageError) as raised:
        set_stage_state(stage, StageState.OPEN, by=staff_user)
    assert len(raised.value.problems) == 3
    stage.refresh_from_db()
    assert stage.state == StageState.SETUP


def test_a_stage_does_not_open_before_screening_is_released(staff_user):
    stage = ready_stage()
    Entry.objects.filter(round=stage.round).update(screening=ScreeningState.UNSCREENED)
    with pytest.raises(StageError) as raised:
        set_stage_state(stage, StageState.OPEN, by=staff_user)
    assert raised.value.code == "round_not_ready"
    stage.round.refresh_from_db()
    assert stage.round.state == RoundState.CLOSED


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (old, new)
        for old in StageState
        for new in StageState
        if old != new and new not in STAGE_TRANSITIONS[old]
    ],
)
def test_moves_outside_the_table_are_refused(staff_user, old, new):
    stage = ready_stage(state=old)
    with pytest.raises(StageError):
        set_stage_state(stage, new, by=staff_user)


def test_reopening_needs_a_closing_time_to_come(staff_user):
    stage = ready_stage(state=StageState.CLOSED)
    stage.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    stage.opens_at = None
    stage.save()
    with pytest.raises(StageError):
        set_stage_state(stage, StageState.OPEN, by=staff_user)
    stage.closes_at = timezone.now() + datetime.timedelta(days=1)
    stage.save()
    set_stage_state(stage, StageState.OPEN, by=staff_user)
    assert stage.state == StageState.OPEN


def test_beat_opens_and_closes_stages_at_their_times():
    now = timezone.now()
    due = ready_stage(opens_at=now - datetime.timedelta(minutes=1))
    ended = ready_stage(
        state=StageState.OPEN,
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now - datetime.timedelta(minutes=1),
    )
    incomplete = make_stage(
        make_judging_round(entries=1), opens_at=now - datetime.timedelta(minutes=1)
    )
    assert open_and_close_due_stages(now=now) == (1, 1)
    for stage in (due, ended, incomplete):
        stage.refresh_from_db()
    assert due.state == StageState.OPEN
    assert ended.state == StageState.CLOSED
    assert incomplete.state == StageState.SETUP
    assert stage_problems(incomplete, now=now)
