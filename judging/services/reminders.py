"""Reminders to the judges of an open stage who still have works to score.

Staff send one from the stage's page whenever they wish (not twice within a few
minutes: a double click mails once); beat sends one 48 hours and one 6 hours
before the stage closes, each once per stage. Each goes, through the outbox,
to every judge of the panel with work left: assignments without a submitted
score, conflicted ones not counted. The mail task reads the stage again and
sends nothing to a judge who has since scored everything, or once the stage
has closed.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue
from artsprize.common.pages import hong_kong_time
from judging.enums import StageState
from judging.errors import StageError
from judging.models import Assignment, PanelMember, Stage
from judging.selectors.conflicts import conflicted

MAIL_TASK = "judging.mail_judge_reminder"
# A second manual reminder within this time is refused (a double click, two
# members of staff at once).
MANUAL_PAUSE = datetime.timedelta(minutes=10)
# Beat's reminders, by the field that records each, latest last: a stage that
# reaches a later moment without the earlier reminder gets only the later one.
AUTOMATIC = (
    ("reminded_48h_at", datetime.timedelta(hours=48)),
    ("reminded_6h_at", datetime.timedelta(hours=6)),
)


def work_left(stage_id):
    """The assignments of a stage still to be scored by a judge of its panel
    (active): no submitted score, no conflict."""
    return (
        Assignment.objects.filter(stage_id=stage_id, judge__is_active=True)
        .filter(
            Exists(
                PanelMember.objects.filter(
                    stage_id=OuterRef("stage_id"), judge_id=OuterRef("judge_id")
                )
            )
        )
        .exclude(conflicted())
        .exclude(score__submitted_at__isnull=False)
    )


def judges_with_work_left(stage_id):
    """``{judge_id: (works left, drafts among them)}`` for a stage. One query."""
    rows = (
        work_left(stage_id)
        .order_by()
        .values("judge_id")
        .annotate(
            left=Count("pk"),
            drafts=Count("pk", filter=Q(score__saved_at__isnull=False)),
        )
        .values_list("judge_id", "left", "drafts")
    )
    return {judge_id: (left, drafts) for judge_id, left, drafts in rows}


def _send(stage, judge_ids):
    for judge_id in sorted(judge_ids):
        enqueue(MAIL_TASK, stage.pk, judge_id)


def remind_judges(stage, *, by, now=None):
    """Mail every judge of an open stage's panel who has works left to score,
    in their language. Returns how many judges were reminded. Refused when the
    stage is not open, or when judges were reminded by staff less than
    ``MANUAL_PAUSE`` ago."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Stage.objects.select_for_update().get(pk=stage.pk)
        if locked.state != StageState.OPEN:
            raise StageError(
                _("Reminders go only to the judges of an open stage."),
                code="not_open",
            )
        if locked.reminded_at is not None and locked.reminded_at > now - MANUAL_PAUSE:
            raise StageError(
                _(
                    "Judges were reminded at %(sent)s, Hong Kong time. A new "
                    "reminder can be sent from %(next)s."
                )
                % {
                    "sent": hong_kong_time(locked.reminded_at),
                    "next": hong_kong_time(locked.reminded_at + MANUAL_PAUSE),
                },
                code="too_soon",
            )
        judges = judges_with_work_left(locked.pk)
        if not judges:
            return 0
        locked.reminded_at = now
        locked.save(update_fields=["reminded_at", "updated_at"])
        _send(locked, judges)
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={"fields": ["reminded_at"], "judges": len(judges)},
        )
    stage.reminded_at = now
    return len(judges)


def _not_sent(field, before):
    """A stage whose reminder ``field`` has not left for its present closing
    time: never, or before that time's moment (the closing time was moved
    later since, by reopening or editing the stage)."""
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__lt": F("closes_at") - before}
    )


def remind_judges_before_closing(*, now=None):
    """Beat: remind the judges with work left of every open stage 48 hours and
    6 hours before it closes, each reminder once per stage and closing time
    (claimed by a conditional update, so that two beats at once send it once).
    Returns the stage ids reminded, by field."""
    now = now or timezone.now()
    reminded = {}
    for index, (field, before) in enumerate(AUTOMATIC):
        due = Stage.objects.filter(
            _not_sent(field, before),
            state=StageState.OPEN,
            closes_at__gt=now,
            closes_at__lte=now + before,
        )
        if index + 1 < len(AUTOMATIC):
            due = due.filter(closes_at__gt=now + AUTOMATIC[index + 1][1])
        ids = []
        for pk in due.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                claimed = Stage.objects.filter(
                    _not_sent(field, before), pk=pk, state=StageState.OPEN
                ).update(**{field: now})
                if not claimed:
                    continue
                ids.append(pk)
                judges = judges_with_work_left(pk)
                if not judges:
                    continue
                stage = Stage.objects.get(pk=pk)
                _send(stage, judges)
                record_event(
                    actor=None,
                    verb=AuditVerb.UPDATED,
                    obj=stage,
                    data={"fields": [field], "judges": len(judges)},
                )
        reminded[field] = ids
    return reminded


def reminder_summary(stage):
    """What the staff stage page shows of reminders: ``waiting``, how many
    judges of the panel have works left to score (one query); ``manual``,
    ``before_48h``, ``before_6h``: when each reminder last left."""
    return {
        "waiting": len(judges_with_work_left(stage.pk)),
        "manual": stage.reminded_at,
        "before_48h": stage.reminded_48h_at,
        "before_6h": stage.reminded_6h_at,
    }
