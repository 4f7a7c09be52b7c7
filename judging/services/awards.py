"""The awards of a round, and its decision.

Staff set up a round's award types (``AwardType``: a category's winner or
runner-up, honourable mentions, special awards such as "Justice Centre
Choice" or a "Youth Award" of one category), give each to entries of the final
stages (``judging.selectors.awards``: an entry of its category's final stage,
once that stage is finalised; an award type of a category takes that
category's entries only, and no more of them than its ``places``), write each
award's citation in both languages, and then decide the round
(``decide_round``): ``judging → decided`` through the round's own transition,
refused with every problem listed until the awards are complete.

Everything changes only while the round is in judging. Once the round is
decided nothing here changes: correcting a decided round is not provided for.

Each change locks the round's row (``select_for_update``), so that two members
of staff, a double click, or a change and the decision never cross; each is
audited (``created``, ``updated``, ``deleted`` on the award type or the
award; the decision is the round's ``state_changed``).
"""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from judging.enums import AwardKind, StageState
from judging.errors import AwardError
from judging.models import Award, AwardType, Stage
from judging.models.awards import CITATION_MAX_LENGTH, MOST_PLACES
from judging.selectors.awards import (
    award_type_problems,
    awardable_entries,
)
from submissions.enums import RoundState
from submissions.services.rounds import set_round_state

ROUND = AwardType._meta.get_field("round").related_model

# The fields of an award type that staff set.
AWARD_TYPE_FIELDS = (
    "kind",
    "name_en",
    "name_zh_hant",
    "category",
    "prize_en",
    "prize_zh_hant",
    "places",
)
# Kinds that are always of one category.
KINDS_OF_A_CATEGORY = frozenset({AwardKind.CATEGORY_WINNER, AwardKind.RUNNER_UP})

ONLY_IN_JUDGING = _(
    "Awards change only while the round is in judging. A decided round's "
    "awards no longer change."
)
ROUND_DECIDED = _("The round is decided: its awards no longer change.")
NEEDS_A_NAME = _("Give the award a name, in English or in Chinese.")
NEEDS_A_CATEGORY = _("A category winner or runner-up needs its category.")
NOT_OF_ROUND = _("Choose a category of this round.")
BAD_PLACES = _("An award goes to 1 to %(most)s entries.")
FEWER_PLACES_THAN_GIVEN = _(
    "The award is given to %(count)s entries: take some back before lowering "
    "the number of entries it goes to."
)
GIVEN_OUTSIDE_CATEGORY = _(
    "The award is given to entries of other categories: take them back before "
    "making it an award of one category."
)
NOT_AWARDABLE = _(
    "Choose an entry of the final stage's ranking: an award goes to an entry "
    "of its category's final stage once that stage is finalised."
)
NOT_AWARDABLE_IN_CATEGORY = _(
    "Choose an entry of “%(category)s” from its final stage's ranking: this "
    "award is of that category."
)
FULL = _(
    "“%(name)s” is already given to %(places)s entries, as many as it goes to. "
    "Take one back first, or let it go to more."
)
CITATION_TOO_LONG = _("A citation has at most %(most)s characters.")


def _locked_round(round_id):
    return ROUND.objects.select_for_update().get(pk=round_id)


def _check_judging(locked):
    if locked.state == RoundState.DECIDED or locked.state == RoundState.PUBLISHED:
        raise AwardError(ROUND_DECIDED, code="round_decided")
    if locked.state != RoundState.JUDGING:
        raise AwardError(ONLY_IN_JUDGING, code="round_not_judging")


def _clean_type_data(data):
    values = {field: data[field] for field in AWARD_TYPE_FIELDS if field in data}
    for field in ("name_en", "name_zh_hant", "prize_en", "prize_zh_hant"):
        if field in values:
            values[field] = (values[field] or "").strip()
    return values


def _check_type(locked, award_type):
    if not award_type.name_en and not award_type.name_zh_hant:
        raise AwardError(NEEDS_A_NAME, code="no_name")
    if award_type.kind in KINDS_OF_A_CATEGORY and award_type.category_id is None:
        raise AwardError(NEEDS_A_CATEGORY, code="no_category")
    if award_type.category_id is not None and award_type.category.round_id != locked.pk:
        raise AwardError(NOT_OF_ROUND, code="other_round")
    if not 1 <= (award_type.places or 0) <= MOST_PLACES:
        raise AwardError(BAD_PLACES % {"most": MOST_PLACES}, code="bad_places")


