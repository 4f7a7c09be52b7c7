"""What a round's publication shows: its awards with their works and
citations, per category and the special awards, the shortlisted works, each
work as the public may see it (``submissions.public``: the chosen credit, the
consents honoured), and what keeps it from being published.

The same reading serves the staff's review (``preview=True``: images through
short-lived URLs of the copies they will be made from), the results post, the
public gallery and the results' mails, so that staff review exactly what the
public gets.

- A work whose artist agreed to the website is shown with its images.
- A work whose artist did not agree keeps its place: its award is listed
  without the work (no title, name or image), and it is left out of the
  gallery.
- A work whose artist took the agreement back is not listed at all.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from artsprize.common.i18n import localized
from judging.models import AwardType, Stage, StageEntry
from judging.selectors.awards import finalised_final_stages
from submissions.enums import ResultOutcome
from submissions.public import public_works

ROUND = Stage._meta.get_field("round").related_model


@dataclass(frozen=True)
class Awarded:
    """An award given to a work, with its citation."""

    award_type: object
    citation_en: str
    citation_zh_hant: str

    @property
    def name(self):
        return self.award_type.name

    @property
    def citation(self):
        return localized(self, "citation")


@dataclass(frozen=True)
class Place:
    """A work in the results: ``work`` (``PublicWork``) and its awards."""

    work: object
    awards: tuple = ()


@dataclass(frozen=True)
class AwardGroup:
    award_type: object
    places: tuple

    @property
    def name(self):
        return self.award_type.name

    @property
    def prize(self):
        return localized(self.award_type, "prize")


@dataclass
class CategoryResults:
    category: object
    awards: list = field(default_factory=list)
    shortlisted: list = field(default_factory=list)
    # Shortlisted works not shown: their artists did not agree to the website.
    not_shown: int = 0

    @property
    def name(self):
        return self.category.name


@dataclass
class Outline:
    round: object
    categories: list
    special: list
    places: dict

    def gallery(self):
        """The works the gallery shows, in the outline's order: those that
        may be shown, each once."""
        seen, shown = set(), []
        for category in self.categories:
            groups = [*category.awards, AwardGroup(None, tuple(category.shortlisted))]
            for group in groups:
                for place in group.places:
                    if place.work.shown and place.work.id not in seen:
                        seen.add(place.work.id)
                        shown.append(place)
        for group in self.special:
            for place in group.places:
                if place.work.shown and place.work.id not in seen:
                    seen.add(place.work.id)
                    shown.append(place)
        return shown

    def outcomes(self):
        """``{entry_id: (ResultOutcome, [award names])}`` for the entries'
        results (``submissions.services.results``); a work not listed keeps
        its result, which only its artist reads."""
        found = {}
        for entry_id, place in self.places.items():
            if place.awards:
                found[entry_id] = (
                    ResultOutcome.AWARDED,
                    [
                        {
                            "name_en": awarded.award_type.name_en,
                            "name_zh_hant": awarded.award_type.name_zh_hant,
                        }
                        for awarded in place.awards
                    ],
                )
            else:
                found[entry_id] = (ResultOutcome.SHORTLISTED, [])
        return found


def _shortlisted_ids(round_id):
    """The entries of the finalised final stages that were chosen for them
    from a stage before (a round of one stage shortlists nothing)."""
    finals = [
        stage
        for stage in finalised_final_stages(round_id).values()
        if stage.previous_id is not None
    ]
    return set(
        StageEntry.objects.filter(stage__in=finals).values_list("entry_id", flat=True)
    )


def results_outline(round_, *, preview=False):
    """The round's results (``Outline``) in a fixed number of queries."""
    award_types = list(
        AwardType.objects.filter(round_id=round_.pk)
        .select_related("category")
        .prefetch_related("awards")
        .order_by("position", "id")
    )
    awarded_ids = {
        award.entry_id
        for award_type in award_types
        for award in award_type.awards.all()
    }
    shortlisted_ids = _shortlisted_ids(round_.pk) - awarded_ids
    works = {
        work.id: work
        for work in public_works(
            round_id=round_.pk,
            entry_ids=sorted(awarded_ids | shortlisted_ids),
            preview=preview,
        )
        if work.listed
    }
    awards_of = {}
    for award_type in award_types:
        for award in award_type.awards.all():
            awards_of.setdefault(award.entry_id, []).append(
                Awarded(award_type, award.citation_en, award.citation_zh_hant)
            )
    places = {
        entry_id: Place(work=work, awards=tuple(awards_of.get(entry_id, ())))
        for entry_id, work in works.items()
    }
    categories = {
        category.pk: CategoryResults(category=category)
        for category in round_.categories.order_by("position", "id")
    }
    special = []
    for award_type in award_types:
        group = AwardGroup(
            award_type,
            tuple(
                places[award.entry_id]
                for award in award_type.awards.all()
                if award.entry_id in places
            ),
        )
        if award_type.category_id in categories:
            categories[award_type.category_id].awards.append(group)
        else:
            special.append(group)
    for entry_id in sorted(
        shortlisted_ids,
        key=lambda pk: places[pk].work.reference if pk in places else "",
    ):
        place = places.get(entry_id)
        if place is None:
            continue
        results = categories.get(place.work.category_id)
        if results is None:
            continue
        if place.work.shown:
            results.shortlisted.append(place)
        else:
            results.not_shown += 1
    return Outline(
        round=round_,
        categories=[c for c in categories.values() if c.awards or c.shortlisted],
        special=special,
        places=places,
    )


def publication_problems(outline, publication):
    """What keeps the publication from going out, for staff, in their
    language: a missing translation, a missing description of an image, a
    missing consent, an award without a citation."""
    problems = []
    for name, label in (
        ("title", _("the post's title")),
        ("summary", _("the post's summary")),
    ):
        for suffix, language in (("en", _("English")), ("zh_hant", _("Chinese"))):
            if not getattr(publication, f"{name}_{suffix}").strip():
                problems.append(
                    _("Write %(what)s in %(language)s.")
                    % {"what": label, "language": language}
                )
    groups = [group for c in outline.categories for group in c.awards]
    groups += outline.special
    for group in groups:
        award_type = group.award_type
        if not (award_type.name_en.strip() and award_type.name_zh_hant.strip()):
            problems.append(
                _("The award “%(award)s” needs its name in both languages.")
                % {"award": award_type.name}
            )
        for place in group.places:
            for awarded in place.awards:
                if awarded.award_type.pk != award_type.pk:
                    continue
                if not (
                    awarded.citation_en.strip() and awarded.citation_zh_hant.strip()
                ):
                    problems.append(
                        _(
                            "The award “%(award)s” to %(reference)s needs its "
                            "citation in both languages."
                        )
                        % {"award": award_type.name, "reference": place.work.reference}
                    )
    for place in outline.places.values():
        work = place.work
        if not work.consents_complete:
            problems.append(
                _(
                    "%(reference)s lacks a consent: its guardian has not confirmed, "
                    "or a team member has not agreed."
                )
                % {"reference": work.reference}
            )
        if work.shown and work.undescribed:
            problems.append(
                _(
                    "%(reference)s has an image without a description for people "
                    "who cannot see it: ask its artist for one."
                )
                % {"reference": work.reference}
            )
    return problems
