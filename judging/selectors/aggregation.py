"""A stage's scores made into rankings, per category: for a criteria stage the
raw mean, the judges' z-scores and the calibrated score of each entry, with its
number of scores, coverage, spread and uncertainty; for a ranking stage the
Borda count; for a vote stage the counts of yes, maybe and no.

A selector (it reads and changes nothing, so nothing to lock or audit): two
queries whatever the size of the stage — the stage's entries with their
category, and its counted assignments with their scores — read into numpy
arrays; the numbers are ``judging.scoring_math``'s, vectorised. A score counts
when it is submitted and its judge has no conflict with the entry
(``judging.selectors.conflicts.conflicted``). docs/JUDGING.md ("Aggregation")
states the rules.
"""

import math
from dataclasses import dataclass

import numpy as np
from django.db.models import Case, FloatField, IntegerField, Value, When
from django.db.models.functions import Cast

from judging import scoring_math
from judging.enums import StageMode, Vote
from judging.models import Assignment, StageEntry
from judging.selectors.conflicts import conflicted

MEASURES = ("raw", "normalised", "calibrated")
VOTE_CODES = {Vote.YES: 0, Vote.MAYBE: 1, Vote.NO: 2}


@dataclass(frozen=True)
class CountedScores:
    """A stage's entries and counted scores as arrays. Per entry (ascending
    ``entry_ids``): ``category_ids`` and ``assigned`` (assignments without a
    conflict). Per judge with such an assignment (ascending ``judge_ids``):
    ``judge_assigned``. Per counted, submitted score: ``entry`` (index into
    ``entry_ids``), ``judge`` (index into ``judge_ids``) and ``value`` (the
    total, the place — NaN for none — or the vote's code)."""

    entry_ids: np.ndarray
    category_ids: np.ndarray
    assigned: np.ndarray
    judge_ids: np.ndarray
    judge_assigned: np.ndarray
    entry: np.ndarray
    judge: np.ndarray
    value: np.ndarray


def _value(mode):
    if mode == StageMode.CRITERIA:
        return Cast("score__total", FloatField())
    if mode == StageMode.RANKING:
        return Cast("score__rank", FloatField())
    return Case(
        *(
            When(score__vote=vote, then=Value(code))
            for vote, code in VOTE_CODES.items()
        ),
        default=Value(-1),
        output_field=IntegerField(),
    )


def _counts(mode):
    """Which submitted scores count: in a criteria stage one with a total, in
    a vote stage one with a vote; in a ranking stage every one (a work left
    without a place was seen)."""
    submitted = When(score__submitted_at__isnull=False, then=Value(1))
    if mode == StageMode.CRITERIA:
        submitted = When(
            score__submitted_at__isnull=False,
            score__total__isnull=False,
            then=Value(1),
        )
    return Case(submitted, default=Value(0), output_field=IntegerField())


