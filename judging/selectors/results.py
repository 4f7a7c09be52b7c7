"""What the staff pages of a stage's results read: one page of the ranked
table of a category (``judging.selectors.aggregation``'s rows with the
reference codes and titles of the shown rows only), one entry's scores by
judge, and each judge's progress and score distribution.

Judges appear under their letter on the panel (``panel_label``) unless staff
ask for names. A judge's private note is never read. Each function costs a
fixed number of queries, however many entries and judges the stage has.
"""

import math
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Sum
from django.utils.html import format_html

from judging.enums import StageMode, Vote
from judging.models import (
    Assignment,
    Conflict,
    Criterion,
    CriterionScore,
    PanelMember,
    StageEntry,
)
from judging.selectors.aggregation import (
    MEASURES,
    aggregate_criteria,
    aggregate_ranking,
    aggregate_votes,
    counted_scores,
    judge_summaries,
    score_distribution,
)
from judging.selectors.conflicts import conflicted
from judging.selectors.judge import panel_label
from submissions.blind import blind_entries

PAGE_SIZE = 100
DEFAULT_MEASURE = "calibrated"
DEFAULT_THRESHOLD = 2.0
# How long a stage's counted scores stay in the cache: any change to them
# changes their fingerprint (so the cache is never stale); this only bounds
# how long an unused copy is kept.
CACHE_SECONDS = 600


def _fingerprint(stage):
    """What the counted scores of a stage depend on, in three small queries:
    its entries, its assignments, its scores (each save of a score raises
    its version) and the conflicts with its entries. Any change to those
    changes the fingerprint."""
    assignments = Assignment.objects.filter(stage_id=stage.pk).aggregate(
        count=Count("id"),
        last=Max("id"),
        scores=Count("score"),
        versions=Sum("score__version"),
        submitted=Count("score__submitted_at"),
    )
    entries = StageEntry.objects.filter(stage_id=stage.pk).aggregate(
        count=Count("id"), last=Max("id")
    )
    conflicts = Conflict.objects.filter(
        entry_id__in=StageEntry.objects.filter(stage_id=stage.pk).values("entry_id")
    ).aggregate(count=Count("id"), last=Max("id"))
    parts = (
        stage.mode,
        *assignments.values(),
        *entries.values(),
        *conflicts.values(),
    )
    return ":".join(str(part) for part in parts)


def _cached(key, make):
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, CACHE_SECONDS)
    return value


def cached_counted_scores(stage, fingerprint=None):
    """``counted_scores(stage)``, read from the database only when the
    stage's scores changed since it was last read (its fingerprint costs
    three small queries)."""
    fingerprint = fingerprint or _fingerprint(stage)
    return _cached(
        f"judging:counted-scores:{stage.pk}:{fingerprint}",
        lambda: counted_scores(stage),
    )


def cached_ranking(stage, *, by, threshold):
    """The stage's ranking (``aggregate_*`` by its mode), computed again
    only when its scores changed: the reading and the calibration are most
    of a large stage's page."""
    fingerprint = _fingerprint(stage)

    def make():
        data = cached_counted_scores(stage, fingerprint)
        if stage.mode == StageMode.CRITERIA:
            return aggregate_criteria(
                stage, by=by, disagreement_above=threshold, data=data
            )
        if stage.mode == StageMode.RANKING:
            return aggregate_ranking(stage, data=data)
        return aggregate_votes(stage, data=data)

    if stage.mode != StageMode.CRITERIA:
        by = threshold = None
    return _cached(f"judging:ranking:{stage.pk}:{fingerprint}:{by}:{threshold!r}", make)


@dataclass(frozen=True)
class ResultRow:
    """A row of the ranked table: the aggregation's ``row`` with the entry's
    blind ``reference`` and ``title``; ``outcomes``, where the entry advanced
    (``(next stage, outcome label)``), when the page asks."""

    row: object
    reference: str
    title: str
    outcomes: tuple = ()


def blind_titles(round_id, entry_ids):
    """``{entry_id: (reference, title)}`` of judgeable entries, blind (a
    fixed number of queries; none without IDs)."""
    if not entry_ids:
        return {}
    return {
        entry.id: (entry.reference, entry.title)
        for entry in blind_entries(round_id=round_id, entry_ids=entry_ids)
    }


def _blind_rows(stage, rows):
    titles = blind_titles(stage.round_id, [row.entry_id for row in rows])
    return [
        ResultRow(
            row=row,
            reference=titles.get(row.entry_id, ("", ""))[0],
            title=titles.get(row.entry_id, ("", ""))[1],
        )
        for row in rows
    ]


def results_page(
    stage,
    *,
    category_id,
    by=DEFAULT_MEASURE,
    threshold=DEFAULT_THRESHOLD,
    only_disagreements=False,
    page=None,
):
    """One page (PAGE_SIZE rows) of the stage's ranked table for
    ``category_id``, as a Django ``Page`` of ``ResultRow``; ``by`` and
    ``threshold`` as ``aggregate_criteria``'s (ignored in other modes);
    ``only_disagreements``: the rows flagged only. Also returns how many rows
    of the category are flagged."""
    ranking = cached_ranking(
        stage, by=by if by in MEASURES else DEFAULT_MEASURE, threshold=threshold
    )
    rows = ranking.get(category_id, ())
    flagged = sum(1 for row in rows if getattr(row, "disagreement", False))
    if only_disagreements and stage.mode == StageMode.CRITERIA:
        rows = [row for row in rows if row.disagreement]
    current = Paginator(rows, PAGE_SIZE).get_page(page)
    current.object_list = _blind_rows(stage, list(current.object_list))
    return current, flagged


