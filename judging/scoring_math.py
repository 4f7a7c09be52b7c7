"""The numbers of aggregation, on numpy arrays: no database, no Django.

Every function takes the counted scores of a stage as parallel arrays — one
element per score: the entry's dense index (0 … entries − 1), the judge's dense
index (0 … judges − 1) and the value — and works on them all at once (no Python
loop over scores). ``judging.selectors.aggregation`` reads the arrays from the
database and names the results; docs/JUDGING.md ("Aggregation") states the
rules.
"""

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, vstack
from scipy.sparse.linalg import lsqr

# Measures are compared rounded to this many decimals when ranking: a score's
# total has 3 decimals, so two measures closer than 1e-6 are the same measure
# (and the least-squares solver's own error stays far below it).
RANK_DECIMALS = 6
# The ridge penalty of the calibration, on the works' qualities only.
DEFAULT_DAMP = 0.5


def group_stats(index, values, size):
    """Per group (entry) ``0 … size − 1``: the mean of ``values``, their
    number, and their **sample** standard deviation (``ddof=1``). Mean and
    spread are NaN for a group without values; the spread is NaN for a group
    of one value (no spread can be measured)."""
    index = np.asarray(index, dtype=np.intp)
    values = np.asarray(values, dtype=float)
    count = np.bincount(index, minlength=size)
    total = np.bincount(index, weights=values, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        squares = np.bincount(
            index, weights=(values - mean[index]) ** 2, minlength=size
        )
        spread = np.sqrt(squares / (count - 1))
    spread[count < 2] = np.nan
    return mean, count, spread


def judge_z_scores(judge, values, judges):
    """Each score as a z-score over its judge's scores: ``(value − the judge's
    mean) / the judge's population standard deviation`` (``ddof=0``). A judge
    with a single score, or whose scores are all the same (no spread), tells
    nothing of how works compare: their z-scores are all 0."""
    judge = np.asarray(judge, dtype=np.intp)
    values = np.asarray(values, dtype=float)
    count = np.bincount(judge, minlength=judges)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(judge, weights=values, minlength=judges) / count
        deviation = values - mean[judge]
        std = np.sqrt(
            np.bincount(judge, weights=deviation**2, minlength=judges) / count
        )
    # A spread below rounding noise is no spread.
    flat = ~(std > 1e-9)
    safe = np.where(flat, 1.0, std)
    z = deviation / safe[judge]
    z[flat[judge]] = 0.0
    return z


@dataclass(frozen=True)
class Calibration:
    """The additive model fitted: per entry its ``quality`` (the score an
    average judge would give) and its ``stderr``; per judge their
    ``leniency`` (centred at 0); the residual variance ``sigma2``."""

    quality: np.ndarray
    stderr: np.ndarray
    leniency: np.ndarray
    sigma2: float


def calibrate(entry, judge, values, *, entries, judges, damp=DEFAULT_DAMP):
    """Fit ``score = quality(entry) + leniency(judge) + noise`` by regularised
    least squares over all the scores at once (``scipy.sparse.linalg.lsqr``).

    The unknowns are the works' deviations from the mean of all scores and the
    judges' leniencies. The ridge penalty ``damp² · Σ deviation²`` (rows
    ``damp · I`` appended under the design matrix) falls on the works only:
    it pulls a work seen by few judges towards the mean and makes the solution
    unique, while a judge's leniency is free, so that a judge who adds a
    constant to all their scores changes only their own leniency — no work's
    calibrated score moves relative to another's. Leniencies are then centred
    at 0 (their mean over the judges is added to every quality), so that a
    quality reads as the score of an average judge.

    ``stderr`` of a work is ``sqrt(sigma2 / (n + damp²))``, ``n`` its number of
    scores and ``sigma2`` the residual variance (residual sum of squares over
    ``scores − works − judges + 1`` degrees of freedom, at least 1): the
    uncertainty of the work's quality given the leniencies. A work without
    scores has NaN for both."""
    entry = np.asarray(entry, dtype=np.intp)
    judge = np.asarray(judge, dtype=np.intp)
    values = np.asarray(values, dtype=float)
    scores = len(values)
    quality = np.full(entries, np.nan)
    stderr = np.full(entries, np.nan)
    leniency = np.zeros(judges)
    if scores == 0:
        return Calibration(quality, stderr, leniency, float("nan"))
    mean = values.mean()
    rows = np.arange(scores)
    design = coo_matrix(
        (
            np.ones(2 * scores),
            (np.concatenate([rows, rows]), np.concatenate([entry, entries + judge])),
        ),
        shape=(scores, entries + judges),
    )
    prior = coo_matrix(
        (
            np.full(entries, float(damp)),
            (np.arange(entries), np.arange(entries)),
        ),
        shape=(entries, entries + judges),
    )
    if damp > 0:
        matrix = vstack([design, prior]).tocsr()
        target = np.concatenate([values - mean, np.zeros(entries)])
    else:
        matrix = design.tocsr()
        target = values - mean
    # Works without a score, or judges without one, have empty columns: their
    # unknowns stay 0 (lsqr gives the least-norm solution).
    solution = lsqr(matrix, target, atol=1e-12, btol=1e-12, iter_lim=10_000)[0]
    deviation, bias = solution[:entries], solution[entries:]
    has_judge = np.bincount(judge, minlength=judges) > 0
    centre = bias[has_judge].mean()
    bias = bias - centre
    fitted = deviation[entry] + bias[judge] + centre + mean
    residuals = values - fitted
    freedom = max(scores - entries - int(has_judge.sum()) + 1, 1)
    sigma2 = float(residuals @ residuals) / freedom
    count = np.bincount(entry, minlength=entries)
    seen = count > 0
    quality[seen] = mean + centre + deviation[seen]
    stderr[seen] = np.sqrt(sigma2 / (count[seen] + damp**2))
    leniency[has_judge] = bias[has_judge]
    return Calibration(quality, stderr, leniency, sigma2)


def competition_ranks(values, *, decimals=RANK_DECIMALS):
    """Standard competition ranks ("1224") of ``values``, highest first:
    1 + the number of values strictly higher, compared rounded to
    ``decimals``. Returns ``(ranks, tied)``: ``tied`` marks a value that shares
    its rank with another. A NaN (nothing to rank) gets rank 0, never tied."""
    values = np.asarray(values, dtype=float)
    ranks = np.zeros(len(values), dtype=np.intp)
    tied = np.zeros(len(values), dtype=bool)
    present = ~np.isnan(values)
    if not present.any():
        return ranks, tied
    rounded = np.round(values[present], decimals)
    ascending = np.sort(rounded)
    # How many values are strictly higher: all but those at most as high.
    higher = len(ascending) - np.searchsorted(ascending, rounded, side="right")
    ranks[present] = higher + 1
    _unique, inverse, counts = np.unique(
        rounded, return_inverse=True, return_counts=True
    )
    tied[present] = counts[inverse] > 1
    return ranks, tied


def ranked_order(measure, ids):
    """The positions of ``measure`` highest first (NaN last), tied or
    unmeasured ones by ascending ``ids``: the order of a ranked list (the
    ranks say which rows are tied; this order only lists them)."""
    measure = np.round(np.asarray(measure, dtype=float), RANK_DECIMALS)
    key = np.where(np.isnan(measure), np.inf, -measure)
    return np.lexsort((np.asarray(ids), key))


@dataclass(frozen=True)
class Borda:
    """Per entry: its Borda ``points`` (summed over the judges who saw it),
    the number of judges who ``ranked`` it (gave it a place), and the number
    of judges who ``saw`` it."""

    points: np.ndarray
    ranked: np.ndarray
    seen: np.ndarray


def borda(entry, judge, places, *, entries, judges):
    """Borda count of partial rankings. Each judge ``j`` saw ``m_j`` works
    (their counted scores) and placed ``k_j ≤ m_j`` of them (``places``: a
    number, smaller is better; NaN for a work left without a place). A judge's
    places are taken in their order, gaps closed: their best work gets
    ``m_j − 1`` points, the next ``m_j − 2`` and so on; the ``m_j − k_j``
    works they left unplaced share the points left, ``0 … m_j − k_j − 1``,
    equally: ``(m_j − k_j − 1) / 2`` each (the "averaged" rule for truncated
    ballots). So every judge gives out the same ``m_j (m_j − 1) / 2`` points
    whatever they leave unplaced; with every judge placing every work, this
    is the classical Borda count."""
    entry = np.asarray(entry, dtype=np.intp)
    judge = np.asarray(judge, dtype=np.intp)
    places = np.asarray(places, dtype=float)
    seen_by = np.bincount(judge, minlength=judges)
    placed = ~np.isnan(places)
    placed_by = np.bincount(judge[placed], minlength=judges)
    points = np.empty(len(places))
    # Unplaced works: the average of the points left.
    points[~placed] = (seen_by[judge[~placed]] - placed_by[judge[~placed]] - 1) / 2
    # Placed works: their position among the judge's placed works.
    ranked_judge = judge[placed]
    order = np.lexsort((places[placed], ranked_judge))
    starts = np.concatenate([[0], np.cumsum(placed_by)[:-1]])
    position = np.empty(len(order), dtype=np.intp)
    position[order] = np.arange(len(order)) - starts[ranked_judge[order]]
    points[placed] = seen_by[ranked_judge] - 1 - position
    return Borda(
        points=np.bincount(entry, weights=points, minlength=entries),
        ranked=np.bincount(entry[placed], minlength=entries),
        seen=np.bincount(entry, minlength=entries),
    )


def vote_counts(entry, votes, *, entries):
    """Per entry, the counts of each vote: ``votes`` are codes 0 (yes),
    1 (maybe), 2 (no); an array ``entries × 3``."""
    entry = np.asarray(entry, dtype=np.intp)
    votes = np.asarray(votes, dtype=np.intp)
    return np.bincount(entry * 3 + votes, minlength=entries * 3).reshape(entries, 3)


def vote_measure(counts):
    """A vote stage's measure: the yes votes, then the maybes, compared in
    that order (a single number: ``yes × (largest maybe count + 1) + maybe``)."""
    counts = np.asarray(counts)
    if len(counts) == 0:
        return np.zeros(0)
    return counts[:, 0] * (counts[:, 1].max() + 1) + counts[:, 1].astype(float)
