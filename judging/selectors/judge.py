"""What a judge's pages read: their stages with their progress, their queue of
a stage in their own order, one entry (blind) with its score, its neighbours in
that order, and the panel's scores when the stage's rule shows them.

Entries are read only through ``submissions.blind``. Conflicted assignments are
left out everywhere. Each function costs a fixed number of queries, however
many entries a judge has.
"""

import string
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, Value

from judging.enums import StageState
from judging.models import (
    Assignment,
    Criterion,
    CriterionScore,
    PanelMember,
    Score,
    Stage,
)
from judging.selectors.conflicts import conflicted
from submissions.blind import blind_entries, blind_entry, copy_urls
from submissions.enums import DerivativeKind

PAGE_SIZE = 50
# The stages a judge's dashboard lists: set-up ones as "not open yet".
DASHBOARD_STATES = (StageState.SETUP, StageState.OPEN, StageState.CLOSED)
FILTERS = ("all", "unscored", "scored")


@dataclass(frozen=True, slots=True)
class StageProgress:
    stage: Stage
    assigned: int
    scored: int
    drafts: int

    @property
    def left(self):
        return self.assigned - self.scored

    @property
    def is_open(self):
        return self.stage.state == StageState.OPEN

    @property
    def is_reachable(self):
        return self.stage.state in (StageState.OPEN, StageState.CLOSED)


def assignments_for_rules():
    """Assignments as the judge's pages look them up: with their stage, and
    with what ``judging.rules`` asks of them annotated (the judge sits on the
    panel; the judge has a conflict with the entry), so that checking the
    permission reads no more rows."""
    return Assignment.objects.select_related("stage").annotate(
        judge_on_panel=Exists(
            PanelMember.objects.filter(
                stage_id=OuterRef("stage_id"), judge_id=OuterRef("judge_id")
            )
        ),
        judge_conflicted=conflicted(),
    )


def own_assignments(judge_id, stage_id):
    """The judge's assignments of a stage that are not conflicted, in their
    own order."""
    return (
        Assignment.objects.filter(stage_id=stage_id, judge_id=judge_id)
        .exclude(conflicted())
        .order_by("position", "id")
    )


def judge_dashboard(judge):
    """The judge's stages (set up, open, closed), newest round first, with what
    they scored (submitted), drafted and have left, each carrying what the
    rules ask of the judge on it (``viewer_on_panel``, ``viewer_is_chair``).
    Two queries."""
    stages = list(
        Stage.objects.filter(panel__judge_id=judge.pk, state__in=DASHBOARD_STATES)
        .select_related("round")
        # What ``judging.rules`` asks of the judge on each stage, read here.
        .annotate(
            viewer_id=Value(judge.pk),
            viewer_on_panel=Value(True),
            viewer_is_chair=Exists(
                PanelMember.objects.filter(
                    stage_id=OuterRef("pk"), judge_id=judge.pk, is_chair=True
                )
            ),
        )
        .order_by("-round_id", "position", "id")
        .only(
            "id",
            "round__id",
            "round__year",
            "round__title_en",
            "round__title_zh_hant",
            "position",
            "name_en",
            "name_zh_hant",
            "state",
            "mode",
            "visibility",
            "opens_at",
            "closes_at",
        )
    )
    if not stages:
        return []
    counts = {
        row["stage_id"]: row
        for row in Assignment.objects.filter(
            judge_id=judge.pk, stage_id__in=[stage.pk for stage in stages]
        )
        .exclude(conflicted())
        .order_by()
        .values("stage_id")
        .annotate(
            assigned=Count("id"),
            scored=Count("id", filter=Q(score__submitted_at__isnull=False)),
            drafts=Count(
                "id",
                filter=Q(score__isnull=False, score__submitted_at__isnull=True),
            ),
        )
    }
    empty = {"assigned": 0, "scored": 0, "drafts": 0}
    return [
        StageProgress(
            stage=stage,
            assigned=counts.get(stage.pk, empty)["assigned"],
            scored=counts.get(stage.pk, empty)["scored"],
            drafts=counts.get(stage.pk, empty)["drafts"],
        )
        for stage in stages
    ]


@dataclass(frozen=True, slots=True)
class QueueRow:
    assignment_id: int
    position: int
    entry: object  # BlindEntry
    thumbnail_url: str
    content_warning: bool
    state: str  # "unscored", "draft" or "submitted"


