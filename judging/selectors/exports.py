"""The rows of a stage's staff exports: every submitted score, and the ranking
of each category, with their headings, for ``artsprize.common.exports`` to
write as CSV or XLSX.

The scores are read a chunk of ``CHUNK_SIZE`` at a time from one query through
a server-side cursor (``iterator(chunk_size=...)``); each chunk then reads its
criteria's values (criteria stages) and its entries' reference codes and
categories (``submissions.blind.blind_entries``): a fixed number of queries a
chunk, however large the stage. A judge is named by their letter on the panel,
as judges see each other (``results.judge_labels``), never by name or e-mail;
a private note is never read. A score's z-score is the one aggregation
normalises with (``scoring_math.judge_z_scores`` over the counted scores), so
that a conflicted score, which does not count, has none.

The rankings are the results page's own (``results.cached_ranking``), so that
the export and the page agree; each chunk of rows reads its reference codes and
titles through ``blind_entries``.

A cell is text, a number or None (empty). Times are ISO 8601 in Hong Kong time;
yes and no, votes and headings are in the language of the request, read when
the export is made.
"""

import itertools
import zoneinfo
from decimal import Decimal

import numpy as np
from django.db.models import OuterRef, Subquery
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from judging import scoring_math
from judging.enums import StageMode, Vote
from judging.models import (
    Assignment,
    Criterion,
    CriterionScore,
    PanelMember,
    StageEntry,
)
from judging.selectors.conflicts import conflicted
from judging.selectors.results import (
    _label,
    cached_counted_scores,
    cached_ranking,
    judge_labels,
)
from submissions.blind import blind_entries

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")
# Rows read from the cursor at a time, and written out together.
CHUNK_SIZE = 2000

SCORES = "scores"
RANKINGS = "rankings"
KINDS = (SCORES, RANKINGS)

SCORE_COLUMNS_BEFORE = (
    _("Reference code"),
    _("Category"),
    _("Judge"),
    _("Conflict: does not count"),
)
SCORE_COLUMNS_AFTER = (
    _("Comment for the panel"),
    _("Submitted at (Hong Kong time)"),
)
CRITERIA_SCORE_COLUMNS = (
    _("Total"),
    _("Judge's z-score (normalised)"),
)
VOTE_SCORE_COLUMNS = (_("Vote"),)
RANKING_SCORE_COLUMNS = (_("Place"),)

RANKING_COLUMNS = (
    _("Category"),
    _("Rank"),
    _("Tied"),
    _("Reference code"),
    _("Title"),
)
CRITERIA_MEASURE_COLUMNS = (
    _("Scores"),
    _("Judges who count"),
    _("Coverage (scores / judges who count)"),
    _("Raw mean"),
    _("Spread"),
    _("Disagreement"),
    _("Normalised (mean z-score)"),
    _("Calibrated"),
    _("Uncertainty (standard error)"),
)
RANKING_MEASURE_COLUMNS = (
    _("Borda points"),
    _("Judges who saw it"),
    _("Judges who placed it"),
)
VOTE_MEASURE_COLUMNS = (
    _("Yes"),
    _("Maybe"),
    _("No"),
    _("Judges who count"),
)


def _criteria(stage):
    return list(Criterion.objects.filter(stage_id=stage.pk).order_by("position", "id"))


def _category_names(stage):
    """``{category_id: name}`` in the language of the request (one query)."""
    return {category.pk: category.name for category in stage.categories.all()}


def _number(value):
    """A cell of a number: a float for a decimal, None for none."""
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def _moment(value):
    if value is None:
        return None
    return value.astimezone(HONG_KONG).isoformat(timespec="seconds")


def _chunks(rows, chunk_size):
    while chunk := list(itertools.islice(rows, chunk_size)):
        yield chunk


# Scores -------------------------------------------------------------------------


def score_columns(stage, criteria=None):
    """The headings of the scores export of ``stage``: in a criteria stage
    each criterion's name, the total and the z-score; the vote or the place
    in the other modes."""
    if stage.mode == StageMode.CRITERIA:
        criteria = _criteria(stage) if criteria is None else criteria
        middle = (
            *(criterion.name for criterion in criteria),
            *CRITERIA_SCORE_COLUMNS,
        )
    elif stage.mode == StageMode.VOTE:
        middle = VOTE_SCORE_COLUMNS
    else:
        middle = RANKING_SCORE_COLUMNS
    labels = (*SCORE_COLUMNS_BEFORE, *middle, *SCORE_COLUMNS_AFTER)
    return tuple(str(label) for label in labels)