def counted_scores(stage):
    """The stage's entries and its counted scores, in two queries."""
    entries = np.array(
        list(
            StageEntry.objects.filter(stage_id=stage.pk)
            .order_by("entry_id")
            .values_list("entry_id", "category_id")
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    entry_ids, category_ids = entries[:, 0], entries[:, 1]
    rows = np.array(
        list(
            Assignment.objects.filter(stage_id=stage.pk)
            .exclude(conflicted())
            .order_by()
            .annotate(counts=_counts(stage.mode), value=_value(stage.mode))
            .values_list("entry_id", "judge_id", "counts", "value")
        ),
        dtype=float,
    ).reshape(-1, 4)
    position = np.searchsorted(entry_ids, rows[:, 0].astype(np.int64))
    inside = position < len(entry_ids)
    inside[inside] = entry_ids[position[inside]] == rows[inside, 0]
    rows, position = rows[inside], position[inside]
    assigned = np.bincount(position, minlength=len(entry_ids))
    counts = rows[:, 2] == 1
    if stage.mode == StageMode.VOTE:
        counts &= rows[:, 3] >= 0
    judge_ids, judge = np.unique(rows[:, 1].astype(np.int64), return_inverse=True)
    judge = judge.reshape(-1)
    return CountedScores(
        entry_ids=entry_ids,
        category_ids=category_ids,
        assigned=assigned,
        judge_ids=judge_ids,
        judge_assigned=np.bincount(judge, minlength=len(judge_ids)),
        entry=position[counts],
        judge=judge[counts],
        value=rows[counts, 3],
    )


def _check_mode(stage, mode):
    if stage.mode != mode:
        raise ValueError(f"The stage's mode is {stage.mode}, not {mode}.")


def _number(value):
    """A float for a dataclass: None for NaN."""
    return None if math.isnan(value) else value


def _by_category(data, measure, make_row):
    """``{category_id: (row, …)}``, categories ascending, each category's rows
    ranked by ``measure`` (competition ranking, ties stated) and listed in
    that order. ``make_row(index, rank, tied)`` builds one row."""
    result = {}
    for category_id in np.unique(data.category_ids).tolist():
        members = np.flatnonzero(data.category_ids == category_id)
        ranks, tied = scoring_math.competition_ranks(measure[members])
        order = scoring_math.ranked_order(measure[members], data.entry_ids[members])
        result[category_id] = tuple(
            make_row(index, rank, is_tied)
            for index, rank, is_tied in zip(
                members[order].tolist(),
                ranks[order].tolist(),
                tied[order].tolist(),
                strict=True,
            )
        )
    return result


@dataclass(frozen=True)
class CriteriaRow:
    """One entry of a criteria stage. ``rank`` is 0 for an entry without a
    counted score (listed last); ``tied`` when another entry of its category
    shares its rank. ``coverage`` is ``scores / assigned`` (None without an
    assignment that counts); ``spread`` the sample standard deviation of its
    totals (None under two scores); ``disagreement`` when the spread is above
    the threshold asked; ``normalised`` the mean of its z-scores;
    ``calibrated`` and ``uncertainty`` (a standard error) from the additive
    model."""

    entry_id: int
    category_id: int
    scores: int
    assigned: int
    coverage: float | None
    mean: float | None
    spread: float | None
    disagreement: bool
    normalised: float | None
    calibrated: float | None
    uncertainty: float | None
    rank: int
    tied: bool


@dataclass(frozen=True)
class CriteriaMeasures:
    """The arrays behind the rows (per entry, in ``entry_ids`` order), and
    each judge's ``leniency``: for pages and charts that want them whole."""

    data: CountedScores
    mean: np.ndarray
    count: np.ndarray
    spread: np.ndarray
    normalised: np.ndarray
    calibration: scoring_math.Calibration


def criteria_measures(data, *, damp=scoring_math.DEFAULT_DAMP):
    """Every measure of a criteria stage's counted scores, as arrays."""
    entries, judges = len(data.entry_ids), len(data.judge_ids)
    mean, count, spread = scoring_math.group_stats(data.entry, data.value, entries)
    z = scoring_math.judge_z_scores(data.judge, data.value, judges)
    normalised, _count, _spread = scoring_math.group_stats(data.entry, z, entries)
    calibration = scoring_math.calibrate(
        data.entry, data.judge, data.value, entries=entries, judges=judges, damp=damp
    )
    return CriteriaMeasures(data, mean, count, spread, normalised, calibration)


def aggregate_criteria(
    stage, *, by="calibrated", disagreement_above=None, damp=None, data=None
):
    """A criteria stage's ranking: ``{category_id: (CriteriaRow, …)}``, each
    category ranked by ``by`` ("raw", "normalised" or "calibrated"), best
    first. ``disagreement_above``: flag entries whose spread is above it
    (None: flag none). ``damp``: the calibration's ridge penalty (default
    ``scoring_math.DEFAULT_DAMP``). ``data``: counted scores already read."""
    _check_mode(stage, StageMode.CRITERIA)
    if by not in MEASURES:
        raise ValueError(f"by must be one of {MEASURES}.")
    if data is None:
        data = counted_scores(stage)
    measures = criteria_measures(
        data, damp=scoring_math.DEFAULT_DAMP if damp is None else damp
    )
    calibration = measures.calibration
    chosen = {
        "raw": measures.mean,
        "normalised": measures.normalised,
        "calibrated": calibration.quality,
    }[by]
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = measures.count / data.assigned
    flagged = (
        np.zeros(len(data.entry_ids), dtype=bool)
        if disagreement_above is None
        else measures.spread > disagreement_above
    )
    columns = {
        "entry_id": data.entry_ids.tolist(),
        "category_id": data.category_ids.tolist(),
        "scores": measures.count.tolist(),
        "assigned": data.assigned.tolist(),
        "coverage": coverage.tolist(),
        "mean": measures.mean.tolist(),
        "spread": measures.spread.tolist(),
        "disagreement": flagged.tolist(),
        "normalised": measures.normalised.tolist(),
        "calibrated": calibration.quality.tolist(),
        "uncertainty": calibration.stderr.tolist(),
    }
    numbers = ("coverage", "mean", "spread", "normalised", "calibrated", "uncertainty")

    def make_row(index, rank, tied):
        values = {name: column[index] for name, column in columns.items()}
        for name in numbers:
            values[name] = _number(values[name])
        return CriteriaRow(**values, rank=rank, tied=tied)

    return _by_category(data, chosen, make_row)


@dataclass(frozen=True)
class RankingRow:
    """One entry of a ranking stage: its Borda ``points``, the judges who
    ``saw`` it (counted scores) and those who ``ranked`` it (gave it a
    place); ``rank`` by points, 0 for an entry no judge saw."""

    entry_id: int
    category_id: int
    points: float
    saw: int
    ranked: int
    rank: int
    tied: bool


def aggregate_ranking(stage, *, data=None):
    """A ranking stage's Borda count (``scoring_math.borda``), per category:
    ``{category_id: (RankingRow, …)}``, most points first."""
    _check_mode(stage, StageMode.RANKING)
    if data is None:
        data = counted_scores(stage)
    result = scoring_math.borda(
        data.entry,
        data.judge,
        data.value,
        entries=len(data.entry_ids),
        judges=len(data.judge_ids),
    )
    measure = np.where(result.seen > 0, result.points, np.nan)
    entry_ids, category_ids = data.entry_ids.tolist(), data.category_ids.tolist()
    points, seen, ranked = (
        result.points.tolist(),
        result.seen.tolist(),
        result.ranked.tolist(),
    )

    def make_row(index, rank, tied):
        return RankingRow(
            entry_id=entry_ids[index],
            category_id=category_ids[index],
            points=points[index],
            saw=seen[index],
            ranked=ranked[index],
            rank=rank,
            tied=tied,
        )

    return _by_category(data, measure, make_row)


@dataclass(frozen=True)
class VoteRow:
    """One entry of a vote stage: its counts of each vote; ``rank`` by yes
    votes, then maybes (0 for an entry without a counted vote)."""

    entry_id: int
    category_id: int
    yes: int
    maybe: int
    no: int
    assigned: int
    rank: int
    tied: bool


def aggregate_votes(stage, *, data=None):
    """A vote stage's counts, per category: ``{category_id: (VoteRow, …)}``,
    most yes votes first, then most maybes."""
    _check_mode(stage, StageMode.VOTE)
    if data is None:
        data = counted_scores(stage)
    counts = scoring_math.vote_counts(
        data.entry, data.value, entries=len(data.entry_ids)
    )
    voted = counts.sum(axis=1) > 0
    measure = np.where(voted, scoring_math.vote_measure(counts), np.nan)
    entry_ids, category_ids = data.entry_ids.tolist(), data.category_ids.tolist()
    table, assigned = counts.tolist(), data.assigned.tolist()

    def make_row(index, rank, tied):
        yes, maybe, no = table[index]
        return VoteRow(
            entry_id=entry_ids[index],
            category_id=category_ids[index],
            yes=yes,
            maybe=maybe,
            no=no,
            assigned=assigned[index],
            rank=rank,
            tied=tied,
        )

    return _by_category(data, measure, make_row)


@dataclass(frozen=True)
class JudgeRow:
    """One judge of a stage: their ``assigned`` entries (without a conflict),
    counted ``scores`` and ``progress`` (scores / assigned); in a criteria
    stage also the ``mean`` and sample ``spread`` of their totals and their
    ``leniency`` from the calibration (None elsewhere, or without scores)."""

    judge_id: int
    assigned: int
    scores: int
    progress: float | None
    mean: float | None
    spread: float | None
    leniency: float | None


def judge_summaries(stage, *, damp=None, data=None):
    """The stage's judges (``JudgeRow``), by ascending ID: how far each has
    got and, in a criteria stage, how they score (harsh or lenient)."""
    if data is None:
        data = counted_scores(stage)
    judges = len(data.judge_ids)
    scores = np.bincount(data.judge, minlength=judges)
    with np.errstate(invalid="ignore", divide="ignore"):
        progress = scores / data.judge_assigned
    mean = spread = leniency = np.full(judges, np.nan)
    if stage.mode == StageMode.CRITERIA:
        mean, _count, spread = scoring_math.group_stats(data.judge, data.value, judges)
        leniency = criteria_measures(
            data, damp=scoring_math.DEFAULT_DAMP if damp is None else damp
        ).calibration.leniency.copy()
        leniency[scores == 0] = np.nan
    return tuple(
        JudgeRow(
            judge_id=judge_id,
            assigned=assigned,
            scores=count,
            progress=_number(share),
            mean=_number(average),
            spread=_number(deviation),
            leniency=_number(bias),
        )
        for judge_id, assigned, count, share, average, deviation, bias in zip(
            data.judge_ids.tolist(),
            data.judge_assigned.tolist(),
            scores.tolist(),
            progress.tolist(),
            mean.tolist(),
            spread.tolist(),
            leniency.tolist(),
            strict=True,
        )
    )


def score_distribution(data, *, edges):
    """Each judge's counted values in the bins ``edges`` (ascending; a value
    ``v`` falls in bin ``i`` when ``edges[i] <= v < edges[i + 1]``, the last
    bin closed): ``{judge_id: [count per bin]}``, for a chart that shows a
    harsh or a lenient judge."""
    edges = np.asarray(edges, dtype=float)
    bins = len(edges) - 1
    judges = len(data.judge_ids)
    inside = (data.value >= edges[0]) & (data.value <= edges[-1])
    where = np.clip(
        np.searchsorted(edges, data.value[inside], side="right") - 1, 0, bins - 1
    )
    counts = np.bincount(
        data.judge[inside] * bins + where, minlength=judges * bins
    ).reshape(judges, bins)
    return dict(zip(data.judge_ids.tolist(), counts.tolist(), strict=True))


def aggregate_stage(stage, **options):
    """The stage's ranking by its mode (``options`` go to
    ``aggregate_criteria`` in a criteria stage)."""
    if stage.mode == StageMode.CRITERIA:
        return aggregate_criteria(stage, **options)
    if stage.mode == StageMode.RANKING:
        return aggregate_ranking(stage)
    return aggregate_votes(stage)
