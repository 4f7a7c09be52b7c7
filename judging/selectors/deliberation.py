"""What the deliberation page reads: a page of a category's ranked list (the
results pages' ranking, ``judging.selectors.results.cached_ranking``) with,
for each entry, its blind reference, title and thumbnail, the flags a panel
discusses (a tie, a disagreement, fewer judges than the stage's minimum) and
every counted score by judge letter with its comment; and the stage's
decision notes.

Who sees which rows is the caller's (``judging.rules``): staff and the chair
see the whole list (``whole``), other judges the works assigned to them. A
judge's conflicted works are withheld: their row keeps its rank and measures
but shows neither title, picture nor scores. Never a private note, a judge's
name or anything of the artist. A fixed number of queries per page.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator

from judging.models import Assignment, Conflict, DecisionNote, StageEntry
from judging.selectors.results import (
    PAGE_SIZE,
    cached_ranking,
    scores_of_entries,
)
from submissions.blind import blind_entries, copy_urls
from submissions.enums import DerivativeKind


@dataclass(frozen=True)
class DeliberationRow:
    """One entry of the ranked list. ``row`` is the ranking's; ``withheld``
    when the viewer has a conflict with the entry (nothing else shown);
    ``short`` when fewer judges' scores count than the stage's minimum."""

    row: object
    withheld: bool
    reference: str
    title: str
    thumbnail_url: str
    content_warning: bool
    scores: tuple
    short: bool


def _thumbnails(entries):
    urls = copy_urls(entries, kinds={DerivativeKind.THUMB})
    found = {}
    for entry in entries:
        thumb = next(
            (file.thumbnail for file in entry.files if file.thumbnail is not None),
            None,
        )
        found[entry.id] = urls.get(thumb.id, "") if thumb else ""
    return found


def _counted(row):
    for name in ("scores", "saw"):
        if hasattr(row, name):
            return getattr(row, name)
    return row.yes + row.maybe + row.no


def deliberation_page(stage, *, viewer, whole, category_id, by, threshold, page=None):
    """A page (PAGE_SIZE) of the ranked list of ``category_id`` as
    ``viewer`` may see it. Returns ``(page, rows, criteria)``: the Django
    ``Page`` and its ``DeliberationRow`` values, and the stage's criteria
    (the columns of each entry's scores)."""
    rows = cached_ranking(stage, by=by, threshold=threshold).get(category_id, ())
    conflicts = set(
        Conflict.objects.filter(
            judge_id=viewer.pk,
            entry_id__in=StageEntry.objects.filter(stage_id=stage.pk).values(
                "entry_id"
            ),
        ).values_list("entry_id", flat=True)
    )
    if not whole:
        own = set(
            Assignment.objects.filter(stage_id=stage.pk, judge_id=viewer.pk)
            .exclude(entry_id__in=conflicts)
            .values_list("entry_id", flat=True)
        )
        rows = [row for row in rows if row.entry_id in own]
    current = Paginator(rows, PAGE_SIZE).get_page(page)
    shown = [row.entry_id for row in current.object_list]
    visible = [entry_id for entry_id in shown if entry_id not in conflicts]
    entries = (
        {
            entry.id: entry
            for entry in blind_entries(round_id=stage.round_id, entry_ids=visible)
        }
        if visible
        else {}
    )
    thumbnails = _thumbnails(list(entries.values()))
    criteria, scores = scores_of_entries(stage, entries.keys())
    made = []
    for row in current.object_list:
        entry = entries.get(row.entry_id)
        withheld = row.entry_id in conflicts or entry is None
        made.append(
            DeliberationRow(
                row=row,
                withheld=withheld,
                reference="" if withheld else entry.reference,
                title="" if withheld else entry.title,
                thumbnail_url="" if withheld else thumbnails.get(entry.id, ""),
                content_warning=False if withheld else entry.content_warning,
                scores=()
                if withheld
                else tuple(
                    score
                    for score in scores.get(row.entry_id, ())
                    if not score.conflicted
                ),
                short=_counted(row) < stage.min_judges,
            )
        )
    return current, made, criteria


def decision_notes(stage):
    """The stage's decision notes, oldest first (one query)."""
    return list(
        DecisionNote.objects.filter(stage_id=stage.pk)
        .select_related("author")
        .order_by("created_at", "id")
    )
