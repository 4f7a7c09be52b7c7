"""A stage's ranking read from the database (judging.selectors.aggregation):
which scores count, the measures of a hand-computed stage, ties at the cut,
the ranking and vote modes, and the fixed number of queries."""

import math

import pytest
from django.utils import timezone

from judging.enums import StageMode, Vote
from judging.models import Assignment, Conflict, Score
from judging.selectors.aggregation import (
    aggregate_criteria,
    aggregate_ranking,
    aggregate_stage,
    aggregate_votes,
    counted_scores,
    judge_summaries,
    score_distribution,
)
from submissions.models import Entry
from tests import factories
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_judging_round,
    make_stage,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

SQRT2 = math.sqrt(2)


def stage_with(mode=StageMode.CRITERIA, *, entries=4, judges=3, youth=False):
    round_ = make_judging_round(entries=entries, youth=youth)
    stage = make_stage(round_, mode=mode)
    panel = [factories.make_judge() for _ in range(judges)]
    add_to_panel(stage, *panel)
    assign_everyone(stage, panel)
    works = list(Entry.objects.filter(round=round_).order_by("id"))
    return stage, panel, works


def score(stage, judge, entry, *, submitted=True, **values):
    assignment = Assignment.objects.get(stage=stage, judge=judge, entry=entry)
    return Score.objects.create(
        assignment=assignment,
        submitted_at=timezone.now() if submitted else None,
        saved_at=timezone.now(),
        version=1,
        **values,
    )


@pytest.fixture
def hand_stage():
    """Judge A scores 8, 6, 4, 6; judge B scores work 1 only (7) and leaves a
    draft on work 2; judge C scores 5, 5, 5 and has a conflict with work 4,
    whose submitted 10 must not count."""
    stage, (a, b, c), (one, two, three, four) = stage_with()
    for entry, total in zip((one, two, three, four), (8, 6, 4, 6), strict=True):
        score(stage, a, entry, total=total)
    score(stage, b, one, total=7)
    score(stage, b, two, total=9, submitted=False)
    for entry in (one, two, three):
        score(stage, c, entry, total=5)
    score(stage, c, four, total=10)
    Conflict.objects.create(judge=c, entry=four, reason="My cousin's work.")
    return stage, (one, two, three, four)


def rows_of(result):
    (rows,) = result.values()
    return rows


def test_counted_scores_leave_out_drafts_and_conflicted_scores(hand_stage):
    stage, works = hand_stage
    data = counted_scores(stage)
    assert data.entry_ids.tolist() == [work.pk for work in works]
    assert data.assigned.tolist() == [3, 3, 3, 2]
    counted = sorted(zip(data.entry.tolist(), data.value.tolist(), strict=True))
    assert counted == [(0, 5), (0, 7), (0, 8), (1, 5), (1, 6), (2, 4), (2, 5), (3, 6)]


def test_raw_ranking_of_the_hand_computed_stage(hand_stage):
    stage, (one, two, three, four) = hand_stage
    rows = rows_of(aggregate_criteria(stage, by="raw", disagreement_above=1.0))
    assert [(row.entry_id, row.rank, row.tied) for row in rows] == [
        (one.pk, 1, False),
        (four.pk, 2, False),
        (two.pk, 3, False),
        (three.pk, 4, False),
    ]
    first, fourth, second, third = rows
    assert first.mean == pytest.approx(20 / 3)
    assert first.scores == 3 and first.assigned == 3 and first.coverage == 1
    assert first.spread == pytest.approx(math.sqrt(7 / 3))
    assert first.disagreement
    # The conflicted 10 does not count: the mean is judge A's 6 alone.
    assert (fourth.mean, fourth.scores, fourth.assigned, fourth.coverage) == (
        6,
        1,
        2,
        0.5,
    )
    assert fourth.spread is None and not fourth.disagreement
    assert second.mean == 5.5 and second.coverage == pytest.approx(2 / 3)
    assert second.spread == pytest.approx(1 / SQRT2) and not second.disagreement
    assert third.mean == 4.5


