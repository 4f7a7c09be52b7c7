"""Every change of a round's state, schedule or deadline goes through here."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_deadline_change, record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue
from artsprize.common.transitions import StateMachine, refusal
from submissions.enums import MediaKind, RoundState
from submissions.errors import RoundError
from submissions.models import Category, Entry, Round
from submissions.services.screening import screening_problems, screening_started

logger = logging.getLogger(__name__)

ALLOWED_TRANSITIONS = {
    RoundState.DRAFT: {RoundState.OPEN},
    RoundState.OPEN: {RoundState.CLOSED},
    # A closed round may be reopened only until judging starts.
    RoundState.CLOSED: {RoundState.OPEN, RoundState.JUDGING},
    RoundState.JUDGING: {RoundState.DECIDED},
    RoundState.DECIDED: {RoundState.PUBLISHED},
    RoundState.PUBLISHED: set(),
}

# Fields a round may have changed by ``update_round`` in each state. Once a round has
# opened, its dates change only through the deadline and transition functions below.
EDITABLE_TEXT_FIELDS = (
    "title_en",
    "title_zh_hant",
    "theme_en",
    "theme_zh_hant",
    "rules_en",
    "rules_zh_hant",
)
# How long files are kept after the results are published (services.retention)
# may be set in any state, as the texts may.
EDITABLE_ANY_STATE_FIELDS = (*EDITABLE_TEXT_FIELDS, "retention_months")
EDITABLE_DRAFT_FIELDS = (
    *EDITABLE_ANY_STATE_FIELDS,
    "year",
    "opens_at",
    "closes_at",
    "entry_cap",
    "minimum_age",
    "upload_grace_minutes",
)

CLOSING_PASSED = _("The closing time has passed: set a later one first.")
DATES_OUT_OF_ORDER = _("The closing time must be after the opening time.")
AGES_OUT_OF_ORDER = _("The oldest age cannot be lower than the youngest age.")
DEADLINE_NOT_IN_FUTURE = _("The new deadline must be in the future.")
CATEGORIES_ADDED_IN_DRAFT = _("Categories can be added only while a round is a draft.")
CATEGORIES_REMOVED_IN_DRAFT = _(
    "Categories can be removed only while a round is a draft."
)


def round_problems(round_):
    """What keeps a round from being scheduled or opened, as messages for staff."""
    problems = []
    for field, message in (
        ("title_en", _("The round needs an English title.")),
        ("title_zh_hant", _("The round needs a Chinese title.")),
        ("theme_en", _("The round needs an English theme.")),
        ("theme_zh_hant", _("The round needs a Chinese theme.")),
        ("rules_en", _("The round needs English rules.")),
        ("rules_zh_hant", _("The round needs Chinese rules.")),
    ):
        if not getattr(round_, field).strip():
            problems.append(message)
    if round_.opens_at is None or round_.closes_at is None:
        problems.append(_("The round needs an opening and a closing time."))
    categories = list(round_.categories.all())
    if not categories:
        problems.append(_("The round needs at least one category."))
    for category in categories:
        if not category.name_en.strip() or not category.name_zh_hant.strip():
            problems.append(
                _("Category “%(name)s” needs a name in both languages.")
                % {"name": category.name}
            )
        if not category.description_en.strip() or not (
            category.description_zh_hant.strip()
        ):
            problems.append(
                _("Category “%(name)s” needs a description in both languages.")
                % {"name": category.name}
            )
        if not category.media_kinds:
            problems.append(
                _("Category “%(name)s” accepts no kind of media.")
                % {"name": category.name}
            )
    return problems


def _check_dates_in_order(opens_at, closes_at):
    # The database refuses it too, but with an error no one could read.
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise RoundError(DATES_OUT_OF_ORDER)


def _queue_state_mail(move):
    enqueue(
        "submissions.mail_staff_round_state_changed",
        move.obj.pk,
        move.old.value,
        move.new.value,
    )


def _queue_deletions_at_publication(move):
    """Entries whose entrants deleted their accounts wait for the results."""
    if move.new == RoundState.PUBLISHED:
        enqueue("submissions.delete_entries_waiting_for_publication", move.obj.pk)


ROUNDS = StateMachine(
    model=Round,
    states=RoundState,
    transitions=ALLOWED_TRANSITIONS,
    refuse=refusal(RoundError, _("A round cannot go from “%(old)s” to “%(new)s”.")),
)


def set_round_state(round_, new_state, *, by, reason="", now=None):
    """Move a round to ``new_state``; the one place where a round's state changes.

    ``by`` is the staff member, or None when the schedule (beat) acts.
    """
    now = now or timezone.now()

    def changes(move):
        if move.new == RoundState.PUBLISHED:
            return {"published_at": now}
        if move.new == RoundState.JUDGING:
            problems = screening_problems(move.obj)
            if problems:
                raise RoundError(
                    _("The round cannot go to judging yet."), problems=problems
                )
        if move.new != RoundState.OPEN:
            return {}
        problems = round_problems(move.obj)
        if problems:
            raise RoundError(
                _("The round is not complete enough to open."), problems=problems
            )
        if move.obj.closes_at <= now:
            raise RoundError(CLOSING_PASSED)
        return {"is_scheduled": False} if move.obj.is_scheduled else {}

    ROUNDS.move(
        round_,
        new_state,
        by=by,
        reason=reason,
        changes=changes,
        queue=[_queue_state_mail, _queue_deletions_at_publication],
    )
    return round_


def mark_shortlisted(entries, *, by, now=None):
    """Record that judging shortlisted ``entries`` (entries or their ids): their
    files are kept past the round's retention (``services.retention``). An entry
    already marked keeps its moment. Returns how many were marked now."""
    now = now or timezone.now()
    ids = sorted({getattr(entry, "pk", entry) for entry in entries})
    with transaction.atomic():
        due = list(
            Entry.objects.select_for_update()
            .filter(pk__in=ids, shortlisted_at__isnull=True)
            .order_by("pk")
        )
        for entry in due:
            entry.shortlisted_at = now
            entry.save(update_fields=["shortlisted_at", "updated_at"])
            record_event(
                actor=by,
                verb=AuditVerb.UPDATED,
                obj=entry,
                data={"fields": ["shortlisted_at"]},
            )
    return len(due)


def schedule_round(round_, *, by, now=None):
    """Let beat open a complete draft round at its opening time."""
    now = now or timezone.now()
    with ROUNDS.holding(round_) as locked:
        if locked.state != RoundState.DRAFT:
            raise RoundError(_("Only a draft round can be scheduled."))
        if locked.is_scheduled:
            return round_
        problems = round_problems(locked)
        if problems:
            raise RoundError(
                _("The round is not complete enough to schedule."), problems=problems
            )
        if locked.closes_at <= now:
            raise RoundError(CLOSING_PASSED)
        locked.is_scheduled = True
        locked.save(update_fields=["is_scheduled", "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.SCHEDULED,
            obj=locked,
            data={
                "opens_at": locked.opens_at.isoformat(),
                "closes_at": locked.closes_at.isoformat(),
            },
        )
    return round_


def unschedule_round(round_, *, by, reason=""):
    """Stop beat from opening a draft round; staff schedule it again when ready."""
    with ROUNDS.holding(round_) as locked:
        if not locked.is_scheduled:
            return round_
        locked.is_scheduled = False
        locked.save(update_fields=["is_scheduled", "updated_at"])
        record_event(actor=by, verb=AuditVerb.UNSCHEDULED, obj=locked, reason=reason)
    return round_


def _unschedule_if_incomplete(locked, *, by):
    """A schedule is agreed for a complete round: one that is no longer complete must
    not open by itself, so it waits until staff schedule it again."""
    if not locked.is_scheduled:
        return
    problems = round_problems(locked)
    if problems:
        unschedule_round(
            locked, by=by, reason=" ".join(str(problem) for problem in problems)
        )


def _set_closes_at(locked, closes_at, *, by, reason):
    old = locked.closes_at
    locked.closes_at = closes_at
    locked.save(update_fields=["closes_at", "updated_at"])
    record_deadline_change(locked, old, closes_at, by=by, reason=reason)


def open_round_now(round_, *, by, now=None):
    """Open a draft round at once; its opening time becomes now."""
    now = now or timezone.now()
    with ROUNDS.holding(round_) as locked:
        if locked.state != RoundState.DRAFT:
            raise RoundError(_("Only a draft round can be opened."))
        if locked.opens_at is None or locked.opens_at > now:
            if locked.closes_at is not None and locked.closes_at <= now:
                raise RoundError(CLOSING_PASSED)
            old = locked.opens_at
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
        set_round_state(locked, RoundState.OPEN, by=by, now=now)
    return round_


def close_round_now(round_, *, by, reason="", now=None):
    """Close an open round at once; its closing time becomes now."""
    now = now or timezone.now()
    with ROUNDS.holding(round_) as locked:
        if locked.state != RoundState.OPEN:
            raise RoundError(_("Only an open round can be closed."))
        if locked.closes_at > now:
            _set_closes_at(locked, now, by=by, reason=reason)
        set_round_state(locked, RoundState.CLOSED, by=by, reason=reason, now=now)
    return round_


def extend_deadline(round_, closes_at, *, by, reason="", now=None):
    """Move the closing time of an open round later."""
    now = now or timezone.now()
    with ROUNDS.holding(round_) as locked:
        if locked.state != RoundState.OPEN:
            raise RoundError(_("Only an open round's deadline can be extended."))
        if closes_at <= locked.closes_at:
            raise RoundError(_("The new deadline must be later than the current one."))
        if closes_at <= now:
            raise RoundError(DEADLINE_NOT_IN_FUTURE)
        if screening_started(locked):
            raise RoundError(
                _(
                    "Screening of this round's entries has started: it can no longer "
                    "be reopened."
                )
            )
        _set_closes_at(locked, closes_at, by=by, reason=reason)
    return round_


def reopen_round(round_, closes_at, *, by, reason="", now=None):
    """Open a closed round again, before judging starts, until a new deadline."""
    now = now or timezone.now()
    with ROUNDS.holding(round_) as locked:
        if locked.state != RoundState.CLOSED:
            raise RoundError(
                _("Only a closed round whose judging has not started can be reopened.")
            )
        if closes_at <= now:
            raise RoundError(DEADLINE_NOT_IN_FUTURE)
        if screening_started(locked):
            raise RoundError(
                _(
                    "Screening of this round's entries has started: it can no longer "
                    "be reopened."
                )
            )
        _set_closes_at(locked, closes_at, by=by, reason=reason)
        set_round_state(locked, RoundState.OPEN, by=by, reason=reason, now=now)
    return round_


def open_and_close_due_rounds(*, now=None):
    """Open scheduled rounds whose time has come and close those past their deadline.

    Run by beat; each round is handled in its own transaction so that one bad round
    does not hold up the others. A scheduled round that cannot open (it became
    incomplete, or its closing time passed before it could open) is unscheduled, so
    that staff see it needs them. Returns the ids opened and closed.
    """
    now = now or timezone.now()
    opened, closed = [], []
    due_to_open = Round.objects.filter(
        state=RoundState.DRAFT, is_scheduled=True, opens_at__lte=now
    )
    for pk in list(due_to_open.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                # Checked again under the lock: staff may have acted since the list
                # was read.
                round_ = due_to_open.select_for_update().filter(pk=pk).first()
                if round_ is None:
                    continue
                set_round_state(round_, RoundState.OPEN, by=None, now=now)
        except RoundError as error:
            reason = " ".join(str(part) for part in [error.message, *error.problems])
            logger.warning("Scheduled round %s did not open: %s", pk, reason)
            round_ = Round.objects.filter(pk=pk).first()
            if round_ is not None:
                unschedule_round(round_, by=None, reason=reason)
            continue
        opened.append(pk)
    due_to_close = Round.objects.filter(state=RoundState.OPEN, closes_at__lte=now)
    for pk in list(due_to_close.values_list("pk", flat=True)):
        with transaction.atomic():
            # A deadline extended since the list was read keeps the round open.
            round_ = due_to_close.select_for_update().filter(pk=pk).first()
            if round_ is None:
                continue
            set_round_state(round_, RoundState.CLOSED, by=None, now=now)
        closed.append(pk)
    return opened, closed


def update_round(round_, *, data, by):
    """Change the fields of a round that its state allows; audit what changed.

    A draft round may change everything here; once it has opened, only its texts.
    A scheduled round whose dates change, or that is no longer complete, is
    unscheduled: its schedule was agreed for the round as it was.
    """
    with ROUNDS.holding(round_) as locked:
        allowed = (
            EDITABLE_DRAFT_FIELDS
            if locked.state == RoundState.DRAFT
            else EDITABLE_ANY_STATE_FIELDS
        )
        changed = [
            field
            for field in EDITABLE_DRAFT_FIELDS
            if field in data and getattr(locked, field) != data[field]
        ]
        if set(changed) - set(allowed):
            raise RoundError(
                _(
                    "Once a round has opened, only its title, theme, rules and how "
                    "long its files are kept can change."
                )
            )
        if not changed:
            return round_
        for field in changed:
            setattr(locked, field, data[field])
        _check_dates_in_order(locked.opens_at, locked.closes_at)
        locked.save(update_fields=[*changed, "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={"fields": sorted(changed)},
        )
        if {"opens_at", "closes_at"} & set(changed):
            unschedule_round(
                locked, by=by, reason=str(_("The opening or closing time changed."))
            )
        else:
            _unschedule_if_incomplete(locked, by=by)
    return round_


def create_round(*, data, by):
    values = {k: v for k, v in data.items() if k in EDITABLE_DRAFT_FIELDS}
    _check_dates_in_order(values.get("opens_at"), values.get("closes_at"))
    with transaction.atomic():
        round_ = Round.objects.create(**values)
        record_event(actor=by, verb=AuditVerb.CREATED, obj=round_)
    return round_


CATEGORY_TEXT_FIELDS = (
    "name_en",
    "name_zh_hant",
    "description_en",
    "description_zh_hant",
)


def _check_category_editable(round_, fields):
    # Entrants rely on what an open category accepts; its wording may still be fixed.
    if round_.state == RoundState.DRAFT or set(fields) <= set(CATEGORY_TEXT_FIELDS):
        return
    raise RoundError(
        _(
            "Once a round is open only the names and descriptions of its categories "
            "can change."
        )
    )


def save_category(category, *, data, by):
    """Create or change a category of a round, within what the round's state allows."""
    with transaction.atomic():
        round_ = ROUNDS.locked(category.round)
        creating = category.pk is None
        if creating and round_.state != RoundState.DRAFT:
            raise RoundError(CATEGORIES_ADDED_IN_DRAFT)
        changed = [
            field for field, value in data.items() if getattr(category, field) != value
        ]
        if not creating:
            _check_category_editable(round_, changed)
        if not creating and not changed:
            return category
        for field in changed:
            setattr(category, field, data[field])
        category.media_kinds = [
            kind for kind in category.media_kinds if kind in MediaKind.values
        ]
        if (
            category.min_age is not None
            and category.max_age is not None
            and category.max_age < category.min_age
        ):
            raise RoundError(AGES_OUT_OF_ORDER)
        if creating:
            category.position = round_.categories.count()
            category.save()
        else:
            category.save(update_fields=[*changed, "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.CREATED if creating else AuditVerb.UPDATED,
            obj=category,
            data={"round": round_.pk, "fields": sorted(changed)},
        )
        _unschedule_if_incomplete(round_, by=by)
    return category


def delete_category(category, *, by):
    with transaction.atomic():
        round_ = ROUNDS.locked(category.round)
        if round_.state != RoundState.DRAFT:
            raise RoundError(CATEGORIES_REMOVED_IN_DRAFT)
        record_event(
            actor=by, verb=AuditVerb.DELETED, obj=category, data={"round": round_.pk}
        )
        Category.objects.filter(pk=category.pk).delete()
        _unschedule_if_incomplete(round_, by=by)