def judge_queue(judge, stage, *, which="all", page=1):
    """A page (PAGE_SIZE rows) of the judge's queue of ``stage`` in their own
    order: every assignment, those still to score (no submitted score), or those
    scored. Returns ``(page, rows)``. Seven queries at most."""
    assignments = own_assignments(judge.pk, stage.pk)
    if which == "unscored":
        assignments = assignments.filter(
            Q(score__isnull=True) | Q(score__submitted_at__isnull=True)
        )
    elif which == "scored":
        assignments = assignments.filter(score__submitted_at__isnull=False)
    assignments = assignments.values(
        "id", "entry_id", "position", "score__saved_at", "score__submitted_at"
    )
    paged = Paginator(assignments, PAGE_SIZE).get_page(page)
    items = list(paged.object_list)
    entries = {
        entry.id: entry
        for entry in (
            blind_entries(
                round_id=stage.round_id,
                entry_ids=[item["entry_id"] for item in items],
            )
            if items
            else []
        )
    }
    urls = copy_urls(entries.values(), kinds={DerivativeKind.THUMB})
    rows = []
    for item in items:
        entry = entries.get(item["entry_id"])
        if entry is None:  # No longer judgeable (withdrawn): nothing to score.
            continue
        thumb = next(
            (file.thumbnail for file in entry.files if file.thumbnail is not None),
            None,
        )
        if item["score__submitted_at"] is not None:
            state = "submitted"
        elif item["score__saved_at"] is not None:
            state = "draft"
        else:
            state = "unscored"
        rows.append(
            QueueRow(
                assignment_id=item["id"],
                position=item["position"],
                entry=entry,
                thumbnail_url=urls.get(thumb.id, "") if thumb else "",
                content_warning=entry.content_warning,
                state=state,
            )
        )
    return paged, rows


@dataclass(frozen=True, slots=True)
class Neighbours:
    previous: int | None
    following: int | None
    number: int
    count: int


def stage_criteria(stage_id):
    """The criteria of a stage, in their order. One query."""
    return list(Criterion.objects.filter(stage_id=stage_id).order_by("position", "id"))


def following(assignment):
    """The judge's next assignment after ``assignment`` in their own order
    (conflicted ones skipped), or None. One query."""
    after = Q(position__gt=assignment.position) | Q(
        position=assignment.position, id__gt=assignment.pk
    )
    ids = own_assignments(assignment.judge_id, assignment.stage_id).filter(after)
    return next(iter(ids.values_list("id", flat=True)[:1]), None)


def neighbours(assignment):
    """The judge's assignments before and after ``assignment`` in their own
    order (conflicted ones skipped), and its place among them. Three queries."""
    own = own_assignments(assignment.judge_id, assignment.stage_id)
    before = Q(position__lt=assignment.position) | Q(
        position=assignment.position, id__lt=assignment.pk
    )
    after = Q(position__gt=assignment.position) | Q(
        position=assignment.position, id__gt=assignment.pk
    )
    counts = own.aggregate(count=Count("id"), before=Count("id", filter=before))
    previous = (
        own.filter(before).order_by("-position", "-id").values_list("id", flat=True)
    )
    following = own.filter(after).values_list("id", flat=True)
    return Neighbours(
        previous=next(iter(previous[:1]), None),
        following=next(iter(following[:1]), None),
        number=counts["before"] + 1,
        count=counts["count"],
    )


@dataclass(frozen=True, slots=True)
class EntryPage:
    entry: object  # BlindEntry
    urls: dict
    score: Score | None
    values: dict  # criterion id: value
    criteria: list


def judge_entry(assignment):
    """The entry of ``assignment`` (blind), the URLs of its copies, the judge's
    score of it and the stage's criteria. Seven queries at most; NotJudgeable
    when the entry may no longer be judged."""
    entry = blind_entry(assignment.entry_id)
    urls = copy_urls([entry])
    score = next(iter(Score.objects.filter(assignment_id=assignment.pk)), None)
    values = {}
    if score is not None:
        values = dict(
            CriterionScore.objects.filter(score_id=score.pk).values_list(
                "criterion_id", "value"
            )
        )
    criteria = stage_criteria(assignment.stage_id)
    return EntryPage(
        entry=entry, urls=urls, score=score, values=values, criteria=criteria
    )


@dataclass(frozen=True, slots=True)
class PanelScore:
    label: str
    score: Score
    values: dict  # criterion id: value


def panel_label(number):
    """Judge A, B, … Z, then AA, AB…: a panel member's pseudonym by their place."""
    letters = string.ascii_uppercase
    label = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        label = letters[rest] + label
    return label


def panel_scores(assignment):
    """The other judges' submitted scores of the entry of ``assignment`` in its
    stage, each under the judge's letter (their place on the panel, the same on
    every entry of the stage), without their private notes. Conflicted judges'
    scores do not count. Three queries."""
    letters = {
        judge_id: panel_label(number)
        for number, judge_id in enumerate(
            PanelMember.objects.filter(stage_id=assignment.stage_id)
            .order_by("id")
            .values_list("judge_id", flat=True)
        )
    }
    scores = list(
        Score.objects.filter(
            assignment__stage_id=assignment.stage_id,
            assignment__entry_id=assignment.entry_id,
            submitted_at__isnull=False,
        )
        .exclude(assignment__judge_id=assignment.judge_id)
        .exclude(conflicted("assignment__"))
        .defer("private_note")
        .annotate(judge_id=F("assignment__judge_id"))
    )
    values = {}
    for score_id, criterion_id, value in CriterionScore.objects.filter(
        score_id__in=[score.pk for score in scores]
    ).values_list("score_id", "criterion_id", "value"):
        values.setdefault(score_id, {})[criterion_id] = value
    found = [
        PanelScore(
            label=letters.get(score.judge_id, "?"),
            score=score,
            values=values.get(score.pk, {}),
        )
        for score in scores
    ]
    return sorted(found, key=lambda item: (len(item.label), item.label))