def submitted_scores(stage):
    """The stage's submitted scores, conflicted or not, one row of values a
    score: by entry, then by the judge's place on the panel (judges who left
    it after, by ID). The private note is not among them."""
    panel_place = PanelMember.objects.filter(
        stage_id=stage.pk, judge_id=OuterRef("judge_id")
    ).values("id")[:1]
    category = StageEntry.objects.filter(
        stage_id=stage.pk, entry_id=OuterRef("entry_id")
    ).values("category_id")[:1]
    return (
        Assignment.objects.filter(stage_id=stage.pk, score__submitted_at__isnull=False)
        .annotate(
            is_conflicted=conflicted(),
            panel_place=Subquery(panel_place),
            category_id=Subquery(category),
        )
        .order_by("entry_id", "panel_place", "judge_id")
        .values(
            "entry_id",
            "judge_id",
            "category_id",
            "is_conflicted",
            "score__id",
            "score__total",
            "score__vote",
            "score__rank",
            "score__comment",
            "score__submitted_at",
        )
    )


def count_scores(stage):
    """How many submitted scores the stage has now."""
    return Assignment.objects.filter(
        stage_id=stage.pk, score__submitted_at__isnull=False
    ).count()


class ZScores:
    """Each counted score's z-score over its judge's counted scores, as
    aggregation normalises them, found by (entry, judge) a chunk at a time
    in arrays sorted once (no dictionary of a million pairs)."""

    def __init__(self, data):
        self.entry_ids = data.entry_ids
        self.judge_ids = data.judge_ids
        judges = len(data.judge_ids)
        z = scoring_math.judge_z_scores(data.judge, data.value, judges)
        keys = data.entry.astype(np.int64) * max(judges, 1) + data.judge
        order = np.argsort(keys, kind="stable")
        self.keys, self.z = keys[order], z[order]

    @staticmethod
    def _positions(known, wanted):
        """Where each of ``wanted`` is in ``known`` (ascending), -1 if absent."""
        wanted = np.asarray(wanted, dtype=np.int64)
        at = np.searchsorted(known, wanted)
        found = at < len(known)
        found[found] = known[at[found]] == wanted[found]
        return np.where(found, at, -1)

    def of(self, entry_ids, judge_ids):
        """The z-scores of the scores of ``(entry_ids[i], judge_ids[i])``:
        None for a score that does not count."""
        if not len(entry_ids):
            return []
        entries = self._positions(self.entry_ids, entry_ids)
        judges = self._positions(self.judge_ids, judge_ids)
        keys = entries * max(len(self.judge_ids), 1) + judges
        at = self._positions(self.keys, keys)
        at[(entries < 0) | (judges < 0)] = -1
        return [None if where < 0 else float(self.z[where]) for where in at.tolist()]


def _criterion_values(chunk):
    """``{(score_id, criterion_id): value}`` of the scores of ``chunk``."""
    return {
        (score_id, criterion_id): value
        for score_id, criterion_id, value in CriterionScore.objects.filter(
            score_id__in=[row["score__id"] for row in chunk]
        ).values_list("score_id", "criterion_id", "value")
    }


def _references(stage, entry_ids):
    """``{entry_id: BlindEntry}`` of the judgeable entries among ``entry_ids``."""
    entry_ids = sorted(set(entry_ids))
    if not entry_ids:
        return {}
    return {
        entry.id: entry
        for entry in blind_entries(round_id=stage.round_id, entry_ids=entry_ids)
    }