def _audit_data(award_type, fields):
    data = {}
    for field in fields:
        value = getattr(award_type, f"{field}_id" if field == "category" else field)
        data[field] = value
    return data


@transaction.atomic
def create_award_type(round_, *, data, by):
    """Add an award type to ``round_`` (in judging), after its others."""
    locked = _locked_round(round_.pk)
    _check_judging(locked)
    award_type = AwardType(round=locked, **_clean_type_data(data))
    _check_type(locked, award_type)
    last = AwardType.objects.filter(round=locked).aggregate(last=Max("position"))
    award_type.position = 0 if last["last"] is None else last["last"] + 1
    award_type.save()
    record_event(
        actor=by,
        verb=AuditVerb.CREATED,
        obj=award_type,
        data=_audit_data(award_type, AWARD_TYPE_FIELDS),
    )
    return award_type


@transaction.atomic
def update_award_type(award_type, *, data, by):
    """Change an award type's settings. Its number of entries cannot go below
    the awards given, nor its category exclude an entry it is given to.
    Returns the names of the fields changed."""
    locked = _locked_round(award_type.round_id)
    _check_judging(locked)
    award_type = AwardType.objects.select_for_update().get(pk=award_type.pk)
    values = _clean_type_data(data)
    changed = []
    for field, value in values.items():
        current = getattr(award_type, field)
        if current != value:
            setattr(award_type, field, value)
            changed.append(field)
    if not changed:
        return []
    _check_type(locked, award_type)
    given = list(Award.objects.filter(award_type=award_type).values_list("entry_id"))
    if len(given) > award_type.places:
        raise AwardError(
            FEWER_PLACES_THAN_GIVEN % {"count": len(given)}, code="places_below_given"
        )
    if award_type.category_id is not None and given:
        of_category = awardable_entries(
            locked.pk,
            category_id=award_type.category_id,
            entry_ids=[entry_id for (entry_id,) in given],
        )
        if any(entry_id not in of_category for (entry_id,) in given):
            raise AwardError(GIVEN_OUTSIDE_CATEGORY, code="given_outside_category")
    award_type.save(update_fields=[*changed, "updated_at"])
    record_event(
        actor=by,
        verb=AuditVerb.UPDATED,
        obj=award_type,
        data={"fields": changed, **_audit_data(award_type, changed)},
    )
    return changed


@transaction.atomic
def delete_award_type(award_type, *, by):
    """Remove an award type, and the awards given of it."""
    locked = _locked_round(award_type.round_id)
    _check_judging(locked)
    entries = sorted(
        Award.objects.filter(award_type_id=award_type.pk).values_list(
            "entry_id", flat=True
        )
    )
    record_event(
        actor=by,
        verb=AuditVerb.DELETED,
        obj=award_type,
        data={"name_en": award_type.name_en, "entries": entries},
    )
    AwardType.objects.filter(pk=award_type.pk).delete()


@transaction.atomic
def move_award_type(award_type, *, up, by):
    """Swap an award type with the one before it (``up``) or after it; False
    when it is already first or last."""
    locked = _locked_round(award_type.round_id)
    _check_judging(locked)
    ordered = list(AwardType.objects.filter(round=locked).order_by("position", "id"))
    index = next(i for i, row in enumerate(ordered) if row.pk == award_type.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position", "updated_at"])
    record_event(
        actor=by,
        verb=AuditVerb.UPDATED,
        obj=award_type,
        data={"fields": ["position"], "position": other},
    )
    return True


def _clean_citation(text):
    text = (text or "").strip()
    if len(text) > CITATION_MAX_LENGTH:
        raise AwardError(
            CITATION_TOO_LONG % {"most": CITATION_MAX_LENGTH}, code="citation_too_long"
        )
    return text


@transaction.atomic
def give_award(award_type, entry_id, *, by, citation_en="", citation_zh_hant=""):
    """Give ``award_type`` to the entry ``entry_id``, an entry of the final
    stage of its category (of any category for an award of all). Giving it
    again to the same entry changes nothing. Returns ``(award, created)``."""
    locked = _locked_round(award_type.round_id)
    _check_judging(locked)
    award_type = (
        AwardType.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=award_type.pk)
    )
    existing = Award.objects.filter(award_type=award_type, entry_id=entry_id).first()
    if existing is not None:
        return existing, False
    awardable = awardable_entries(
        locked.pk, category_id=award_type.category_id, entry_ids=[entry_id]
    )
    if entry_id not in awardable:
        if award_type.category_id is not None:
            raise AwardError(
                NOT_AWARDABLE_IN_CATEGORY % {"category": award_type.category.name},
                code="not_awardable",
            )
        raise AwardError(NOT_AWARDABLE, code="not_awardable")
    given = Award.objects.filter(award_type=award_type).count()
    if given >= award_type.places:
        raise AwardError(
            FULL % {"name": award_type.name, "places": award_type.places},
            code="full",
        )
    award = Award.objects.create(
        award_type=award_type,
        entry_id=entry_id,
        citation_en=_clean_citation(citation_en),
        citation_zh_hant=_clean_citation(citation_zh_hant),
        created_by=by if by and by.is_authenticated else None,
    )
    record_event(
        actor=by,
        verb=AuditVerb.CREATED,
        obj=award,
        data={
            "award_type": award_type.pk,
            "entry": entry_id,
            "citation_en": award.citation_en,
            "citation_zh_hant": award.citation_zh_hant,
        },
    )
    return award, True


