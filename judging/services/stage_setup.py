"""Setting up a round's stages and their criteria, within what each stage's
state allows.

A stage in set-up may change everything here; once it has opened, only its
names, its closing time (still to come, while it is open) and when judges see
the others' scores. Criteria change only in set-up: once judges score, their
scores were given against them. A stage's state changes only through
``judging.services.stages.set_stage_state``; ``open_stage_now``,
``close_stage_now``, ``reopen_stage`` and ``finalise_stage`` are the staff's
buttons around it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_deadline_change, record_event
from artsprize.common.enums import AuditVerb
from judging.enums import AssignmentMode, StageMode, StageState
from judging.errors import StageError
from judging.models import Criterion, Stage
from judging.models.stages import new_seed
from judging.services.advancing import settings_changed
from judging.services.stages import STAGES, set_stage_state

# The fields of a stage that ``create_stage`` and ``update_stage`` set, besides
# its categories.
STAGE_FIELDS = (
    "name_en",
    "name_zh_hant",
    "previous",
    "outcome",
    "mode",
    "ranking_size",
    "blind",
    "visibility",
    "min_judges",
    "assignment_mode",
    "judges_per_entry",
    "seed",
    "opens_at",
    "closes_at",
)
# What may change once a stage has opened.
EDITABLE_AFTER_SETUP_FIELDS = ("name_en", "name_zh_hant", "closes_at", "visibility")
CRITERION_FIELDS = (
    "name_en",
    "name_zh_hant",
    "description_en",
    "description_zh_hant",
    "weight",
    "scale_min",
    "scale_max",
    "half_points",
)
ROUND = Stage._meta.get_field("round").related_model
HIGHEST_SCALE = 100
HIGHEST_WEIGHT = 100
MOST_JUDGES = 50
MOST_RANKED = 100

ONLY_IN_SETUP = _(
    "Once a stage has opened, only its names, its closing time and when judges "
    "see the others' scores can change."
)
CRITERIA_ONLY_IN_SETUP = _(
    "Criteria can change only while the stage is being set up: once it has "
    "opened, judges' scores were given against them."
)
DATES_OUT_OF_ORDER = _("The closing time must be after the opening time.")
CLOSING_NOT_TO_COME = _("The closing time must be still to come.")
CLOSING_ONLY_WHILE_OPEN = _(
    "A closed stage's closing time changes when it is reopened."
)


def _refuse(message, code, problems=()):
    raise StageError(message, code=code, problems=problems)


def _check_names(values):
    if (
        not str(values.get("name_en", "")).strip()
        or not str(values.get("name_zh_hant", "")).strip()
    ):
        _refuse(_("Give the stage a name in English and in Chinese."), "names")


def _check_numbers(values):
    for field, highest in (
        ("min_judges", MOST_JUDGES),
        ("judges_per_entry", MOST_JUDGES),
        ("ranking_size", MOST_RANKED),
    ):
        value = values.get(field)
        if value is not None and not 1 <= value <= highest:
            _refuse(
                _("%(field)s must be between 1 and %(highest)s.")
                % {
                    "field": Stage._meta.get_field(field).verbose_name,
                    "highest": highest,
                },
                "numbers",
            )
    for field, choices in (
        ("mode", StageMode),
        ("assignment_mode", AssignmentMode),
    ):
        if field in values and values[field] not in choices.values:
            _refuse(_("Choose one of the choices offered."), "choice")


def _check_dates(stage, *, changed, now):
    if (
        "closes_at" in changed
        and stage.closes_at is not None
        and stage.closes_at <= now
    ):
        _refuse(CLOSING_NOT_TO_COME, "closing_passed")
    if (
        stage.opens_at is not None
        and stage.closes_at is not None
        and stage.closes_at <= stage.opens_at
    ):
        _refuse(DATES_OUT_OF_ORDER, "dates")


def _check_previous(stage, previous, categories):
    """``previous`` is a stage of the same round placed before ``stage``, and
    ``stage`` judges only categories that ``previous`` judged."""
    if previous is None:
        return
    if previous.round_id != stage.round_id:
        _refuse(_("The previous stage must be one of this round's."), "previous")
    if stage.pk is not None:
        if previous.pk == stage.pk:
            _refuse(_("A stage cannot follow itself."), "previous")
        if (previous.position, previous.pk) >= (stage.position, stage.pk):
            _refuse(_("The previous stage must come before this one."), "previous")
        # Placed before, so no cycle can form; checked all the same, as the
        # chain is walked by whatever moves entries along.
        seen = {stage.pk}
        step = previous
        while step is not None:
            if step.pk in seen:
                _refuse(_("The stages would follow each other in a circle."), "cycle")
            seen.add(step.pk)
            step = step.previous
    allowed = {category.pk for category in previous.categories.all()}
    if categories is not None and not {c.pk for c in categories} <= allowed:
        _refuse(
            _(
                "A stage judges only categories of the stage it follows: "
                "“%(previous)s” does not judge them all."
            )
            % {"previous": previous.name},
            "categories",
        )


def _check_next_stages(stage, categories):
    """The stages that follow ``stage`` keep judging only its categories."""
    kept = {category.pk for category in categories}
    for later_stage in stage.next_stages.prefetch_related("categories"):
        if not {c.pk for c in later_stage.categories.all()} <= kept:
            _refuse(
                _(
                    "“%(next)s” follows this stage and judges categories it would "
                    "no longer judge."
                )
                % {"next": later_stage.name},
                "categories",
            )


def _check_categories(round_, categories):
    if categories is None:
        return
    if any(category.round_id != round_.pk for category in categories):
        _refuse(_("Choose categories of this round."), "categories")


def stage_warnings(stage):
    """What staff should know about a stage's settings, without it being wrong."""
    warnings = []
    if (
        stage.assignment_mode == AssignmentMode.BALANCED
        and stage.judges_per_entry < stage.min_judges
    ):
        warnings.append(
            _(
                "Each entry gets %(per_entry)s judges, fewer than the minimum of "
                "%(minimum)s: every entry will be below the minimum."
            )
            % {"per_entry": stage.judges_per_entry, "minimum": stage.min_judges}
        )
    return warnings


