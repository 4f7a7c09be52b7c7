"""The scoring service: per mode, scales and halves, ranking places, drafts and
submitting, the stage's state, conflicts, two windows and two judges."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.enums import StageMode, StageState, Vote
from judging.errors import ScoreError
from judging.models import Assignment, Conflict, Criterion, CriterionScore, Score, Stage
from judging.services.scoring import save_score
from tests.judging_factories import make_open_stage

pytestmark = pytest.mark.django_db


def first(stage, judge, number=0):
    return (
        Assignment.objects.select_related("stage")
        .filter(stage=stage, judge=judge)
        .order_by("position", "id")[number]
    )


def fields(stage, *values):
    criteria = Criterion.objects.filter(stage=stage).order_by("position", "id")
    return {f"criterion_{c.pk}": v for c, v in zip(criteria, values, strict=True)}


def refused(assignment, judge, data, **kwargs):
    with pytest.raises(ScoreError) as error:
        save_score(assignment, data=data, base_version=0, by=judge, **kwargs)
    return error.value


def test_a_criteria_score_is_stored_with_its_weighted_mean():
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = first(stage, judge)
    data = {**fields(stage, "8", "5"), "comment": " Strong ", "private_note": "n"}

    saved = save_score(assignment, data=data, base_version=0, by=judge)

    score = Score.objects.get(assignment=assignment)
    # Weights 1 and 2: (8 + 2 × 5) / 3.
    assert (score.total, score.comment, score.private_note) == (
        Decimal("6.000"),
        "Strong",
        "n",
    )
    assert sorted(
        CriterionScore.objects.filter(score=score).values_list("value", flat=True)
    ) == [Decimal("5.0"), Decimal("8.0")]
    assert (saved.version, saved.replaced, saved.submitted) == (1, False, False)
    assert score.submitted_at is None and score.saved_at is not None


def test_a_draft_may_be_partial_and_a_criterion_cleared():
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = first(stage, judge)
    save_score(assignment, data=fields(stage, "8", "6"), base_version=0, by=judge)

    save_score(assignment, data=fields(stage, "", "6"), base_version=1, by=judge)

    score = Score.objects.get(assignment=assignment)
    assert score.total == Decimal("6.000")
    assert CriterionScore.objects.filter(score=score).count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Give a score from 1 to 10."),
        ("11", "Give a score from 1 to 10."),
        ("7.5", "Give a whole number: this criterion has no half points."),
        ("seven", "Give a number."),
        ("NaN", "Give a number."),
    ],
)
def test_values_outside_the_scale_are_refused(value, message):
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = first(stage, judge)
    criterion = Criterion.objects.filter(stage=stage).order_by("position").first()

    error = refused(assignment, judge, fields(stage, value, "5"))

    assert error.code == "invalid"
    assert [(f, str(m)) for f, m in error.problems] == [
        (f"criterion_{criterion.pk}", message)
    ]
    assert not Score.objects.exists()


def test_half_points_where_the_criterion_allows_them():
    stage, (judge, _other) = make_open_stage(entries=1)
    Criterion.objects.filter(stage=stage).update(half_points=True)
    assignment = first(stage, judge)

    save_score(assignment, data=fields(stage, "7.5", "9.5"), base_version=0, by=judge)
    error = refused(assignment, judge, fields(stage, "7.25", "9"))

    assert Score.objects.get().total == Decimal("8.833")
    assert str(error.problems[0][1]) == (
        "Give a whole or a half point (for example 7 or 7.5)."
    )


def test_submitting_needs_every_criterion():
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = first(stage, judge)
    second = Criterion.objects.filter(stage=stage).order_by("position")[1]

    error = refused(assignment, judge, fields(stage, "8", ""), submit=True)

    assert error.code == "incomplete"
    assert [(f, str(m)) for f, m in error.problems] == [
        (f"criterion_{second.pk}", "Score this criterion before submitting.")
    ]
    assert not AuditEvent.objects.filter(verb=AuditVerb.SCORE_SUBMITTED).exists()


def test_submitting_is_audited_without_the_values():
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = first(stage, judge)
    data = {**fields(stage, "8", "9"), "comment": "Moving work", "private_note": "x"}

    saved = save_score(assignment, data=data, base_version=0, by=judge, submit=True)

    assert saved.submitted
    event = AuditEvent.objects.get(verb=AuditVerb.SCORE_SUBMITTED)
    assert event.actor == judge
    assert event.data == {
        "stage": stage.pk,
        "entry": assignment.entry_id,
        "version": 1,
        "first": True,
    }
    assert "Moving" not in str(event.data) + event.reason


def test_an_edit_after_submitting_stays_submitted_and_complete():
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = first(stage, judge)
    save_score(
        assignment, data=fields(stage, "8", "9"), base_version=0, by=judge, submit=True
    )
    submitted_at = Score.objects.get().submitted_at

    saved = save_score(
        assignment, data=fields(stage, "6", "9"), base_version=1, by=judge
    )
    error = refused(assignment, judge, fields(stage, "", "9"))

    score = Score.objects.get()
    assert (saved.submitted, score.submitted_at, score.version) == (
        True,
        submitted_at,
        2,
    )
    assert error.code == "incomplete"


def test_a_vote():
    stage, (judge, _other) = make_open_stage(entries=1, mode=StageMode.VOTE)
    assignment = first(stage, judge)

    assert refused(assignment, judge, {"vote": "perhaps"}).code == "invalid"
    assert refused(assignment, judge, {"vote": ""}, submit=True).code == "incomplete"
    save_score(
        assignment, data={"vote": "maybe"}, base_version=0, by=judge, submit=True
    )

    score = Score.objects.get()
    assert (score.vote, score.total, score.submitted_at is not None) == (
        Vote.MAYBE,
        None,
        True,
    )


def test_a_place_in_the_ranking_is_given_once():
    stage, (judge, other) = make_open_stage(
        entries=3, mode=StageMode.RANKING, ranking_size=2
    )
    one, two = first(stage, judge, 0), first(stage, judge, 1)
    reference = stage.round.entries.get(pk=one.entry_id).reference
    save_score(one, data={"rank": "1"}, base_version=0, by=judge)
    # Another judge's places are their own.
    save_score(first(stage, other, 1), data={"rank": "1"}, base_version=0, by=other)

    taken = refused(two, judge, {"rank": "1"})
    too_far = refused(two, judge, {"rank": "3"})
    save_score(two, data={"rank": "2"}, base_version=0, by=judge, submit=True)

    assert taken.code == "rank_taken"
    assert str(taken.message) == f"You gave place 1 to {reference} already."
    assert str(too_far.problems[0][1]) == "Give a place from 1 to 2."
    # Outside the top works: submitted without a place.
    third = first(stage, judge, 2)
    assert save_score(third, data={}, base_version=0, by=judge, submit=True).submitted
    assert dict(
        Score.objects.filter(assignment__judge=judge).values_list(
            "assignment_id", "rank"
        )
    ) == {one.pk: 1, two.pk: 2, third.pk: None}


def test_a_place_held_by_a_conflicted_work_is_free():
    stage, (judge, _other) = make_open_stage(
        entries=2, mode=StageMode.RANKING, ranking_size=2
    )
    one, two = first(stage, judge, 0), first(stage, judge, 1)
    save_score(one, data={"rank": "1"}, base_version=0, by=judge)
    Conflict.objects.create(judge=judge, entry_id=one.entry_id, reason="Friend")

    assert save_score(two, data={"rank": "1"}, base_version=0, by=judge).version == 1


def test_texts_are_bounded():
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = first(stage, judge)

    error = refused(assignment, judge, {"comment": "x" * 5001, "private_note": "y"})

    assert [(f, str(m)) for f, m in error.problems] == [
        ("comment", "At most 5000 characters.")
    ]
    save_score(assignment, data={"comment": "x" * 5000}, base_version=0, by=judge)


@pytest.mark.parametrize(
    "state", [StageState.SETUP, StageState.CLOSED, StageState.FINALISED]
)
def test_scores_do_not_change_unless_the_stage_is_open(state):
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = first(stage, judge)
    save_score(assignment, data=fields(stage, "8", "8"), base_version=0, by=judge)
    Stage.objects.filter(pk=stage.pk).update(state=state)

    error = refused(assignment, judge, fields(stage, "2", "2"))

    assert error.code == "stage_not_open"
    assert Score.objects.get().total == Decimal("8.000")


def test_the_closing_time_passed_is_closed_even_before_beat_runs():
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = first(stage, judge)
    later = stage.closes_at + datetime.timedelta(minutes=1)

    error = refused(assignment, judge, fields(stage, "2", "2"), now=later)

    assert error.code == "stage_not_open"


def test_a_conflicted_judge_and_another_judge_are_refused():
    stage, (judge, other) = make_open_stage(entries=1)
    assignment = first(stage, judge)

    assert refused(assignment, other, {}).code == "not_yours"
    Conflict.objects.create(judge=judge, entry_id=assignment.entry_id, reason="Kin")
    assert refused(assignment, judge, {}).code == "conflicted"
    assert not Score.objects.exists()


def test_two_windows_the_later_save_wins_and_says_so():
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = first(stage, judge)
    # Both windows loaded the empty form (version 0).
    window_a = save_score(
        assignment, data={"comment": "from A"}, base_version=0, by=judge
    )
    window_b = save_score(
        assignment, data={"comment": "from B"}, base_version=0, by=judge
    )
    window_b_again = save_score(
        assignment, data={"comment": "from B, more"}, base_version=2, by=judge
    )

    assert (window_a.version, window_a.replaced) == (1, False)
    assert (window_b.version, window_b.replaced) == (2, True)
    assert (window_b_again.version, window_b_again.replaced) == (3, False)
    assert Score.objects.get().comment == "from B, more"


@pytest.mark.django_db(transaction=True)
def test_two_judges_scoring_at_once_lose_nothing():
    stage, judges = make_open_stage(entries=1, judges=2)
    assignments = [first(stage, judge) for judge in judges]
    barrier = threading.Barrier(2)
    errors = []

    def score(assignment, judge, value):
        try:
            barrier.wait(timeout=10)
            for round_number in range(5):
                save_score(
                    assignment,
                    data={**fields(stage, value, value), "comment": f"{round_number}"},
                    base_version=round_number,
                    by=judge,
                )
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=score, args=(assignment, judge, str(3 + number)))
        for number, (assignment, judge) in enumerate(
            zip(assignments, judges, strict=True)
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(
        Score.objects.values_list("assignment__judge_id", "total", "version", "comment")
    ) == sorted(
        [
            (judges[0].pk, Decimal("3.000"), 5, "4"),
            (judges[1].pk, Decimal("4.000"), 5, "4"),
        ]
    )
    assert timezone.now()