def test_normalised_ranking_states_the_tie_at_the_cut(hand_stage):
    # z-scores: A's 8, 6, 4, 6 give √2, 0, −√2, 0; B scored once and C gave
    # the same score each time: their z-scores are 0. Works 2 and 4 both
    # average 0 and share second place: a cut after two keeps both or none.
    stage, (one, two, three, four) = hand_stage
    rows = rows_of(aggregate_criteria(stage, by="normalised"))
    assert [(row.entry_id, row.rank, row.tied) for row in rows] == [
        (one.pk, 1, False),
        (two.pk, 2, True),
        (four.pk, 2, True),
        (three.pk, 4, False),
    ]
    assert [row.normalised for row in rows] == pytest.approx(
        [SQRT2 / 3, 0, 0, -SQRT2 / 2]
    )


def test_calibrated_ranking_of_the_hand_computed_stage(hand_stage):
    # The additive model with the default penalty (damp 0.5), solved by hand
    # (normal equations): qualities 178/27, 154/27, 130/27, 154/27 (works 2
    # and 4 tie: judge C, who scored work 2, gave every work the same),
    # leniencies A 8/27, B 11/27, C −19/27; residual variance 164/81 over
    # 8 − 4 − 3 + 1 = 2 degrees of freedom.
    stage, (one, two, three, four) = hand_stage
    rows = rows_of(aggregate_criteria(stage))
    assert [(row.entry_id, row.rank, row.tied) for row in rows] == [
        (one.pk, 1, False),
        (two.pk, 2, True),
        (four.pk, 2, True),
        (three.pk, 4, False),
    ]
    assert [row.calibrated for row in rows] == pytest.approx(
        [178 / 27, 154 / 27, 154 / 27, 130 / 27]
    )
    # Uncertainty: sqrt(residual variance / (scores + damp²)).
    assert [row.uncertainty for row in rows] == pytest.approx(
        [math.sqrt(164 / 81 / (n + 0.25)) for n in (3, 2, 1, 2)]
    )


def test_an_entry_without_a_counted_score_is_listed_last_unranked():
    stage, (a, _b), (one, two, three) = stage_with(entries=3, judges=2)
    score(stage, a, one, total=7)
    score(stage, a, two, total=7)
    rows = rows_of(aggregate_criteria(stage, by="raw"))
    assert [(row.entry_id, row.rank, row.tied) for row in rows] == [
        (one.pk, 1, True),
        (two.pk, 1, True),
        (three.pk, 0, False),
    ]
    last = rows[2]
    assert (last.scores, last.mean, last.calibrated, last.coverage) == (
        0,
        None,
        None,
        0,
    )


def test_judge_summaries_of_the_hand_computed_stage(hand_stage):
    # A: 8, 6, 4, 6; B: 7 (a draft aside); C: 5, 5, 5 (work 4 conflicted,
    # so not assigned). Leniencies from the calibration: 8/27, 11/27, −19/27.
    stage, _works = hand_stage
    rows = judge_summaries(stage)
    assert [(row.assigned, row.scores, row.progress, row.mean) for row in rows] == [
        (4, 4, 1, 6),
        (4, 1, 0.25, 7),
        (3, 3, 1, 5),
    ]
    assert [row.spread for row in rows] == [pytest.approx(math.sqrt(8 / 3)), None, 0]
    assert [row.leniency for row in rows] == pytest.approx([8 / 27, 11 / 27, -19 / 27])
    assert [row.judge_id for row in rows] == sorted(row.judge_id for row in rows)


def test_score_distribution_per_judge(hand_stage):
    stage, _works = hand_stage
    data = counted_scores(stage)
    distribution = score_distribution(data, edges=[1, 4, 7, 10])
    assert list(distribution.values()) == [[0, 3, 1], [0, 0, 1], [0, 3, 0]]
    assert list(distribution) == data.judge_ids.tolist()


def test_a_judge_without_a_counted_score_has_no_measures():
    stage, (a, b), (one, two) = stage_with(entries=2, judges=2)
    score(stage, a, one, total=7)
    score(stage, a, two, total=6)
    score(stage, b, one, total=9, submitted=False)
    first, second = judge_summaries(stage)
    assert (second.judge_id, second.assigned, second.scores, second.progress) == (
        b.pk,
        2,
        0,
        0,
    )
    assert (second.mean, second.spread, second.leniency) == (None, None, None)
    assert first.leniency == 0
    rows = rows_of(aggregate_criteria(stage))
    assert [row.entry_id for row in rows] == [one.pk, two.pk]