def _values(data):
    values = {field: data[field] for field in STAGE_FIELDS if field in data}
    if data.get("new_seed"):
        values["seed"] = new_seed()
    return values


def create_stage(round_, *, data, by, now=None):
    """A new stage of ``round_``, in set-up, placed after the round's others.

    ``data`` holds the fields of ``STAGE_FIELDS``, ``categories`` (of the
    round) and, optionally, ``new_seed``."""
    now = now or timezone.now()
    values = _values(data)
    categories = list(data.get("categories") or [])
    _check_names(values)
    _check_numbers(values)
    _check_categories(round_, categories)
    with transaction.atomic():
        # Two stages made at once for a round get places of their own.
        ROUND.objects.select_for_update().filter(pk=round_.pk).exists()
        stage = Stage(round=round_, **values)
        stage.position = (
            Stage.objects.filter(round=round_)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        stage.position = 0 if stage.position is None else stage.position + 1
        _check_previous(stage, values.get("previous"), categories)
        _check_dates(stage, changed=set(values), now=now)
        stage.save()
        stage.categories.set(categories)
        record_event(
            actor=by,
            verb=AuditVerb.CREATED,
            obj=stage,
            data={"round": round_.pk},
        )
    return stage


def _changed_fields(locked, values, categories):
    changed = [
        field for field, value in values.items() if getattr(locked, field) != value
    ]
    if categories is not None:
        current = {category.pk for category in locked.categories.all()}
        if current != {category.pk for category in categories}:
            changed.append("categories")
    return changed


def update_stage(stage, *, data, by, now=None):
    """Change what ``stage``'s state lets change; audit what changed."""
    now = now or timezone.now()
    values = _values(data)
    categories = list(data["categories"]) if "categories" in data else None
    with STAGES.holding(stage) as locked:
        changed = _changed_fields(locked, values, categories)
        if not changed:
            return stage
        if locked.state != StageState.SETUP:
            if set(changed) - set(EDITABLE_AFTER_SETUP_FIELDS):
                _refuse(ONLY_IN_SETUP, "not_in_setup")
            if "closes_at" in changed and locked.state != StageState.OPEN:
                _refuse(CLOSING_ONLY_WHILE_OPEN, "closing_only_while_open")
            if "closes_at" in changed and values["closes_at"] is None:
                _refuse(_("An open stage keeps a closing time."), "closing_required")
        for field in changed:
            if field != "categories":
                setattr(locked, field, values[field])
        _check_names({"name_en": locked.name_en, "name_zh_hant": locked.name_zh_hant})
        _check_numbers({field: values[field] for field in changed if field in values})
        _check_categories(locked.round, categories)
        if {"previous", "categories"} & set(changed):
            _check_previous(
                locked,
                locked.previous,
                categories if categories is not None else list(locked.categories.all()),
            )
        if "categories" in changed:
            _check_next_stages(locked, categories)
        _check_dates(locked, changed=set(changed), now=now)
        locked.save(
            update_fields=[field for field in changed if field != "categories"]
            + ["updated_at"]
        )
        if "categories" in changed:
            locked.categories.set(categories)
        if {"previous", "categories", "outcome"} & set(changed):
            settings_changed(locked, by=by)
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={"fields": sorted(changed)},
        )
    return stage


