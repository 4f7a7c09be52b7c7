"""Staff pages of a stage's results: the ranked table of each category with
every measure and its filters, one entry's scores by judge, and the judges'
progress and score distributions (charts drawn on the server, with their
numbers in tables). They read through ``judging.selectors.results`` and change
nothing."""

from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from artsprize.accounts.permissions import lookup, permission_required
from judging.enums import StageMode, Vote
from judging.models import Stage, StageEntry
from judging.selectors.advancing import stage_outcomes
from judging.selectors.aggregation import VOTE_CODES
from judging.selectors.results import (
    DEFAULT_MEASURE,
    DEFAULT_THRESHOLD,
    PAGE_SIZE,
    entry_scores,
    judges_results,
    results_page,
)
from submissions.blind import blind_entries

of_stage = permission_required(
    "judging.manage_judging",
    obj=lookup(Stage.objects.select_related("round")),
    hidden=False,
)

MEASURE_LABELS = {
    "calibrated": gettext_lazy("Calibrated"),
    "normalised": gettext_lazy("Normalised (mean z-score)"),
    "raw": gettext_lazy("Raw mean"),
}
# The largest disagreement threshold a person may type.
MAX_THRESHOLD = 1000.0


def _threshold(value):
    """The threshold typed, or the default and an error for anything else."""
    if value in (None, ""):
        return DEFAULT_THRESHOLD, False
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return DEFAULT_THRESHOLD, True
    if not 0 <= number <= MAX_THRESHOLD:
        return DEFAULT_THRESHOLD, True
    return number, False


def _page_number(value):
    return value if value and value.isdigit() else None


def _categories(stage):
    return list(stage.categories.order_by("position", "id"))


@of_stage
def stage_results(request, stage):
    categories = _categories(stage)
    chosen = request.GET.get("category", "")
    category = next(
        (item for item in categories if str(item.pk) == chosen),
        categories[0] if categories else None,
    )
    by = request.GET.get("by")
    if by not in MEASURE_LABELS:
        by = DEFAULT_MEASURE
    threshold, bad_threshold = _threshold(request.GET.get("above"))
    only = request.GET.get("only") == "disagreements"
    page = flagged = None
    if category is not None:
        page, flagged = results_page(
            stage,
            category_id=category.pk,
            by=by,
            threshold=threshold,
            only_disagreements=only,
            page=_page_number(request.GET.get("page")),
        )
    next_stages = list(stage.next_stages.order_by("position", "id"))
    outcomes = {}
    if page is not None and next_stages:
        outcomes = stage_outcomes(
            stage, [item.row.entry_id for item in page.object_list]
        )
    kept = {"category": category.pk if category else "", "by": by}
    kept["above"] = request.GET.get("above", "") if bad_threshold else threshold
    if only:
        kept["only"] = "disagreements"
    query = urlencode(kept)
    return render(
        request,
        "judging/manage/results.html",
        {
            "stage": stage,
            "round": stage.round,
            "section": "results",
            "categories": categories,
            "category": category,
            "by": by,
            "measures": list(MEASURE_LABELS.items()),
            "measure_label": MEASURE_LABELS[by],
            "threshold": threshold,
            "typed_threshold": request.GET.get("above", ""),
            "bad_threshold": bad_threshold,
            "only": only,
            "page": page,
            "rows": [
                replace(item, outcomes=tuple(outcomes.get(item.row.entry_id, ())))
                for item in (page.object_list if page else [])
            ],
            "next_stages": next_stages,
            "flagged": flagged,
            "query": query,
            # An entry's scores are at results/<entry_id>/: one reverse() for
            # the page rather than one per row.
            "results_url": reverse("manage:stage_results", args=[stage.pk]),
            "back": quote(query, safe=""),
            "page_size": PAGE_SIZE,
            "is_criteria": stage.mode == StageMode.CRITERIA,
            "is_vote": stage.mode == StageMode.VOTE,
            "is_ranking": stage.mode == StageMode.RANKING,
        },
    )


@of_stage
def stage_result_entry(request, stage, entry_id):
    if not StageEntry.objects.filter(stage_id=stage.pk, entry_id=entry_id).exists():
        raise Http404
    found = blind_entries(round_id=stage.round_id, entry_ids=[entry_id])
    entry = found[0] if found else None
    show_names = request.GET.get("names") == "1"
    criteria, scores = entry_scores(stage, entry_id)
    return render(
        request,
        "judging/manage/result_entry.html",
        {
            "stage": stage,
            "round": stage.round,
            "section": "results",
            "entry": entry,
            "entry_id": entry_id,
            "criteria": criteria,
            "scores": scores,
            "show_names": show_names,
            "back": request.GET.get("back", ""),
            "is_criteria": stage.mode == StageMode.CRITERIA,
            "is_vote": stage.mode == StageMode.VOTE,
            "is_ranking": stage.mode == StageMode.RANKING,
        },
    )


# The drawing's own units of a judge's chart; it shrinks on a narrow screen.
CHART_WIDTH = 320
CHART_HEIGHT = 120
PLOT_LEFT = 28
PLOT_RIGHT = CHART_WIDTH - 8
PLOT_TOP = 12
PLOT_BOTTOM = CHART_HEIGHT - 22


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str
    tick_x: float


@dataclass(frozen=True)
class Chart:
    bars: list
    maximum: int
    total: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = PLOT_LEFT
    right: int = PLOT_RIGHT
    top: int = PLOT_TOP
    bottom: int = PLOT_BOTTOM


def bin_labels(stage, edges):
    """What each bin of a judge's chart stands for."""
    if stage.mode == StageMode.VOTE:
        return [str(Vote(code).label) for code in VOTE_CODES]
    if stage.mode == StageMode.RANKING:
        return [str(place) for place in edges[:-1]]
    return [str(low) for low in edges[:-1]]


def judge_chart(counts, labels):
    """Bars of ``counts`` (one per bin) scaled to the drawing."""
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(counts), 1)
    gap = min(slot * 0.2, 4)
    maximum = max(counts, default=0)
    scale = (PLOT_BOTTOM - PLOT_TOP) / maximum if maximum else 0
    bars = []
    for number, (count, label) in enumerate(zip(counts, labels, strict=True)):
        x = PLOT_LEFT + number * slot
        height = count * scale
        bars.append(
            Bar(
                x=round(x + gap / 2, 2),
                y=round(PLOT_BOTTOM - height, 2),
                width=round(slot - gap, 2),
                height=round(height, 2),
                count=count,
                label=label,
                tick_x=round(x + slot / 2, 2),
            )
        )
    return Chart(bars=bars, maximum=maximum, total=sum(counts))


@of_stage
def stage_result_judges(request, stage):
    edges, judges = judges_results(stage)
    labels = bin_labels(stage, edges)
    show_names = request.GET.get("names") == "1"
    rows = [
        {
            "judge": judge,
            "chart": judge_chart(list(judge.bins) or [0] * len(labels), labels),
        }
        for judge in judges
    ]
    return render(
        request,
        "judging/manage/result_judges.html",
        {
            "stage": stage,
            "round": stage.round,
            "section": "results",
            "rows": rows,
            "bin_labels": labels,
            "show_names": show_names,
            "is_criteria": stage.mode == StageMode.CRITERIA,
            "is_vote": stage.mode == StageMode.VOTE,
            "is_ranking": stage.mode == StageMode.RANKING,
        },
    )