@transaction.atomic
def set_citation(award, *, citation_en, citation_zh_hant, by):
    """Set an award's citation in both languages (plain text, at most
    ``CITATION_MAX_LENGTH`` characters each). Returns the fields changed."""
    award_type = AwardType.objects.get(pk=award.award_type_id)
    locked = _locked_round(award_type.round_id)
    _check_judging(locked)
    award = Award.objects.select_for_update().get(pk=award.pk)
    values = {
        "citation_en": _clean_citation(citation_en),
        "citation_zh_hant": _clean_citation(citation_zh_hant),
    }
    changed = [
        field for field, value in values.items() if getattr(award, field) != value
    ]
    if not changed:
        return []
    for field in changed:
        setattr(award, field, values[field])
    award.save(update_fields=changed)
    record_event(
        actor=by,
        verb=AuditVerb.UPDATED,
        obj=award,
        data={"fields": changed, **{field: values[field] for field in changed}},
    )
    return changed


@transaction.atomic
def take_back_award(award, *, by):
    """Take an award back from its entry. False when it was already taken
    back."""
    award_type = AwardType.objects.get(pk=award.award_type_id)
    locked = _locked_round(award_type.round_id)
    _check_judging(locked)
    found = Award.objects.select_for_update().filter(pk=award.pk).first()
    if found is None:
        return False
    record_event(
        actor=by,
        verb=AuditVerb.DELETED,
        obj=found,
        data={"award_type": found.award_type_id, "entry": found.entry_id},
    )
    found.delete()
    return True


def decision_problems(round_):
    """What keeps ``round_`` from being decided, in the reader's language:
    every stage finalised; at least one award type, and each with a name in
    both languages, given to at least one entry and to no more than its
    number, every award with a citation in both languages. A fixed number of
    queries."""
    problems = []
    stages = list(Stage.objects.filter(round_id=round_.pk).order_by("position", "id"))
    if not stages:
        problems.append(_("The round has no judging stage."))
    for stage in stages:
        if stage.state != StageState.FINALISED:
            problems.append(
                _("Stage “%(name)s” is not finalised (%(state)s).")
                % {"name": stage.name, "state": stage.get_state_display()}
            )
    types = list(
        AwardType.objects.filter(round_id=round_.pk).order_by("position", "id")
    )
    if not types:
        problems.append(_("The round has no award yet."))
    awards = {}
    for award in Award.objects.filter(award_type__round_id=round_.pk):
        awards.setdefault(award.award_type_id, []).append(award)
    for award_type in types:
        problems.extend(award_type_problems(award_type, awards.get(award_type.pk, [])))
    return problems


@transaction.atomic
def decide_round(round_, *, by):
    """Move ``round_`` from judging to decided, once ``decision_problems`` has
    nothing to say (refused with ``AwardError`` listing them all otherwise).
    Deciding a decided round changes nothing: returns False."""
    locked = _locked_round(round_.pk)
    if locked.state == RoundState.DECIDED:
        return False
    if locked.state != RoundState.JUDGING:
        raise AwardError(
            _("Only a round in judging can be decided."), code="round_not_judging"
        )
    problems = decision_problems(locked)
    if problems:
        raise AwardError(
            _("The round cannot be decided yet."),
            code="not_ready",
            problems=[str(problem) for problem in problems],
        )
    set_round_state(locked, RoundState.DECIDED, by=by)
    return True