def judge_labels(stage):
    """``{judge_id: "A"}``: each judge's letter by their place on the panel
    (as judges see each other); judges with assignments who left the panel
    get the letters after (one query)."""
    labels = {}
    panel = PanelMember.objects.filter(stage_id=stage.pk).order_by("id")
    for judge_id in panel.values_list("judge_id", flat=True):
        labels[judge_id] = panel_label(len(labels))
    return labels


def _label(labels, judge_id):
    if judge_id not in labels:
        labels[judge_id] = panel_label(len(labels))
    return labels[judge_id]


@dataclass(frozen=True)
class EntryScore:
    label: str
    email: str
    conflicted: bool
    submitted_at: object
    values: tuple
    total: object
    vote: str
    vote_display: str
    rank: int | None
    comment: str

    @property
    def code(self):
        """The letter as a page shows it: a code, not a word."""
        return format_html('<code class="text-reset">{}</code>', self.label)


def scores_of_entries(stage, entry_ids):
    """The submitted scores of ``entry_ids`` in the stage, one per judge, by
    the judge's letter: each criterion's value (in the order of
    ``criteria``), the total, the vote or the place, the comment for the
    panel and the time it was submitted; ``conflicted`` scores do not count.
    Never a private note. Returns ``(criteria, {entry_id: [EntryScore, …]})``,
    each list by letter; four queries however many entries."""
    criteria = list(
        Criterion.objects.filter(stage_id=stage.pk).order_by("position", "id")
    )
    labels = judge_labels(stage)
    assignments = list(
        Assignment.objects.filter(
            stage_id=stage.pk,
            entry_id__in=list(entry_ids),
            score__submitted_at__isnull=False,
        )
        .annotate(is_conflicted=conflicted())
        .order_by("id")
        .values(
            "entry_id",
            "judge_id",
            "judge__email",
            "is_conflicted",
            "score__id",
            "score__submitted_at",
            "score__total",
            "score__vote",
            "score__rank",
            "score__comment",
        )
    )
    values = {}
    for score_id, criterion_id, value in CriterionScore.objects.filter(
        score_id__in=[row["score__id"] for row in assignments]
    ).values_list("score_id", "criterion_id", "value"):
        values[(score_id, criterion_id)] = value
    votes = dict(Vote.choices)
    found = {}
    for row in assignments:
        found.setdefault(row["entry_id"], []).append(
            EntryScore(
                label=_label(labels, row["judge_id"]),
                email=row["judge__email"] or "",
                conflicted=row["is_conflicted"],
                submitted_at=row["score__submitted_at"],
                values=tuple(
                    values.get((row["score__id"], criterion.pk))
                    for criterion in criteria
                ),
                total=row["score__total"],
                vote=row["score__vote"],
                vote_display=votes.get(row["score__vote"], ""),
                rank=row["score__rank"],
                comment=row["score__comment"],
            )
        )
    for scores in found.values():
        scores.sort(key=lambda score: (len(score.label), score.label))
    return criteria, found


def entry_scores(stage, entry_id):
    """``scores_of_entries`` of one entry: ``(criteria, scores)``."""
    criteria, found = scores_of_entries(stage, [entry_id])
    return criteria, found.get(entry_id, [])


@dataclass(frozen=True)
class JudgeResult:
    label: str
    email: str
    summary: object
    bins: tuple

    @property
    def code(self):
        """The letter as a page shows it: a code, not a word."""
        return format_html('<code class="text-reset">{}</code>', self.label)


def distribution_edges(stage):
    """The bins of a stage's score distribution: whole points over the
    criteria's scale in a criteria stage; each vote; each place (one query
    at most)."""
    if stage.mode == StageMode.VOTE:
        return [0, 1, 2, 3]
    if stage.mode == StageMode.RANKING:
        return list(range(1, max(stage.ranking_size or 1, 1) + 2))
    scale = Criterion.objects.filter(stage_id=stage.pk).aggregate(
        low=Min("scale_min"), high=Max("scale_max")
    )
    low = scale["low"] if scale["low"] is not None else 0
    high = scale["high"] if scale["high"] is not None else 10
    return list(range(low, max(high, low + 1) + 1))


def judges_results(stage):
    """The stage's judges, by letter: their summary (``JudgeRow``) and the
    counts of their values in each bin of ``distribution_edges``. Returns
    ``(edges, judges)``."""
    fingerprint = _fingerprint(stage)
    data = cached_counted_scores(stage, fingerprint)
    edges = distribution_edges(stage)
    # In a ranking stage, a place beyond the last bin goes in the last one.
    ranking = stage.mode == StageMode.RANKING
    data_edges = [*edges[:-1], math.inf] if ranking else edges
    distribution = score_distribution(data, edges=data_edges)
    summaries = _cached(
        f"judging:judge-summaries:{stage.pk}:{fingerprint}",
        lambda: judge_summaries(stage, data=data),
    )
    labels = judge_labels(stage)
    emails = dict(
        get_user_model()
        .objects.filter(pk__in=[row.judge_id for row in summaries])
        .values_list("pk", "email")
    )
    judges = [
        JudgeResult(
            label=_label(labels, row.judge_id),
            email=emails.get(row.judge_id, ""),
            summary=row,
            bins=tuple(distribution.get(row.judge_id, ())),
        )
        for row in summaries
    ]
    judges.sort(key=lambda judge: (len(judge.label), judge.label))
    return edges, judges
