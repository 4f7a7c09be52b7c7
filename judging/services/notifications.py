"""The mails of judging: each function is what one mail task does, in the
recipient's language. Each reads the object afresh and sends nothing when what
caused the mail no longer holds (an invitation withdrawn, accepted, or sent
again since with a new link)."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from artsprize.accounts.selectors import staff_to_tell
from artsprize.common.mail import mail_person, send_templated_mail
from artsprize.common.models import OutboxMessage
from judging.enums import StageState
from judging.models import JudgeInvitation, Stage
from judging.selectors.conflicts import counted_judges
from judging.services.invitations import (
    MAIL_TASK,
    InvitationState,
    hash_token,
    invitation_state,
    invitation_url,
)
from judging.services.reminders import judges_with_work_left
from submissions.blind import NotJudgeable, blind_entry

logger = logging.getLogger(__name__)


def _forget_token(invitation_id, token):
    """Erase the token from the outbox message that carried it: once the mail
    has left, the database keeps only its hash. (The mail task runs under the
    message's lock and marks it done in the same transaction.)"""
    OutboxMessage.objects.filter(task=MAIL_TASK, args=[invitation_id, token]).update(
        args=[invitation_id, ""]
    )


def send_judge_invitation(invitation_id, token):
    """Mail the invitation's link to the invited address, in the invitation's
    language: the prize, the round and the stage, what judging asks, the stage's
    closing time and the link's expiry (Hong Kong time)."""
    invitation = (
        JudgeInvitation.objects.select_related("stage__round")
        .filter(pk=invitation_id)
        .first()
    )
    try:
        if (
            invitation is None
            or not token
            or invitation.token_hash != hash_token(token)
            or invitation_state(invitation) != InvitationState.SENT
        ):
            logger.info("Invitation %s is not waiting; no mail sent.", invitation_id)
            return
        send_templated_mail(
            "judging/mail/judge_invitation",
            to=[invitation.email],
            language=invitation.language,
            context={
                "invitation": invitation,
                "stage": invitation.stage,
                "round": invitation.stage.round,
                "link": invitation_url(token, language=invitation.language),
            },
        )
    finally:
        _forget_token(invitation_id, token)


def send_entry_short_of_judges(stage_id, entry_id):
    """Tell every member of staff, in their language, that a conflict left an
    entry of an open stage with fewer judges whose scores count than the stage's
    minimum, with the link to reassign it. Nothing is sent when that no longer
    holds (staff reassigned it already, the stage closed)."""
    stage = Stage.objects.select_related("round").filter(pk=stage_id).first()
    if stage is None or stage.state != StageState.OPEN:
        logger.info("Stage %s is not open; no mail sent.", stage_id)
        return
    counted = counted_judges(stage_id, entry_id)
    if counted >= stage.min_judges:
        logger.info("Entry %s has its judges again; no mail sent.", entry_id)
        return
    try:
        reference = blind_entry(entry_id).reference
    except NotJudgeable:
        logger.info("Entry %s is no longer judged; no mail sent.", entry_id)
        return
    link = settings.SITE_URL.rstrip("/") + reverse(
        "manage:stage_assignments", args=[stage.pk]
    )
    for person in staff_to_tell():
        mail_person(
            person,
            "judging/mail/entry_short_of_judges",
            {
                "stage": stage,
                "round": stage.round,
                "reference": reference,
                "counted": counted,
                "minimum": stage.min_judges,
                "link": f"{link}?show=below",
            },
        )


def send_judge_reminder(stage_id, judge_id):
    """Remind a judge, in their language, of the works they have left to score
    in an open stage (how many, and how many of them are drafts not
    submitted), of its closing time (Hong Kong time) and of the link to their
    list. Nothing is sent when the stage has closed or the judge has scored
    everything since."""
    stage = Stage.objects.select_related("round").filter(pk=stage_id).first()
    if stage is None or stage.state != StageState.OPEN:
        logger.info("Stage %s is not open; no reminder sent.", stage_id)
        return
    left, drafts = judges_with_work_left(stage_id).get(judge_id, (0, 0))
    judge = get_user_model().objects.filter(pk=judge_id, is_active=True).first()
    if judge is None or not left:
        logger.info("Judge %s has nothing left to score; no reminder sent.", judge_id)
        return
    mail_person(
        judge,
        "judging/mail/judge_reminder",
        {
            "stage": stage,
            "round": stage.round,
            "left": left,
            "drafts": drafts,
            "link": settings.SITE_URL.rstrip("/")
            + reverse("judging:queue", args=[stage.pk]),
        },
    )
