"""The staff dashboard of a round: its entries, its submissions over time, the
drafts left near the deadline, the files processing could not finish and the
storage its files take. The numbers come from ``submissions.selectors.dashboard``;
this module draws the charts. Apps above submissions add sections of their own
through ``submissions.signals.round_dashboard_sections`` (judging: the progress
of the round's stages)."""

import math
from dataclasses import dataclass
from functools import partial

from django.shortcuts import render
from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext as _

from artsprize.accounts.permissions import lookup, permission_required
from submissions.models import Round
from submissions.selectors.dashboard import (
    FAILURES_SHOWN,
    HONG_KONG,
    HOUR,
    entries_by_category,
    file_problem_counts,
    processing_failures,
    rush_window,
    storage_of_copies,
    storage_of_originals,
    submissions_by_day,
    submissions_by_hour,
)
from submissions.services.refusals import rejection_message
from submissions.signals import round_dashboard_sections

of_round = permission_required(
    "submissions.manage_rounds", obj=lookup(Round.objects.all()), hidden=False
)

# The drawing's own units; the picture shrinks to fit a narrow screen.
CHART_WIDTH = 480
CHART_HEIGHT = 200
PLOT_LEFT = 40
PLOT_RIGHT = CHART_WIDTH - 16
PLOT_TOP = 20
PLOT_BOTTOM = CHART_HEIGHT - 26
# Room one label under the bars needs, so that labels never overlap; labels go
# under every so many bars, the first of these steps that leaves the room.
LABEL_WIDTH = 90
DAY_STEPS = (1, 2, 7, 14, 28)
HOUR_STEPS = (1, 2, 3, 4, 6, 12, 24)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    # What the bar stands for, in full (the table) and under the bar, if at all.
    label: str
    tick: str
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


def bar_chart(points, *, label, tick, steps, place=None):
    """The bars of ``points`` (selectors' ``Point``) scaled to the drawing, each
    named by ``label(point)``. ``tick(point)`` is written under every so many bars,
    the first of ``steps`` that leaves room between the labels: under the bars
    whose ``place(point)`` (by default their number) is a multiple of it."""
    if not points:
        return None
    slot = (PLOT_RIGHT - PLOT_LEFT) / len(points)
    gap = min(slot * 0.2, 4)
    maximum = max(point.count for point in points)
    scale = (PLOT_BOTTOM - PLOT_TOP) / maximum if maximum else 0
    needed = math.ceil(LABEL_WIDTH / slot)
    every = next((step for step in steps if step >= needed), needed)
    bars = []
    for number, point in enumerate(points):
        x = PLOT_LEFT + number * slot
        height = point.count * scale
        position = place(point) if place else number
        bars.append(
            Bar(
                x=round(x + gap / 2, 2),
                y=round(PLOT_BOTTOM - height, 2),
                width=round(slot - gap, 2),
                height=round(height, 2),
                count=point.count,
                label=label(point),
                tick=tick(point) if position % every == 0 else "",
                tick_x=round(x + slot / 2, 2),
            )
        )
    return Chart(bars=bars, maximum=maximum, total=sum(point.count for point in points))


def _day(point):
    return formats.date_format(point.start, "MONTH_DAY_FORMAT")


def _hour(point):
    end = point.start + HOUR
    return _("%(day)s, %(start)s–%(end)s") % {
        "day": _day(point),
        "start": dateformat.format(point.start, "H:i"),
        "end": dateformat.format(end.astimezone(HONG_KONG), "H:i"),
    }


def _short_hour(point):
    if point.start.hour == 0:
        return _day(point)
    return dateformat.format(point.start, "H:i")


def other_sections(request, round_):
    """The sections other apps add to the round's dashboard (HTML fragments), in
    the order their receivers were connected. The page's template asks for them
    where it shows them, so that the page renders first and its sections within
    it."""
    replies = round_dashboard_sections.send(
        sender=Round, round_=round_, request=request
    )
    return [fragment for _receiver, fragment in replies if fragment]


@of_round
def round_dashboard(request, round_):
    now = timezone.now()
    rows, totals = entries_by_category(round_)
    failures = processing_failures(round_)
    for file in failures:
        file.status_message = rejection_message(file.reason)
    originals, originals_total = storage_of_originals(round_)
    copies, copies_total = storage_of_copies(round_)
    return render(
        request,
        "submissions/manage/dashboard.html",
        {
            "round": round_,
            "now": now,
            "rows": rows,
            "totals": totals,
            "window": rush_window(round_),
            "by_day": bar_chart(
                submissions_by_day(round_, now=now),
                label=_day,
                tick=_day,
                steps=DAY_STEPS,
            ),
            "by_hour": bar_chart(
                submissions_by_hour(round_),
                label=_hour,
                tick=_short_hour,
                steps=HOUR_STEPS,
                place=lambda point: point.start.hour,
            ),
            "failures": failures,
            "failures_shown": FAILURES_SHOWN,
            "problem_counts": file_problem_counts(round_),
            "originals": originals,
            "originals_total": originals_total,
            "copies": copies,
            "copies_total": copies_total,
            "other_sections": partial(other_sections, request, round_),
        },
    )
