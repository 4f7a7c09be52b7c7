"""The numbers of aggregation (judging.scoring_math) against hand-computed
examples, a published worked example of the Borda count, properties, and the
recovery of known qualities from synthetic scores."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.scoring_math import (
    borda,
    calibrate,
    competition_ranks,
    group_stats,
    judge_z_scores,
    ranked_order,
    vote_counts,
    vote_measure,
)
from judging.services.assignment import plan_assignments

pytestmark = pytest.mark.unit

SQRT2 = np.sqrt(2)


def test_group_stats_give_mean_count_and_sample_spread():
    mean, count, spread = group_stats([0, 0, 0, 1, 1, 2], [8, 7, 5, 6, 5, 4], 4)
    np.testing.assert_allclose(mean[:3], [20 / 3, 5.5, 4.0])
    assert np.isnan(mean[3])
    assert count.tolist() == [3, 2, 1, 0]
    # Sample standard deviation: sqrt(Σ(x − mean)² / (n − 1)).
    np.testing.assert_allclose(
        spread[:2], [np.sqrt((16 / 9 + 1 / 9 + 25 / 9) / 2), 1 / SQRT2]
    )
    assert np.isnan(spread[2]) and np.isnan(spread[3])


def test_z_scores_per_judge_with_population_spread():
    # Judge 0 gives 8, 6, 4, 6 (mean 6, population std √2); judge 1 scores
    # once; judge 2 gives the same score three times.
    z = judge_z_scores([0, 0, 0, 0, 1, 2, 2, 2], [8, 6, 4, 6, 7, 5, 5, 5], 3)
    np.testing.assert_allclose(z, [SQRT2, 0, -SQRT2, 0, 0, 0, 0, 0], atol=1e-12)


def test_z_scores_of_one_judge_who_scores_once_or_alike_are_zero():
    assert judge_z_scores([0], [9.5], 1).tolist() == [0.0]
    assert judge_z_scores([0, 0], [3, 3], 1).tolist() == [0.0, 0.0]


def test_calibration_takes_out_a_judge_s_leniency():
    # Judge 0 gives one point more than judge 1 on the works both scored;
    # judge 1 alone scores work 2. Without a penalty the fit is exact:
    # leniencies +0.5 and −0.5, qualities those of an average judge.
    result = calibrate(
        [0, 1, 0, 1, 2], [0, 0, 1, 1, 1], [6, 8, 5, 7, 4], entries=3, judges=2, damp=0
    )
    np.testing.assert_allclose(result.quality, [5.5, 7.5, 4.5], atol=1e-9)
    np.testing.assert_allclose(result.leniency, [0.5, -0.5], atol=1e-9)
    assert result.sigma2 == pytest.approx(0, abs=1e-12)
    # The raw mean of work 2 (4) would put it a whole point below work 0
    # (5.5): calibrated it is 1 below, as judge 1 saw it.


def test_calibration_penalty_pulls_a_work_seen_once_towards_the_mean():
    entry, judge, values = [0, 1, 0, 1, 2], [0, 0, 1, 1, 1], [6, 8, 5, 7, 9]
    free = calibrate(entry, judge, values, entries=4, judges=2, damp=0)
    damped = calibrate(entry, judge, values, entries=4, judges=2, damp=1)
    assert damped.quality[2] < free.quality[2]
    # A work without a score has no calibrated score and no uncertainty.
    assert np.isnan(free.quality[3]) and np.isnan(damped.stderr[3])
    # Uncertainty: sqrt(sigma2 / (n + damp²)).
    np.testing.assert_allclose(
        damped.stderr[:3], np.sqrt(damped.sigma2 / np.array([3, 3, 2]))
    )


def test_competition_ranks_state_ties():
    ranks, tied = competition_ranks([6.5, 7.0, 6.5, np.nan, 5.0, 6.5])
    assert ranks.tolist() == [2, 1, 2, 0, 5, 2]
    assert tied.tolist() == [True, False, True, False, False, True]


def test_competition_ranks_compare_to_six_decimals():
    ranks, tied = competition_ranks([1 / 3, 0.1 + 0.2 + 1 / 3 - 0.3])
    assert ranks.tolist() == [1, 1]
    assert tied.tolist() == [True, True]


def test_ranked_order_lists_ties_by_id_and_unmeasured_last():
    order = ranked_order([5.0, np.nan, 7.0, 5.0], [40, 10, 30, 20])
    assert order.tolist() == [2, 3, 0, 1]


def tennessee():
    """Wikipedia, "Borda count", the example of Tennessee's capital
    (https://en.wikipedia.org/wiki/Borda_count#Example): 100 voters, 42 %
    Memphis > Nashville > Chattanooga > Knoxville, 26 % Nashville >
    Chattanooga > Knoxville > Memphis, 15 % Chattanooga > Knoxville >
    Nashville > Memphis, 17 % Knoxville > Chattanooga > Nashville > Memphis.
    Its Borda points (3, 2, 1, 0 by place): Memphis 126, Nashville 194,
    Chattanooga 173, Knoxville 107 — Nashville wins."""
    memphis, nashville, chattanooga, knoxville = range(4)
    blocks = [
        (42, [memphis, nashville, chattanooga, knoxville]),
        (26, [nashville, chattanooga, knoxville, memphis]),
        (15, [chattanooga, knoxville, nashville, memphis]),
        (17, [knoxville, chattanooga, nashville, memphis]),
    ]
    entry, judge, places = [], [], []
    voter = 0
    for voters, order in blocks:
        for _ in range(voters):
            for place, city in enumerate(order, start=1):
                entry.append(city)
                judge.append(voter)
                places.append(place)
            voter += 1
    return entry, judge, places, voter


def test_borda_matches_the_published_tennessee_example():
    entry, judge, places, voters = tennessee()
    result = borda(entry, judge, places, entries=4, judges=voters)
    assert result.points.tolist() == [126, 194, 173, 107]
    ranks, tied = competition_ranks(result.points)
    assert ranks.tolist() == [3, 1, 2, 4]
    assert not tied.any()


def test_borda_of_partial_rankings_shares_the_points_left():
    # Judge 0 saw works 0–4 and placed two: work 3 first, work 1 second
    # (places 2 and 5, the gap closed). 5 works: 4 and 3 points; the three
    # unplaced share 2 + 1 + 0: 1 each. Judge 1 saw works 0 and 4 and placed
    # none: (2 − 0 − 1) / 2 = 0.5 each.
    result = borda(
        [0, 1, 2, 3, 4, 0, 4],
        [0, 0, 0, 0, 0, 1, 1],
        [np.nan, 5, np.nan, 2, np.nan, np.nan, np.nan],
        entries=5,
        judges=2,
    )
    assert result.points.tolist() == [1.5, 3, 1, 4, 1.5]
    assert result.ranked.tolist() == [0, 1, 0, 1, 0]
    assert result.seen.tolist() == [2, 1, 1, 1, 2]
    # Each judge gave out m (m − 1) / 2 points: 10 and 1.
    assert result.points.sum() == 11


def test_vote_counts_and_their_measure():
    counts = vote_counts([0, 0, 0, 1, 1, 2], [0, 1, 2, 0, 0, 1], entries=4)
    assert counts.tolist() == [[1, 1, 1], [2, 0, 0], [0, 1, 0], [0, 0, 0]]
    # Yes first, then maybe: 2 yes beat 1 yes and 1 maybe.
    assert competition_ranks(vote_measure(counts))[0].tolist() == [2, 1, 3, 4]


@st.composite
def scored_stages(draw):
    entries = draw(st.integers(2, 8))
    judges = draw(st.integers(1, 4))
    pairs = draw(
        st.sets(
            st.tuples(st.integers(0, entries - 1), st.integers(0, judges - 1)),
            min_size=1,
            max_size=entries * judges,
        )
    )
    pairs = sorted(pairs)
    values = draw(
        st.lists(
            st.integers(10, 100).map(lambda tenths: tenths / 10),
            min_size=len(pairs),
            max_size=len(pairs),
        )
    )
    judge = draw(st.integers(0, judges - 1))
    shift = draw(st.integers(-30, 30).map(lambda tenths: tenths / 10))
    entry = np.array([pair[0] for pair in pairs])
    judge_of = np.array([pair[1] for pair in pairs])
    return entries, judges, entry, judge_of, np.array(values), judge, shift


def measures(entries, judges, entry, judge, values):
    z = judge_z_scores(judge, values, judges)
    normalised = group_stats(entry, z, entries)[0]
    calibrated = calibrate(entry, judge, values, entries=entries, judges=judges).quality
    return normalised, calibrated


@settings(max_examples=150, deadline=None, derandomize=True)
@given(scored_stages())
def test_a_constant_added_to_one_judge_changes_no_normalised_or_calibrated_rank(
    stage,
):
    entries, judges, entry, judge, values, shifted, shift = stage
    before = measures(entries, judges, entry, judge, values)
    moved = values + np.where(judge == shifted, shift, 0.0)
    after = measures(entries, judges, entry, judge, moved)
    for old, new in zip(before, after, strict=True):
        assert competition_ranks(old)[0].tolist() == competition_ranks(new)[0].tolist()
        assert competition_ranks(old)[1].tolist() == competition_ranks(new)[1].tolist()


def synthetic_overlaps(seed, *, entries=200, judges=10, per_entry=3):
    """Works of known quality (normal, mean 6, sd 1) scored by judges of known
    leniency (normal, sd 1) with noise (sd 0.7), rounded to tenths, under the
    balanced assignment: how many of the true top 10 each measure's top 10
    holds (raw mean, mean z-score, calibrated)."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(6, 1, entries)
    leniency = rng.normal(0, 1, judges)
    plan = plan_assignments(
        range(entries), range(judges), per_entry=per_entry, conflicts=(), seed=seed
    )
    entry = np.array([work for work, chosen in plan.items() for _judge in chosen])
    judge = np.array([one for _work, chosen in plan.items() for one in chosen])
    values = np.round(
        quality[entry] + leniency[judge] + rng.normal(0, 0.7, len(entry)), 1
    )
    raw = group_stats(entry, values, entries)[0]
    normalised, calibrated = measures(entries, judges, entry, judge, values)
    top = set(np.argsort(-quality)[:10].tolist())
    return [
        len(top & set(np.argsort(-measure)[:10].tolist()))
        for measure in (raw, normalised, calibrated)
    ]


def test_calibration_recovers_the_true_top_ten_best():
    # 50 seeds; the figures are in docs/PERFORMANCE.md ("Aggregation").
    overlaps = np.array([synthetic_overlaps(seed) for seed in range(50)]).mean(axis=0)
    raw, normalised, calibrated = overlaps.tolist()
    assert calibrated >= normalised
    assert calibrated >= raw
    assert (raw, normalised, calibrated) == pytest.approx((5.42, 6.52, 6.66))
