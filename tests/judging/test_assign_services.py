"""Taking a stage's entries, making its assignments, and changing single ones:
what is written, what is refused, and what the audit log keeps."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.enums import AssignmentMode, StageState
from judging.errors import AssignmentError
from judging.models import Assignment, Conflict, Score, StageEntry
from judging.services.assignment import (
    add_assignment,
    judge_order,
    make_assignments,
    reassign,
    remove_assignment,
    take_entries,
)
from submissions.enums import EntryState, ScreeningState
from submissions.models import Entry
from tests import factories
from tests.judging.assign_fixtures import make_setup_stage, make_staff_member, set_state
from tests.judging_factories import make_eligible_entry, make_stage

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def staff():
    return make_staff_member()


def stage_entry_ids(stage):
    return sorted(
        StageEntry.objects.filter(stage=stage).values_list("entry_id", flat=True)
    )


def events(verb):
    return list(AuditEvent.objects.filter(verb=verb).order_by("id"))


def pairs(stage):
    return set(
        Assignment.objects.filter(stage=stage).values_list("judge_id", "entry_id")
    )


def submit_score(assignment):
    return Score.objects.create(
        assignment=assignment,
        version=1,
        saved_at=timezone.now(),
        submitted_at=timezone.now(),
    )


# --- take_entries ----------------------------------------------------------------


def test_a_first_stage_takes_the_eligible_entries_of_its_categories(staff):
    stage, _judges = make_setup_stage(entries=2)
    round_ = stage.round
    category = round_.categories.get()
    entrant = factories.make_entrant()
    make_eligible_entry(round_, category, entrant, screening=ScreeningState.INELIGIBLE)
    make_eligible_entry(round_, category, entrant, screening=ScreeningState.UNSCREENED)
    make_eligible_entry(round_, category, entrant, state=EntryState.WITHDRAWN)
    youth = factories.make_category(round_, name_en="Youth", min_age=None, max_age=17)
    make_eligible_entry(round_, youth, entrant)
    eligible = sorted(
        Entry.objects.filter(
            round=round_,
            category=category,
            screening=ScreeningState.ELIGIBLE,
            state=EntryState.SUBMITTED,
        ).values_list("pk", flat=True)
    )

    assert take_entries(stage, by=staff) == 2

    assert stage_entry_ids(stage) == eligible
    assert set(
        StageEntry.objects.filter(stage=stage).values_list("category_id", flat=True)
    ) == {category.pk}
    assert events(AuditVerb.UPDATED)[-1].data == {
        "entries_added": 2,
        "entries_removed": 0,
    }


def test_taking_the_entries_twice_changes_nothing(staff):
    stage, _judges = make_setup_stage(entries=3)
    take_entries(stage, by=staff)
    before = list(StageEntry.objects.filter(stage=stage).values_list("pk", "entry_id"))
    updates = len(events(AuditVerb.UPDATED))

    assert take_entries(stage, by=staff) == 3

    assert (
        list(StageEntry.objects.filter(stage=stage).values_list("pk", "entry_id"))
        == before
    )
    assert len(events(AuditVerb.UPDATED)) == updates


def test_an_entry_no_longer_eligible_leaves_the_stage_in_set_up(staff):
    stage, _judges = make_setup_stage(entries=3)
    take_entries(stage, by=staff)
    first = stage_entry_ids(stage)[0]
    Entry.objects.filter(pk=first).update(screening=ScreeningState.INELIGIBLE)

    assert take_entries(stage, by=staff) == 2
    assert first not in stage_entry_ids(stage)


def test_a_later_stage_does_not_take_entries(staff):
    stage, _judges = make_setup_stage(entries=2)
    later = make_stage(stage.round, previous=stage, name_en="Final")
    with pytest.raises(AssignmentError) as refused:
        take_entries(later, by=staff)
    assert refused.value.code == "later_stage"
    assert stage_entry_ids(later) == []


@pytest.mark.parametrize(
    "state", [StageState.OPEN, StageState.CLOSED, StageState.FINALISED]
)
def test_entries_are_taken_only_in_set_up(staff, state):
    stage, _judges = make_setup_stage(entries=2)
    set_state(stage, state)
    with pytest.raises(AssignmentError) as refused:
        take_entries(stage, by=staff)
    assert refused.value.code == "not_in_setup"


# --- make_assignments --------------------------------------------------------------


def test_balanced_assignments_give_each_entry_its_judges_evenly(staff):
    stage, _judges = make_setup_stage(entries=7, judges=4, judges_per_entry=2)

    summary = make_assignments(stage, by=staff)

    entries = stage_entry_ids(stage)
    assert len(entries) == 7
    assert (summary.entries, summary.judges, summary.assignments, summary.short) == (
        7,
        4,
        14,
        0,
    )
    per_entry = Counter(
        Assignment.objects.filter(stage=stage).values_list("entry_id", flat=True)
    )
    assert per_entry == dict.fromkeys(entries, 2)
    load = Counter(
        Assignment.objects.filter(stage=stage).values_list("judge_id", flat=True)
    )
    assert sorted(load.values()) == [3, 3, 4, 4]
    (event,) = events(AuditVerb.ASSIGNED)
    assert event.data == {
        "assignment_mode": AssignmentMode.BALANCED,
        "seed": stage.seed,
        "judges_per_entry": 2,
        "entries": 7,
        "judges": 4,
        "assignments": 14,
        "short": 0,
    }


def test_each_judge_gets_the_order_of_their_own(staff):
    stage, judges = make_setup_stage(entries=6, judges=2, judges_per_entry=2)
    make_assignments(stage, by=staff)
    for judge in judges:
        rows = list(
            Assignment.objects.filter(stage=stage, judge=judge)
            .order_by("position")
            .values_list("position", "entry_id")
        )
        assert [position for position, _entry in rows] == list(range(6))
        assert [entry for _position, entry in rows] == judge_order(
            [entry for _position, entry in rows], seed=stage.seed, judge_id=judge.pk
        )


def test_assignments_avoid_conflicts_and_say_which_entries_fall_short(staff):
    stage, judges = make_setup_stage(entries=3, judges=2, judges_per_entry=2)
    take_entries(stage, by=staff)
    first = stage_entry_ids(stage)[0]
    Conflict.objects.create(judge=judges[0], entry_id=first, reason="Friend")

    summary = make_assignments(stage, by=staff)

    assert summary.short == 1
    assert summary.assignments == 5
    assert (judges[0].pk, first) not in pairs(stage)


def test_every_judge_scores_every_entry_in_all_mode(staff):
    stage, judges = make_setup_stage(
        entries=3, judges=3, assignment_mode=AssignmentMode.ALL
    )
    make_assignments(stage, by=staff)
    assert pairs(stage) == {
        (judge.pk, entry) for judge in judges for entry in stage_entry_ids(stage)
    }


def test_making_assignments_again_replaces_them_with_the_same(staff):
    stage, _judges = make_setup_stage(entries=5, judges=3)
    make_assignments(stage, by=staff)
    first = pairs(stage)
    # A double click: the same seed gives the same assignments.
    make_assignments(stage, by=staff)
    assert pairs(stage) == first
    assert Assignment.objects.filter(stage=stage).count() == 10
    assert len(events(AuditVerb.ASSIGNED)) == 2


def test_a_new_seed_or_panel_gives_new_assignments(staff):
    stage, _judges = make_setup_stage(entries=12, judges=4)
    make_assignments(stage, by=staff)
    first = pairs(stage)
    stage.seed = stage.seed + 1
    stage.save(update_fields=["seed"])
    make_assignments(stage, by=staff)
    assert pairs(stage) != first


@pytest.mark.parametrize(
    "state", [StageState.OPEN, StageState.CLOSED, StageState.FINALISED]
)
def test_assignments_are_made_only_in_set_up(staff, state):
    stage, _judges = make_setup_stage(entries=2, judges=2)
    make_assignments(stage, by=staff)
    before = pairs(stage)
    set_state(stage, state)
    with pytest.raises(AssignmentError) as refused:
        make_assignments(stage, by=staff)
    assert refused.value.code == "not_in_setup"
    assert "Once it has opened" in str(refused.value.message)
    assert pairs(stage) == before


def test_assignments_need_a_panel_and_entries(staff):
    stage, _judges = make_setup_stage(entries=2, judges=0)
    with pytest.raises(AssignmentError) as refused:
        make_assignments(stage, by=staff)
    assert refused.value.code == "no_judges"
    empty, _judges = make_setup_stage(entries=0, judges=1)
    with pytest.raises(AssignmentError) as refused:
        make_assignments(empty, by=staff)
    assert refused.value.code == "no_entries"


def test_making_assignments_reads_as_many_queries_for_many_entries_as_for_few(staff):
    small, _judges = make_setup_stage(entries=2, judges=3)
    large, _judges = make_setup_stage(entries=40, judges=3)
    with CaptureQueriesContext(connection) as few:
        make_assignments(small, by=staff)
    with CaptureQueriesContext(connection) as many:
        make_assignments(large, by=staff)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- single changes ---------------------------------------------------------------


def made(**options):
    stage, judges = make_setup_stage(**options)
    make_assignments(stage, by=None)
    return stage, judges


def test_an_added_assignment_goes_at_the_end_of_the_judges_order(staff):
    stage, judges = made(entries=4, judges=2, judges_per_entry=1)
    set_state(stage, StageState.OPEN)
    judge = judges[0]
    missing = next(
        entry
        for entry in stage_entry_ids(stage)
        if (judge.pk, entry) not in pairs(stage)
    )
    last = (
        Assignment.objects.filter(stage=stage, judge=judge).order_by("position").last()
    )

    added = add_assignment(stage, judge, missing, by=staff)

    assert (added.judge_id, added.entry_id, added.position) == (
        judge.pk,
        missing,
        last.position + 1,
    )
    assert events(AuditVerb.ASSIGNED)[-1].data == {"judge": judge.pk, "entry": missing}
    # A double click adds nothing more.
    assert add_assignment(stage, judge, missing, by=staff).pk == added.pk
    assert (
        Assignment.objects.filter(stage=stage, judge=judge, entry_id=missing).count()
        == 1
    )
    assert len(events(AuditVerb.ASSIGNED)) == 2


def test_adding_is_refused_off_the_panel_outside_the_stage_or_conflicted(staff):
    stage, judges = made(entries=2, judges=1, judges_per_entry=1)
    entry = stage_entry_ids(stage)[0]
    Assignment.objects.filter(stage=stage).delete()
    outsider = factories.make_judge()
    other, _judges = made(entries=1, judges=1)

    with pytest.raises(AssignmentError) as refused:
        add_assignment(stage, outsider, entry, by=staff)
    assert refused.value.code == "not_on_panel"
    with pytest.raises(AssignmentError) as refused:
        add_assignment(stage, judges[0], stage_entry_ids(other)[0], by=staff)
    assert refused.value.code == "not_in_stage"
    Conflict.objects.create(judge=judges[0], entry_id=entry, reason="Cousin")
    with pytest.raises(AssignmentError) as refused:
        add_assignment(stage, judges[0], entry, by=staff)
    assert refused.value.code == "conflicted"
    assert pairs(stage) == set()


@pytest.mark.parametrize("state", [StageState.CLOSED, StageState.FINALISED])
def test_single_changes_are_refused_once_the_stage_has_closed(staff, state):
    stage, judges = made(entries=2, judges=2, judges_per_entry=1)
    assignment = Assignment.objects.filter(stage=stage).first()
    other = next(judge for judge in judges if judge.pk != assignment.judge_id)
    set_state(stage, state)
    for attempt in (
        lambda: add_assignment(stage, other, assignment.entry_id, by=staff),
        lambda: remove_assignment(assignment, by=staff, reason="x"),
        lambda: reassign(assignment, other, by=staff),
    ):
        with pytest.raises(AssignmentError) as refused:
            attempt()
        assert refused.value.code == "stage_closed"
    assert Assignment.objects.filter(stage=stage).count() == 2


def test_removing_an_assignment_is_audited_with_its_reason(staff):
    stage, _judges = made(entries=1, judges=2, judges_per_entry=2)
    set_state(stage, StageState.OPEN)
    assignment = Assignment.objects.filter(stage=stage).first()

    assert remove_assignment(assignment, by=staff, reason=" Travelling ") is True
    assert remove_assignment(assignment, by=staff, reason="Travelling") is False

    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    (event,) = events(AuditVerb.UNASSIGNED)
    assert (event.reason, event.data) == (
        "Travelling",
        {"judge": assignment.judge_id, "entry": assignment.entry_id},
    )


def test_an_assignment_with_a_submitted_score_stays_once_the_stage_is_open(staff):
    stage, _judges = made(entries=1, judges=2, judges_per_entry=2)
    assignment = Assignment.objects.filter(stage=stage).first()
    submit_score(assignment)
    set_state(stage, StageState.OPEN)

    with pytest.raises(AssignmentError) as refused:
        remove_assignment(assignment, by=staff, reason="")
    assert refused.value.code == "score_submitted"
    assert "submitted a score" in str(refused.value.message)
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_a_draft_score_does_not_keep_an_assignment(staff):
    stage, _judges = made(entries=1, judges=2, judges_per_entry=2)
    assignment = Assignment.objects.filter(stage=stage).first()
    Score.objects.create(assignment=assignment, version=1, saved_at=timezone.now())
    set_state(stage, StageState.OPEN)
    assert remove_assignment(assignment, by=staff) is True


def test_in_set_up_an_assignment_goes_whatever_its_score(staff):
    stage, _judges = made(entries=1, judges=2, judges_per_entry=2)
    assignment = Assignment.objects.filter(stage=stage).first()
    submit_score(assignment)
    assert remove_assignment(assignment, by=staff) is True


def test_reassigning_moves_the_entry_to_the_end_of_the_other_judges_order(staff):
    stage, judges = made(entries=3, judges=2, judges_per_entry=1)
    set_state(stage, StageState.OPEN)
    assignment = Assignment.objects.filter(stage=stage, judge=judges[0]).first()
    last = (
        Assignment.objects.filter(stage=stage, judge=judges[1])
        .order_by("position")
        .values_list("position", flat=True)
        .last()
    )

    moved = reassign(assignment, judges[1], by=staff)

    assert (moved.judge_id, moved.entry_id) == (judges[1].pk, assignment.entry_id)
    assert moved.position == (-1 if last is None else last) + 1
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert events(AuditVerb.UNASSIGNED)[-1].data == {
        "judge": judges[0].pk,
        "entry": assignment.entry_id,
        "reassigned_to": judges[1].pk,
    }
    assert events(AuditVerb.ASSIGNED)[-1].data == {
        "judge": judges[1].pk,
        "entry": assignment.entry_id,
        "reassigned_from": judges[0].pk,
    }
    # A double click finds the move made.
    assert reassign(assignment, judges[1], by=staff).pk == moved.pk
    assert Assignment.objects.filter(stage=stage).count() == 3


def test_reassigning_is_refused_to_a_judge_who_has_the_entry_or_a_conflict(staff):
    stage, judges = made(entries=1, judges=3, judges_per_entry=2)
    assigned = list(Assignment.objects.filter(stage=stage).order_by("judge_id"))
    free = next(
        judge for judge in judges if judge.pk not in {a.judge_id for a in assigned}
    )
    with pytest.raises(AssignmentError) as refused:
        reassign(assigned[0], assigned[1].judge, by=staff)
    assert refused.value.code == "already_assigned"
    Conflict.objects.create(judge=free, entry_id=assigned[0].entry_id, reason="Teacher")
    with pytest.raises(AssignmentError) as refused:
        reassign(assigned[0], free, by=staff)
    assert refused.value.code == "conflicted"
    assert Assignment.objects.filter(stage=stage).count() == 2


def test_reassigning_a_submitted_score_is_refused_once_open(staff):
    stage, judges = made(entries=1, judges=2, judges_per_entry=1)
    assignment = Assignment.objects.get(stage=stage)
    other = next(judge for judge in judges if judge.pk != assignment.judge_id)
    submit_score(assignment)
    set_state(stage, StageState.OPEN)
    with pytest.raises(AssignmentError) as refused:
        reassign(assignment, other, by=staff)
    assert refused.value.code == "score_submitted"