# Criteria ---------------------------------------------------------------------


def _locked_in_setup(stage):
    locked = STAGES.locked(stage)
    if locked.state != StageState.SETUP:
        _refuse(CRITERIA_ONLY_IN_SETUP, "criteria_not_in_setup")
    return locked


def _check_criterion(criterion):
    problems = []
    if not criterion.name_en.strip() or not criterion.name_zh_hant.strip():
        problems.append(_("Give the criterion a name in English and in Chinese."))
    if criterion.weight is None or not 0 < criterion.weight <= HIGHEST_WEIGHT:
        problems.append(
            _("The weight must be above 0 and at most %(highest)s.")
            % {"highest": HIGHEST_WEIGHT}
        )
    low, high = criterion.scale_min, criterion.scale_max
    if low is None or high is None or not 0 <= low < high <= HIGHEST_SCALE:
        problems.append(
            _(
                "The lowest score must be below the highest, and both between 0 "
                "and %(highest)s."
            )
            % {"highest": HIGHEST_SCALE}
        )
    if problems:
        _refuse(_("The criterion cannot be saved."), "criterion", problems)


def save_criterion(criterion, *, stage, data, by):
    """Add a criterion to ``stage`` (``criterion`` None) or change one of its
    criteria, while the stage is in set-up."""
    with transaction.atomic():
        _locked_in_setup(stage)
        creating = criterion is None
        if creating:
            criterion = Criterion(stage=stage)
        elif criterion.stage_id != stage.pk:
            _refuse(_("The criterion is not one of this stage's."), "criterion_stage")
        changed = [
            field
            for field in CRITERION_FIELDS
            if field in data and getattr(criterion, field) != data[field]
        ]
        if not creating and not changed:
            return criterion
        for field in changed:
            setattr(criterion, field, data[field])
        _check_criterion(criterion)
        if creating:
            last = (
                Criterion.objects.filter(stage=stage)
                .order_by("-position")
                .values_list("position", flat=True)
                .first()
            )
            criterion.position = 0 if last is None else last + 1
            criterion.save()
        else:
            criterion.save(update_fields=changed)
        record_event(
            actor=by,
            verb=AuditVerb.CREATED if creating else AuditVerb.UPDATED,
            obj=criterion,
            data={"stage": stage.pk, "fields": sorted(changed)},
        )
    return criterion