def score_chunks(stage, *, chunk_size=None):
    """The rows of the scores export of ``stage``, a list of tuples a chunk,
    in the order of ``score_columns(stage)``. What the rows are labelled with
    (the judges' letters, yes and no, the votes, the categories) is read now,
    in the language of the request; the scores as the chunks are taken."""
    chunk_size = chunk_size or CHUNK_SIZE
    criteria = _criteria(stage) if stage.mode == StageMode.CRITERIA else []
    categories = _category_names(stage)
    labels = judge_labels(stage)
    data = cached_counted_scores(stage)
    # Judges who left the panel get the letters after, in the order of their
    # IDs, as on the judges' page of the results.
    for judge_id in data.judge_ids.tolist():
        _label(labels, judge_id)
    z_scores = ZScores(data) if stage.mode == StageMode.CRITERIA else None
    language = get_language()
    yes, no = gettext("yes"), gettext("no")
    votes = {value: str(label) for value, label in Vote.choices}

    def middle(row, values, z):
        if stage.mode == StageMode.CRITERIA:
            return (
                *(
                    _number(values.get((row["score__id"], criterion.pk)))
                    for criterion in criteria
                ),
                _number(row["score__total"]),
                z,
            )
        if stage.mode == StageMode.VOTE:
            return (votes.get(row["score__vote"], row["score__vote"]),)
        return (row["score__rank"],)

    def rows_of(chunk):
        values = _criterion_values(chunk) if criteria else {}
        blind = _references(stage, [row["entry_id"] for row in chunk])
        zs = (
            z_scores.of(
                [row["entry_id"] for row in chunk],
                [row["judge_id"] for row in chunk],
            )
            if z_scores is not None
            else [None] * len(chunk)
        )
        return [
            (
                blind[row["entry_id"]].reference if row["entry_id"] in blind else "",
                categories.get(row["category_id"], ""),
                _label(labels, row["judge_id"]),
                yes if row["is_conflicted"] else no,
                *middle(row, values, z),
                row["score__comment"],
                _moment(row["score__submitted_at"]),
            )
            for row, z in zip(chunk, zs, strict=True)
        ]

    def chunks():
        rows = submitted_scores(stage).iterator(chunk_size=chunk_size)
        for chunk in _chunks(rows, chunk_size):
            # The file is written after the view has returned.
            with override(language):
                written = rows_of(chunk)
            yield written

    return chunks()


# Rankings -----------------------------------------------------------------------


def ranking_columns(stage):
    """The headings of the rankings export of ``stage``: the entry's place,
    then every measure of the stage's mode."""
    measures = {
        StageMode.CRITERIA: CRITERIA_MEASURE_COLUMNS,
        StageMode.RANKING: RANKING_MEASURE_COLUMNS,
        StageMode.VOTE: VOTE_MEASURE_COLUMNS,
    }[stage.mode]
    return tuple(str(label) for label in (*RANKING_COLUMNS, *measures))


def _measures(mode, row, yes, no):
    if mode == StageMode.CRITERIA:
        return (
            row.scores,
            row.assigned,
            row.coverage,
            row.mean,
            row.spread,
            yes if row.disagreement else no,
            row.normalised,
            row.calibrated,
            row.uncertainty,
        )
    if mode == StageMode.RANKING:
        return (row.points, row.saw, row.ranked)
    return (row.yes, row.maybe, row.no, row.assigned)


def ranking_rows(stage, *, by, threshold):
    """The stage's ranking as the results page reads it: ``(category name,
    row)`` for each category of the stage (in the order of its tabs) and each
    of its rows, ranked by ``by`` with the disagreements above ``threshold``
    flagged (criteria stages). Read now; an iterator over the rows."""
    ranking = cached_ranking(stage, by=by, threshold=threshold)
    categories = [
        (category.pk, category.name)
        for category in stage.categories.order_by("position", "id")
    ]
    return (
        (name, row)
        for category_id, name in categories
        for row in ranking.get(category_id, ())
    )


def ranking_chunks(stage, *, by, threshold, chunk_size=None):
    """The rows of the rankings export of ``stage``, a list of tuples a chunk,
    in the order of ``ranking_columns(stage)``: each category's entries in
    ranked order, an entry without a counted score without a rank."""
    chunk_size = chunk_size or CHUNK_SIZE
    yes, no = gettext("yes"), gettext("no")
    language = get_language()
    rows = ranking_rows(stage, by=by, threshold=threshold)

    def rows_of(chunk):
        blind = _references(stage, [row.entry_id for _name, row in chunk])
        result = []
        for name, row in chunk:
            entry = blind.get(row.entry_id)
            result.append(
                (
                    name,
                    row.rank or None,
                    yes if row.tied else no,
                    entry.reference if entry else "",
                    entry.title if entry else "",
                    *_measures(stage.mode, row, yes, no),
                )
            )
        return result

    def chunks():
        for chunk in _chunks(rows, chunk_size):
            # The file is written after the view has returned.
            with override(language):
                written = rows_of(chunk)
            yield written

    return chunks()


def count_ranked(stage):
    """How many rows the rankings export of ``stage`` has now."""
    return StageEntry.objects.filter(
        stage_id=stage.pk, category_id__in=stage.categories.values("pk")
    ).count()