def test_categories_are_ranked_apart():
    stage, (a,), works = stage_with(entries=2, judges=1, youth=True)
    for value, entry in enumerate(works, start=3):
        score(stage, a, entry, total=value)
    result = aggregate_criteria(stage, by="raw")
    assert list(result) == sorted({work.category_id for work in works})
    for rows in result.values():
        assert [row.rank for row in rows] == [1, 2]
        assert len({row.category_id for row in rows}) == 1


def test_the_measure_must_be_known(hand_stage):
    stage, _works = hand_stage
    with pytest.raises(ValueError, match="by must be one of"):
        aggregate_criteria(stage, by="median")


def test_each_aggregation_takes_its_own_mode_only(hand_stage):
    stage, _works = hand_stage
    with pytest.raises(ValueError, match="not ranking"):
        aggregate_ranking(stage)
    with pytest.raises(ValueError, match="not vote"):
        aggregate_votes(stage)


def test_ranking_stage_borda_count_with_a_conflict():
    # Judges A and B saw works 1–3: A placed 1 then 2 (2 and 1 points, work 3
    # gets (3 − 2 − 1) / 2 = 0); B placed 3 only (2 points; works 1 and 2
    # share 1 + 0: 0.5 each). Judge C's place for work 1 does not count (a
    # conflict): C saw works 2 and 3 and placed 2 (its place 2 is C's first:
    # 1 point; work 3 gets 0). Works 1 and 2 tie at 2.5.
    stage, (a, b, c), (one, two, three) = stage_with(StageMode.RANKING, entries=3)
    score(stage, a, one, rank=1)
    score(stage, a, two, rank=2)
    score(stage, a, three)
    score(stage, b, one)
    score(stage, b, two)
    score(stage, b, three, rank=1)
    score(stage, c, one, rank=1)
    score(stage, c, two, rank=2)
    score(stage, c, three)
    Conflict.objects.create(judge=c, entry=one, reason="Taught the artist.")
    rows = rows_of(aggregate_ranking(stage))
    assert [(r.entry_id, r.points, r.saw, r.ranked, r.rank, r.tied) for r in rows] == [
        (one.pk, 2.5, 2, 1, 1, True),
        (two.pk, 2.5, 3, 2, 1, True),
        (three.pk, 2, 3, 1, 3, False),
    ]
    assert rows_of(aggregate_stage(stage)) == rows


def test_vote_stage_counts_each_vote():
    stage, (a, b, c), (one, two, three) = stage_with(StageMode.VOTE, entries=3)
    score(stage, a, one, vote=Vote.YES)
    score(stage, b, one, vote=Vote.NO)
    score(stage, c, one, vote=Vote.MAYBE)
    score(stage, a, two, vote=Vote.YES)
    score(stage, b, two, vote=Vote.YES)
    score(stage, c, two, vote=Vote.YES, submitted=False)
    rows = rows_of(aggregate_votes(stage))
    assert [(r.entry_id, r.yes, r.maybe, r.no, r.assigned, r.rank) for r in rows] == [
        (two.pk, 2, 0, 0, 3, 1),
        (one.pk, 1, 1, 1, 3, 2),
        (three.pk, 0, 0, 0, 3, 0),
    ]


@pytest.mark.parametrize("entries", [1, 50])
def test_aggregation_reads_in_two_queries(entries, django_assert_num_queries):
    stage, panel, works = stage_with(entries=entries, judges=2)
    for judge in panel:
        for number, entry in enumerate(works):
            score(stage, judge, entry, total=number % 7 + 1)
    with django_assert_num_queries(2):
        rows = rows_of(aggregate_criteria(stage))
    assert len(rows) == entries


def test_a_stage_without_entries_aggregates_to_nothing():
    round_ = make_judging_round(entries=1)
    stage = make_stage(round_)
    assert aggregate_criteria(stage) == {}
    assert judge_summaries(stage) == ()
    ranking = make_stage(round_, mode=StageMode.RANKING)
    assert aggregate_stage(ranking) == {}
