"""The planning of assignments, as properties: coverage, conflicts avoided,
balance, determinism, and each judge's own order."""

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.enums import AssignmentMode
from judging.services.assignment import judge_order, plan_assignments

pytestmark = pytest.mark.unit

# No example database: nothing is written into the working tree.
fast = settings(max_examples=100, deadline=None, database=None)


@st.composite
def stages(draw, *, with_conflicts=True):
    entries = draw(
        st.lists(st.integers(1, 10_000), min_size=0, max_size=40, unique=True)
    )
    judges = draw(st.lists(st.integers(1, 500), min_size=1, max_size=9, unique=True))
    per_entry = draw(st.integers(1, 6))
    conflicts = set()
    if with_conflicts and entries:
        pairs = st.tuples(st.sampled_from(judges), st.sampled_from(entries))
        conflicts = draw(st.sets(pairs, max_size=len(entries) * 2))
    seed = draw(st.integers(0, 2**31 - 1))
    return entries, judges, per_entry, conflicts, seed


def plan(stage, **options):
    entries, judges, per_entry, conflicts, seed = stage
    return plan_assignments(
        entries, judges, per_entry=per_entry, conflicts=conflicts, seed=seed, **options
    )


def loads(result, judges):
    counts = Counter(judge for chosen in result.values() for judge in chosen)
    return {judge: counts[judge] for judge in judges}


@fast
@given(stages())
def test_each_entry_gets_as_many_judges_as_conflicts_allow(stage):
    entries, judges, per_entry, conflicts, _seed = stage
    result = plan(stage)
    assert sorted(result) == sorted(entries)
    for entry, chosen in result.items():
        free = [judge for judge in judges if (judge, entry) not in conflicts]
        assert len(chosen) == len(set(chosen)) == min(per_entry, len(free))
        assert set(chosen) <= set(judges)


@fast
@given(stages())
def test_no_entry_goes_to_a_judge_with_a_conflict(stage):
    _entries, _judges, _per_entry, conflicts, _seed = stage
    for entry, chosen in plan(stage).items():
        assert not {(judge, entry) for judge in chosen} & conflicts


@fast
@given(stages())
def test_no_single_entry_could_move_to_a_judge_with_two_fewer(stage):
    _entries, judges, _per_entry, conflicts, _seed = stage
    result = plan(stage)
    load = loads(result, judges)
    entries_of = {judge: set() for judge in judges}
    for entry, chosen in result.items():
        for judge in chosen:
            entries_of[judge].add(entry)
    for heavy in judges:
        for light in judges:
            if load[heavy] - load[light] >= 2:
                movable = {
                    entry
                    for entry in entries_of[heavy] - entries_of[light]
                    if (light, entry) not in conflicts
                }
                assert movable == set()


@fast
@given(stages(with_conflicts=False))
def test_without_conflicts_loads_differ_by_at_most_one(stage):
    _entries, judges, _per_entry, _conflicts, _seed = stage
    load = loads(plan(stage), judges).values()
    assert max(load) - min(load) <= 1


@fast
@given(stages(), st.randoms(use_true_random=False))
def test_the_same_seed_gives_the_same_plan_whatever_the_input_order(stage, rnd):
    entries, judges, per_entry, conflicts, seed = stage
    shuffled_entries = list(entries)
    shuffled_judges = list(judges)
    rnd.shuffle(shuffled_entries)
    rnd.shuffle(shuffled_judges)
    again = plan_assignments(
        shuffled_entries,
        shuffled_judges,
        per_entry=per_entry,
        conflicts=list(conflicts),
        seed=seed,
    )
    assert again == plan(stage)


@fast
@given(stages())
def test_every_judge_gets_every_entry_but_conflicted_ones_in_all_mode(stage):
    entries, judges, _per_entry, conflicts, _seed = stage
    result = plan(stage, mode=AssignmentMode.ALL)
    assert result == {
        entry: sorted(judge for judge in judges if (judge, entry) not in conflicts)
        for entry in entries
    }


def test_a_plan_of_a_known_seed():
    result = plan_assignments(
        [1, 2, 3, 4], [10, 20, 30], per_entry=2, conflicts={(10, 1)}, seed=7
    )
    assert 10 not in result[1]
    assert all(len(chosen) == 2 for chosen in result.values())
    assert sorted(loads(result, [10, 20, 30]).values()) == [2, 3, 3]
    assert result == plan_assignments(
        [4, 3, 2, 1], [30, 20, 10], per_entry=2, conflicts={(10, 1)}, seed=7
    )


def test_different_seeds_give_different_panels():
    entries = list(range(1, 61))
    judges = list(range(1, 13))
    first = plan_assignments(entries, judges, per_entry=3, conflicts=(), seed=1)
    second = plan_assignments(entries, judges, per_entry=3, conflicts=(), seed=2)
    assert first != second


def test_the_same_judges_do_not_always_sit_together():
    entries = list(range(1, 121))
    judges = list(range(1, 10))
    result = plan_assignments(entries, judges, per_entry=3, conflicts=(), seed=5)
    panels = Counter(tuple(chosen) for chosen in result.values())
    assert len(panels) > 3


def test_a_stage_of_20000_entries_and_50_judges_is_planned():
    entries = list(range(1, 20_001))
    judges = list(range(1, 51))
    rnd = random.Random(3)
    conflicts = {(rnd.choice(judges), rnd.choice(entries)) for _ in range(200)}
    result = plan_assignments(entries, judges, per_entry=3, conflicts=conflicts, seed=9)
    load = loads(result, judges).values()
    assert sum(load) == 60_000
    assert max(load) - min(load) <= 1


@fast
@given(
    st.lists(st.integers(1, 10_000), max_size=40, unique=True),
    st.integers(0, 2**31 - 1),
    st.integers(1, 10_000),
    st.randoms(use_true_random=False),
)
def test_a_judges_order_is_a_permutation_fixed_by_seed_and_judge(
    entries, seed, judge, rnd
):
    order = judge_order(entries, seed=seed, judge_id=judge)
    assert sorted(order) == sorted(entries)
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    assert judge_order(shuffled, seed=seed, judge_id=judge) == order


@fast
@given(
    st.lists(st.integers(1, 10_000), min_size=12, max_size=40, unique=True),
    st.integers(0, 2**31 - 1),
    st.lists(st.integers(1, 10_000), min_size=2, max_size=5, unique=True),
)
def test_judges_get_orders_of_their_own(entries, seed, judges):
    orders = {
        tuple(judge_order(entries, seed=seed, judge_id=judge)) for judge in judges
    }
    assert len(orders) == len(judges)


def test_no_work_is_first_for_every_judge():
    entries = list(range(1, 31))
    firsts = {
        judge_order(entries, seed=11, judge_id=judge)[0] for judge in range(1, 21)
    }
    lasts = {
        judge_order(entries, seed=11, judge_id=judge)[-1] for judge in range(1, 21)
    }
    assert len(firsts) > 1
    assert len(lasts) > 1
