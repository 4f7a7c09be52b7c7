"""Who sits on a stage's panel, and who chairs it: the one place membership
changes. Each change is audited on the stage."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.enums import Role
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from judging.enums import StageState
from judging.errors import JudgingError
from judging.models import PanelMember, Stage

NOT_A_JUDGE = _("Only people with the judge role sit on a panel.")
STAGE_FINALISED = _("The panel of a finalised stage does not change.")


def _locked_stage(stage):
    return Stage.objects.select_for_update().get(pk=stage.pk)


@transaction.atomic
def add_panel_member(stage, judge, *, by, chair=False):
    """Put ``judge`` on the panel of ``stage`` (as its chair with ``chair``,
    who then replaces the former chair). Returns the membership; adding a member
    again changes only the chair."""
    locked = _locked_stage(stage)
    if locked.state == StageState.FINALISED:
        raise JudgingError(STAGE_FINALISED, code="stage_finalised")
    if not (judge.is_active and judge.has_role(Role.JUDGE)):
        raise JudgingError(NOT_A_JUDGE, code="not_a_judge")
    member = PanelMember.objects.filter(stage=locked, judge=judge).first()
    if member is None:
        try:
            with transaction.atomic():
                member = PanelMember.objects.create(stage=locked, judge=judge)
        except IntegrityError:
            member = PanelMember.objects.get(stage=locked, judge=judge)
        else:
            record_event(
                actor=by,
                verb=AuditVerb.PANEL_JOINED,
                obj=locked,
                data={"judge": judge.pk},
            )
    if chair and not member.is_chair:
        set_chair(locked, judge, by=by)
        member.refresh_from_db()
    return member


@transaction.atomic
def set_chair(stage, judge, *, by):
    """Make ``judge`` (a member) the chair of ``stage``; None leaves it without."""
    locked = _locked_stage(stage)
    PanelMember.objects.filter(stage=locked, is_chair=True).update(is_chair=False)
    if judge is not None:
        PanelMember.objects.filter(stage=locked, judge=judge).update(is_chair=True)
    record_event(
        actor=by,
        verb=AuditVerb.UPDATED,
        obj=locked,
        data={"chair": judge.pk if judge is not None else None},
    )


@transaction.atomic
def remove_panel_member(stage, judge, *, by):
    """Take ``judge`` off the panel. Their assignments of the stage stay (with
    any score) until staff remove or reassign them; returns whether they sat on
    it."""
    locked = _locked_stage(stage)
    if locked.state == StageState.FINALISED:
        raise JudgingError(STAGE_FINALISED, code="stage_finalised")
    deleted, _rows = PanelMember.objects.filter(stage=locked, judge=judge).delete()
    if deleted:
        record_event(
            actor=by,
            verb=AuditVerb.PANEL_LEFT,
            obj=locked,
            data={"judge": judge.pk},
        )
    return bool(deleted)
