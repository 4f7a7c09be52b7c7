"""What the awards of a round read: each category's final stage and the
entries it may award, the round's award types with their awards, and the
ranking of the final stages that staff choose from.

**The final stage of a category** is the last stage of the round, by
position, that judges the category and from which no stage judging that
category takes entries (``Stage.previous``). With one line of stages (first
round, shortlist, final) it is the last stage for every category; a Youth
category judged in a stage of its own has that stage. Its entries in that
category (``StageEntry``) may receive an award once it is finalised: before
then its scores, or the entries it passes on, may still change.

Every function costs a fixed number of queries whatever the number of
entries; entries are read through ``submissions.blind`` only.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from judging.enums import StageState
from judging.models import Award, AwardType, Stage, StageEntry
from judging.selectors.results import (
    DEFAULT_MEASURE,
    DEFAULT_THRESHOLD,
    blind_titles,
    cached_ranking,
)

# Rows of each category's ranking the page lists (with every awarded entry
# besides); staff reach the rest on the stage's results page.
RANKING_ROWS = 50


def category_final_stages(round_id):
    """``{category_id: stage}``: each category's final stage (above), in
    whatever state it is; two queries."""
    stages = list(
        Stage.objects.filter(round_id=round_id)
        .prefetch_related("categories")
        .order_by("position", "id")
    )
    judged = {stage.pk: {c.pk for c in stage.categories.all()} for stage in stages}
    finals = {}
    for stage in stages:
        for category_id in judged[stage.pk]:
            followed = any(
                other.previous_id == stage.pk and category_id in judged[other.pk]
                for other in stages
            )
            if not followed:
                # Stages come by position: a later one replaces an earlier one.
                finals[category_id] = stage
    return finals


def finalised_final_stages(round_id):
    """``category_final_stages`` kept to the finalised stages: the categories
    whose entries may receive awards now."""
    return {
        category_id: stage
        for category_id, stage in category_final_stages(round_id).items()
        if stage.state == StageState.FINALISED
    }


def awardable_entries(round_id, *, category_id=None, entry_ids=None):
    """``{entry_id: category_id}``: the entries of the finalised final stages,
    of one category or of all, and of ``entry_ids`` only when given (three
    queries)."""
    finals = finalised_final_stages(round_id)
    if category_id is not None:
        finals = {k: v for k, v in finals.items() if k == category_id}
    if not finals:
        return {}
    rows = StageEntry.objects.filter(
        stage_id__in={stage.pk for stage in finals.values()},
        category_id__in=list(finals),
    )
    if entry_ids is not None:
        rows = rows.filter(entry_id__in=list(entry_ids))
    found = {}
    for stage_id, category, entry_id in rows.values_list(
        "stage_id", "category_id", "entry_id"
    ):
        if finals[category].pk == stage_id:
            found[entry_id] = category
    return found


@dataclass(frozen=True)
class Candidate:
    """A row of a final stage's ranking: the aggregation's ``row`` with the
    entry's blind ``reference`` and ``title``."""

    row: object
    reference: str
    title: str


@dataclass(frozen=True)
class CategoryRanking:
    category: object
    stage: object
    finalised: bool
    candidates: list
    hidden: int


@dataclass(frozen=True)
class AwardRow:
    award: object
    reference: str
    title: str


@dataclass(frozen=True)
class AwardTypeRow:
    award_type: object
    awards: list
    missing: list


def round_categories(round_):
    return list(round_.categories.order_by("position", "id"))


def award_type_problems(award_type, awards):
    """What ``award_type`` (with its ``awards``) still lacks for the round to
    be decided, each naming it, in the reader's language."""
    name = {"name": award_type.name or _("(unnamed award)")}
    problems = []
    if not award_type.name_en.strip() or not award_type.name_zh_hant.strip():
        problems.append(_("“%(name)s” needs a name in both languages.") % name)
    if not awards:
        problems.append(_("“%(name)s” is given to no entry yet.") % name)
    if len(awards) > award_type.places:
        problems.append(
            ngettext(
                "“%(name)s” may go to %(places)s entry but is given to %(count)s.",
                "“%(name)s” may go to %(places)s entries but is given to %(count)s.",
                award_type.places,
            )
            % {**name, "places": award_type.places, "count": len(awards)}
        )
    lacking = sum(
        1
        for award in awards
        if not award.citation_en.strip() or not award.citation_zh_hant.strip()
    )
    if lacking:
        problems.append(
            ngettext(
                "“%(name)s”: %(count)s award needs a citation in both languages.",
                "“%(name)s”: %(count)s awards need a citation in both languages.",
                lacking,
            )
            % {**name, "count": lacking}
        )
    return problems


def awards_page(round_):
    """The awards page of ``round_``: its award types (``AwardTypeRow``, in
    order, each with its awards and what it lacks) and, per category, the
    ranking of its final stage (``CategoryRanking``; the top ``RANKING_ROWS``
    and every awarded entry). A fixed number of queries, whatever the number
    of entries, award types and awards."""
    types = list(
        AwardType.objects.filter(round_id=round_.pk)
        .select_related("category")
        .order_by("position", "id")
    )
    awards = list(
        Award.objects.filter(award_type__round_id=round_.pk).order_by(
            "created_at", "id"
        )
    )
    awarded = {award.entry_id for award in awards}
    categories = round_categories(round_)
    finals = category_final_stages(round_.pk)
    shown = []
    rankings_of = {}
    for category in categories:
        stage = finals.get(category.pk)
        if stage is None:
            shown.append((category, None, [], 0))
            continue
        if stage.pk not in rankings_of:
            rankings_of[stage.pk] = cached_ranking(
                stage, by=DEFAULT_MEASURE, threshold=DEFAULT_THRESHOLD
            )
        ranking = rankings_of[stage.pk]
        rows = list(ranking.get(category.pk, ()))
        listed = [
            row
            for number, row in enumerate(rows)
            if number < RANKING_ROWS or row.entry_id in awarded
        ]
        shown.append((category, stage, listed, len(rows) - len(listed)))
    titles = blind_titles(
        round_.pk,
        sorted(
            awarded
            | {row.entry_id for *_rest, listed, _hidden in shown for row in listed}
        ),
    )
    by_type = {}
    for award in awards:
        reference, title = titles.get(award.entry_id, ("", ""))
        by_type.setdefault(award.award_type_id, []).append(
            AwardRow(award=award, reference=reference, title=title)
        )
    type_rows = [
        AwardTypeRow(
            award_type=award_type,
            awards=by_type.get(award_type.pk, []),
            missing=award_type_problems(
                award_type, [row.award for row in by_type.get(award_type.pk, [])]
            ),
        )
        for award_type in types
    ]
    rankings = [
        CategoryRanking(
            category=category,
            stage=stage,
            finalised=stage is not None and stage.state == StageState.FINALISED,
            candidates=[
                Candidate(
                    row=row,
                    reference=titles.get(row.entry_id, ("", ""))[0],
                    title=titles.get(row.entry_id, ("", ""))[1],
                )
                for row in listed
            ],
            hidden=hidden,
        )
        for category, stage, listed, hidden in shown
    ]
    return type_rows, rankings