def delete_criterion(criterion, *, by):
    with transaction.atomic():
        _locked_in_setup(criterion.stage)
        record_event(
            actor=by,
            verb=AuditVerb.DELETED,
            obj=criterion,
            data={"stage": criterion.stage_id},
        )
        Criterion.objects.filter(pk=criterion.pk).delete()


def move_criterion(criterion, *, up, by):
    """Move a criterion one place up (``up=True``) or down its stage's list.
    Returns False when it is already first (or last)."""
    with transaction.atomic():
        _locked_in_setup(criterion.stage)
        ordered = list(
            Criterion.objects.filter(stage_id=criterion.stage_id).order_by(
                "position", "id"
            )
        )
        index = next(
            (i for i, row in enumerate(ordered) if row.pk == criterion.pk), None
        )
        if index is None:
            _refuse(_("The criterion was removed."), "criterion_gone")
        other = index - 1 if up else index + 1
        if not 0 <= other < len(ordered):
            return False
        ordered[index], ordered[other] = ordered[other], ordered[index]
        moved = []
        for position, row in enumerate(ordered):
            if row.position != position:
                row.position = position
                moved.append(row)
        Criterion.objects.bulk_update(moved, ["position"])
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=criterion,
            data={
                "stage": criterion.stage_id,
                "fields": ["position"],
                "to": index if up else index + 2,
            },
        )
        criterion.position = other
    return True


# The staff's buttons ------------------------------------------------------------


def open_stage_now(stage, *, by, now=None):
    """Open a stage in set-up at once; an opening time still to come becomes
    now. Refused with the stage's problems when it is not ready."""
    now = now or timezone.now()
    with STAGES.holding(stage) as locked:
        if locked.state != StageState.SETUP:
            _refuse(_("Only a stage being set up can be opened."), "not_in_setup")
        old = locked.opens_at
        # Refused with the stage's problems (a closing time passed among them)
        # before the opening time moves.
        set_stage_state(locked, StageState.OPEN, by=by, now=now)
        if old is None or old > now:
            locked.opens_at = now
            locked.save(update_fields=["opens_at", "updated_at"])
            record_event(
                actor=by,
                verb=AuditVerb.UPDATED,
                obj=locked,
                data={
                    "fields": ["opens_at"],
                    "from": old.isoformat() if old else None,
                    "to": now.isoformat(),
                },
            )
    return stage


def _set_closes_at(locked, closes_at, *, by, reason):
    old = locked.closes_at
    locked.closes_at = closes_at
    locked.save(update_fields=["closes_at", "updated_at"])
    record_deadline_change(locked, old, closes_at, by=by, reason=reason)


def close_stage_now(stage, *, by, reason="", now=None):
    """Close an open stage at once; a closing time still to come becomes now."""
    now = now or timezone.now()
    with STAGES.holding(stage) as locked:
        if locked.state != StageState.OPEN:
            _refuse(_("Only an open stage can be closed."), "not_open")
        if locked.closes_at is None or locked.closes_at > now:
            _set_closes_at(locked, now, by=by, reason=reason)
        set_stage_state(locked, StageState.CLOSED, by=by, reason=reason, now=now)
    return stage


def reopen_stage(stage, closes_at, *, by, reason="", now=None):
    """Open a closed stage again until ``closes_at``, a time still to come."""
    now = now or timezone.now()
    with STAGES.holding(stage) as locked:
        if locked.state != StageState.CLOSED:
            _refuse(_("Only a closed stage can be reopened."), "not_closed")
        if closes_at <= now:
            _refuse(CLOSING_NOT_TO_COME, "closing_passed")
        _set_closes_at(locked, closes_at, by=by, reason=reason)
        set_stage_state(locked, StageState.OPEN, by=by, reason=reason, now=now)
    return stage


def finalise_stage(stage, *, by, reason=""):
    """Fix a closed stage's outcome: it can no longer be reopened."""
    with STAGES.holding(stage) as locked:
        if locked.state != StageState.CLOSED:
            _refuse(_("Only a closed stage can be finalised."), "not_closed")
        set_stage_state(locked, StageState.FINALISED, by=by, reason=reason)
    return stage
