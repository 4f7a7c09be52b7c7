"""Conflicts of interest: a judge may not judge an entry they have a tie to.

A judge declares one on an entry of their own assignment, before or after
opening it; staff set or lift one on any judge and entry of a stage. While a
conflict stands, the judge's assignments of the entry leave their queue and
their scores of it do not count (``judging.rules.is_conflicted``). The reason
is for staff only. Lifting deletes the conflict; the audit log keeps both.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue
from judging.enums import StageState
from judging.errors import JudgingError
from judging.models import Assignment, Conflict, Stage, StageEntry
from judging.selectors.conflicts import counted_judges

REASON_MAX_LENGTH = 2000
SHORT_MAIL_TASK = "judging.mail_staff_entry_short_of_judges"
REASON_NEEDED = _("Say briefly what ties you, or the panel member, to the work.")
REASON_TOO_LONG = _("The reason is too long: at most %(limit)s characters.")
NOT_IN_STAGE = _("This entry is not judged in this stage.")


def _check_reason(reason):
    reason = str(reason or "").strip()
    if not reason:
        raise JudgingError(REASON_NEEDED, code="reason_needed")
    if len(reason) > REASON_MAX_LENGTH or "\x00" in reason:
        raise JudgingError(
            REASON_TOO_LONG % {"limit": REASON_MAX_LENGTH}, code="reason_too_long"
        )
    return reason


def _queue_short_warnings(conflict):
    """Tell staff, after the commit, of each open stage where the conflict
    leaves the entry with fewer judges whose scores count than the stage's
    minimum: they reassign it."""
    stages = Stage.objects.filter(
        state=StageState.OPEN,
        assignments__judge_id=conflict.judge_id,
        assignments__entry_id=conflict.entry_id,
    ).distinct()
    for stage in stages:
        if counted_judges(stage.pk, conflict.entry_id) < stage.min_judges:
            enqueue(SHORT_MAIL_TASK, stage.pk, conflict.entry_id)


def _record(conflict, *, stage, by, reason):
    try:
        with transaction.atomic():
            conflict.save()
    except IntegrityError:
        # Declared twice (a double click, or staff and judge at once): one stands.
        return Conflict.objects.get(
            judge_id=conflict.judge_id, entry_id=conflict.entry_id
        )
    record_event(
        actor=by,
        verb=AuditVerb.CONFLICT_DECLARED,
        obj=stage,
        reason=reason,
        data={"judge": conflict.judge_id, "entry": conflict.entry_id},
    )
    _queue_short_warnings(conflict)
    return conflict


@transaction.atomic
def declare_conflict(assignment, *, reason, by):
    """The judge of ``assignment`` declares a conflict with its entry."""
    reason = _check_reason(reason)
    return _record(
        Conflict(
            judge_id=assignment.judge_id,
            entry_id=assignment.entry_id,
            reason=reason,
            declared_by=by,
        ),
        stage=assignment.stage,
        by=by,
        reason=reason,
    )


@transaction.atomic
def set_conflict(stage, judge, entry_id, *, reason, by):
    """Staff record a conflict of ``judge`` with an entry of ``stage``."""
    reason = _check_reason(reason)
    in_stage = (
        StageEntry.objects.filter(stage=stage, entry_id=entry_id).exists()
        or Assignment.objects.filter(stage=stage, entry_id=entry_id).exists()
    )
    if not in_stage:
        raise JudgingError(NOT_IN_STAGE, code="not_in_stage")
    return _record(
        Conflict(judge=judge, entry_id=entry_id, reason=reason, declared_by=by),
        stage=stage,
        by=by,
        reason=reason,
    )


@transaction.atomic
def lift_conflict(conflict, *, stage, by, reason=""):
    """Staff lift a conflict: the judge's assignments of the entry return to
    their queue, and their scores count again. Returns whether it stood."""
    deleted, _rows = Conflict.objects.filter(pk=conflict.pk).delete()
    if deleted:
        record_event(
            actor=by,
            verb=AuditVerb.CONFLICT_LIFTED,
            obj=stage,
            reason=str(reason or "").strip(),
            data={"judge": conflict.judge_id, "entry": conflict.entry_id},
        )
    return bool(deleted)
