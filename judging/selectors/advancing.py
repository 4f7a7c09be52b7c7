"""What the staff page choosing a stage's entries reads: for each of the
stage's categories, the ranking of the stage before (the results pages' own,
``judging.selectors.results.cached_ranking``), which entries are chosen —
those saved, or the top N of each category when staff ask for a pre-fill —
and whether a tie crosses the cut.

The top N take every entry ranked N or better: entries tied at the cut are
all taken, and the page says so, so that staff decide about a tie rather than
the order of a list. A fixed number of queries whatever the size of the
stages.
"""

from dataclasses import dataclass

from judging.enums import StageMode
from judging.models import StageEntry
from judging.selectors.aggregation import MEASURES
from judging.selectors.results import (
    DEFAULT_MEASURE,
    DEFAULT_THRESHOLD,
    blind_titles,
    cached_ranking,
)

DEFAULT_TOP = 10
MOST_TOP = 1000
# Rows shown below the cut, for staff to reach past it.
ROWS_PAST_CUT = 20


@dataclass(frozen=True)
class Candidate:
    """One entry of the stage before, as the page lists it: the ranking's
    ``row``, its blind ``reference`` and ``title``; ``chosen`` when it is in
    the selection shown; ``at_cut`` when it shares the rank at the cut."""

    row: object
    reference: str
    title: str
    chosen: bool
    at_cut: bool


@dataclass(frozen=True)
class Tie:
    """A tie crossing the cut: ``count`` entries share ``rank`` while only
    ``places`` places were left above the cut for them."""

    rank: int
    count: int
    places: int


@dataclass(frozen=True)
class CategoryChoice:
    category: object
    candidates: list
    ranked: int
    chosen: int
    top_chosen: int
    tie: Tie | None
    hidden: int


def top_entries(rows, top):
    """The entry IDs ranked ``top`` or better (ties at the cut included), and
    the ``Tie`` at the cut or None. ``rows`` in ranked order."""
    taken = [row for row in rows if 0 < row.rank <= top]
    tie = None
    if len(taken) > top:
        rank = taken[top - 1].rank
        count = sum(1 for row in taken if row.rank == rank)
        tie = Tie(rank=rank, count=count, places=top - (rank - 1))
    return {row.entry_id for row in taken}, tie


def _shown(rows, chosen, top, show_all):
    """The rows a category lists: all of them when asked; otherwise those
    down to some way past the cut, and every chosen one."""
    if show_all:
        return list(rows)
    last = max(top + ROWS_PAST_CUT, 2 * top)
    return [
        row
        for number, row in enumerate(rows)
        if number < last or row.entry_id in chosen
    ]


def selection(stage, *, by=DEFAULT_MEASURE, top=None, show_all=False):
    """The page's categories (``CategoryChoice``) for ``stage``, a stage that
    follows another. ``top``: pre-fill each category with its top ``top``;
    None shows the saved selection (or the top ``DEFAULT_TOP`` when nothing
    is saved yet). Returns ``(categories, prefilled)``."""
    previous = stage.previous
    if previous.mode != StageMode.CRITERIA or by not in MEASURES:
        by = DEFAULT_MEASURE
    ranking = cached_ranking(previous, by=by, threshold=DEFAULT_THRESHOLD)
    saved = set(
        StageEntry.objects.filter(stage_id=stage.pk).values_list("entry_id", flat=True)
    )
    prefilled = top is not None or not saved
    top = top or DEFAULT_TOP
    categories = list(stage.categories.order_by("position", "id"))
    made = []
    for category in categories:
        rows = ranking.get(category.pk, ())
        best, tie = top_entries(rows, top)
        chosen = best if prefilled else saved
        shown = _shown(rows, chosen, top, show_all)
        made.append((category, rows, best, tie, chosen, shown))
    titles = blind_titles(
        previous.round_id, [row.entry_id for *_rest, shown in made for row in shown]
    )
    result = []
    for category, rows, best, tie, chosen, shown in made:
        in_category = {row.entry_id for row in rows}
        candidates = [
            Candidate(
                row=row,
                reference=titles.get(row.entry_id, ("", ""))[0],
                title=titles.get(row.entry_id, ("", ""))[1],
                chosen=row.entry_id in chosen,
                at_cut=tie is not None and row.rank == tie.rank,
            )
            for row in shown
        ]
        result.append(
            CategoryChoice(
                category=category,
                candidates=candidates,
                ranked=len(rows),
                chosen=len(chosen & in_category),
                top_chosen=len(best),
                tie=tie,
                hidden=len(rows) - len(shown),
            )
        )
    return result, prefilled


def stage_outcomes(stage, entry_ids):
    """``{entry_id: [(next stage, outcome label), …]}``: where the entries of
    ``stage`` advanced (selections closed), for the rows of a page (one
    query)."""
    found = {}
    rows = (
        StageEntry.objects.filter(
            stage__previous_id=stage.pk,
            stage__selection_closed_at__isnull=False,
            entry_id__in=entry_ids,
        )
        .select_related("stage")
        .order_by("stage__position", "stage_id")
    )
    for row in rows:
        found.setdefault(row.entry_id, []).append(
            (row.stage, row.stage.get_outcome_display())
        )
    return found
