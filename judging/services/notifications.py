"""The mails of judging: each function is what one mail task does, in the
recipient's language. Each reads the object afresh and sends nothing when what
caused the mail no longer holds (an invitation withdrawn, accepted, or sent
again since with a new link)."""

import logging

from artsprize.common.mail import send_templated_mail
from artsprize.common.models import OutboxMessage
from judging.models import JudgeInvitation
from judging.services.invitations import (
    MAIL_TASK,
    InvitationState,
    hash_token,
    invitation_state,
    invitation_url,
)

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
