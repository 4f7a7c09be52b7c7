"""Advancing entries from one stage to the next.

A stage that follows another (``Stage.previous``) judges the entries staff
choose from that stage's ranking: its *selection*. While the stage is being set
up, staff save a selection (``save_selection``) as often as they like, then
close it (``close_selection``), which makes the stage's assignments. Saving a
different selection after closing opens it again and drops the assignments
made for the old one: a stage opens only with a closed selection
(``judging.services.stages.stage_problems``).

Closing a selection records its entries' outcome at the stage before
(``Stage.outcome``: longlisted or shortlisted; a shortlisted entry's files are
kept past the round's retention through ``mark_shortlisted``) and finalises
the stage before, through its transition function, if it is only closed: the
scores that chose the entries no longer change. Entrants are told nothing: the
outcome reaches them when the results are published.

Each change runs under a lock of the stage's row and is audited on it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from judging.enums import StageOutcome, StageState
from judging.errors import StageError
from judging.models import Assignment, PanelMember, Score, Stage, StageEntry
from judging.services.assignment import make_assignments
from judging.services.stages import set_stage_state
from submissions.services.rounds import mark_shortlisted

# The states of the stage before in which its entries may advance: its scores
# no longer change.
DECIDED_STATES = frozenset({StageState.CLOSED, StageState.FINALISED})

FIRST_STAGE = _(
    "A first stage judges the eligible entries of its categories: there is "
    "nothing to choose."
)
ONLY_IN_SETUP = _(
    "The entries of a stage are chosen while it is being set up: once it has "
    "opened, they no longer change."
)
PREVIOUS_NOT_CLOSED = _(
    "Entries advance once “%(previous)s” has closed: its scores must no longer change."
)
NOT_FROM_PREVIOUS = _(
    "Choose entries that “%(previous)s” judged in this stage's categories."
)
NOTHING_CHOSEN = _("Choose at least one entry before closing the selection.")
NO_PANEL = _("Add judges to the panel before closing the selection.")


def _locked(stage):
    return (
        Stage.objects.select_for_update(of=("self",))
        .select_related("previous", "round")
        .get(pk=stage.pk)
    )


def _check_can_choose(locked):
    if locked.previous_id is None:
        raise StageError(FIRST_STAGE, code="first_stage")
    if locked.state != StageState.SETUP:
        raise StageError(ONLY_IN_SETUP, code="not_in_setup")
    if locked.previous.state not in DECIDED_STATES:
        raise StageError(
            PREVIOUS_NOT_CLOSED % {"previous": locked.previous.name},
            code="previous_open",
        )


def selectable_entries(stage):
    """``{entry_id: category_id}``: the entries of the stage before in this
    stage's categories, which staff may choose (one query)."""
    return dict(
        StageEntry.objects.filter(
            stage_id=stage.previous_id,
            category_id__in=stage.categories.values("pk"),
        ).values_list("entry_id", "category_id")
    )


def _drop_assignments(stage):
    Score.objects.filter(assignment__stage_id=stage.pk).delete()
    Assignment.objects.filter(stage_id=stage.pk).delete()


def _record_selection(locked, *, by, added, removed, reopened):
    record_event(
        actor=by,
        verb=AuditVerb.SELECTION_SAVED,
        obj=locked,
        data={
            "from_stage": locked.previous_id,
            "chosen": sorted(added),
            "dropped": sorted(removed),
            "reopened": reopened,
        },
    )


def settings_changed(locked, *, by):
    """After a change of a stage's ``previous``, categories or outcome in
    set-up (``stage_setup.update_stage``, under its lock): entries no longer
    selectable leave the stage, and a closed selection opens again (its
    assignments dropped), as it may no longer be what staff closed."""
    if locked.previous_id is None:
        return
    allowed = selectable_entries(locked)
    gone = (
        set(StageEntry.objects.filter(stage=locked).values_list("entry_id", flat=True))
        - allowed.keys()
    )
    if not gone and locked.selection_closed_at is None:
        return
    _drop_assignments(locked)
    StageEntry.objects.filter(stage=locked, entry_id__in=gone).delete()
    was_closed = locked.selection_closed_at is not None
    locked.selection_closed_at = None
    locked.save(update_fields=["selection_closed_at", "updated_at"])
    _record_selection(locked, by=by, added=(), removed=gone, reopened=was_closed)


@transaction.atomic
def save_selection(stage, entry_ids, *, by):
    """Make ``entry_ids`` the entries of ``stage``, a stage in set-up that
    follows another which has closed. Choosing the same entries again changes
    nothing; a different choice opens a closed selection again and drops its
    assignments. Returns ``(added, removed)``."""
    locked = _locked(stage)
    _check_can_choose(locked)
    wanted = {int(entry_id) for entry_id in entry_ids}
    allowed = selectable_entries(locked)
    if not wanted <= allowed.keys():
        raise StageError(
            NOT_FROM_PREVIOUS % {"previous": locked.previous.name},
            code="not_from_previous",
        )
    present = set(
        StageEntry.objects.filter(stage=locked).values_list("entry_id", flat=True)
    )
    added, removed = wanted - present, present - wanted
    if not added and not removed:
        return 0, 0
    was_closed = locked.selection_closed_at is not None
    if was_closed or removed:
        _drop_assignments(locked)
    if removed:
        StageEntry.objects.filter(stage=locked, entry_id__in=removed).delete()
    StageEntry.objects.bulk_create(
        [
            StageEntry(stage=locked, entry_id=entry_id, category_id=allowed[entry_id])
            for entry_id in sorted(added)
        ],
        batch_size=5000,
    )
    if was_closed:
        locked.selection_closed_at = None
        locked.save(update_fields=["selection_closed_at", "updated_at"])
    _record_selection(locked, by=by, added=added, removed=removed, reopened=was_closed)
    return len(added), len(removed)


@transaction.atomic
def close_selection(stage, *, by, now=None):
    """Close the selection of ``stage``: make its assignments
    (``make_assignments``), record its entries' outcome, and finalise the
    stage before if it is only closed. Closing a closed selection changes
    nothing. Returns True when it was closed now."""
    now = now or timezone.now()
    locked = _locked(stage)
    _check_can_choose(locked)
    if locked.selection_closed_at is not None:
        return False
    entry_ids = list(
        StageEntry.objects.filter(stage=locked).values_list("entry_id", flat=True)
    )
    if not entry_ids:
        raise StageError(NOTHING_CHOSEN, code="nothing_chosen")
    if not PanelMember.objects.filter(stage=locked).exists():
        raise StageError(NO_PANEL, code="no_panel")
    make_assignments(locked, by=by)
    previous = locked.previous
    if previous.state == StageState.CLOSED:
        set_stage_state(
            previous,
            StageState.FINALISED,
            by=by,
            reason=str(
                _("Its entries advanced to “%(next)s”.") % {"next": locked.name}
            ),
        )
    if locked.outcome == StageOutcome.SHORTLISTED:
        mark_shortlisted(entry_ids, by=by, now=now)
    locked.selection_closed_at = now
    locked.save(update_fields=["selection_closed_at", "updated_at"])
    record_event(
        actor=by,
        verb=AuditVerb.SELECTION_CLOSED,
        obj=locked,
        data={
            "from_stage": previous.pk,
            "outcome": locked.outcome,
            "entries": len(entry_ids),
        },
    )
    return True
