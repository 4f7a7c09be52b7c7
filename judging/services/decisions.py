"""The panel's decisions, written down during the deliberation of a stage.

The chair of a closed stage's panel, or staff, record a note of what the panel
decided (``note_decision``); notes are kept as written and each is audited
with its text. A stage's outcome is then fixed by finalising it
(``judging.services.stage_setup.finalise_stage``, through the stage's
transition function): after that, no note is added.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.plain_text import MULTI_LINE, has_control_characters
from judging.enums import StageState
from judging.errors import StageError
from judging.models import DecisionNote, PanelMember, Stage

NOTE_MAX_LENGTH = 5000

NOT_CLOSED = _(
    "Decisions are noted while the stage is closed: before, judges are still "
    "scoring; once it is finalised, its outcome is fixed."
)
EMPTY = _("Write the decision before recording it.")
TOO_LONG = _("The note is too long: at most %(limit)s characters.")


def note_decision(stage, *, text, by):
    """Record ``text`` as a decision of the panel of ``stage``, a closed
    stage, written by ``by`` (its chair, or staff). Returns the note."""
    text = str(text or "").strip()
    if not text:
        raise StageError(EMPTY, code="empty")
    if len(text) > NOTE_MAX_LENGTH:
        raise StageError(TOO_LONG % {"limit": NOTE_MAX_LENGTH}, code="too_long")
    if has_control_characters(text, allow_line_breaks=True):
        raise StageError(MULTI_LINE, code="not_plain")
    with transaction.atomic():
        locked = Stage.objects.select_for_update().get(pk=stage.pk)
        if locked.state != StageState.CLOSED:
            raise StageError(NOT_CLOSED, code="not_closed")
        note = DecisionNote.objects.create(
            stage=locked,
            author=by,
            by_chair=PanelMember.objects.filter(
                stage=locked, judge_id=by.pk, is_chair=True
            ).exists(),
            text=text,
        )
        record_event(
            actor=by,
            verb=AuditVerb.DECISION_NOTED,
            obj=locked,
            data={"note": note.pk, "text": text},
        )
    return note
