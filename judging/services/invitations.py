"""Staff invite a judge to a stage's panel by e-mail: a one-time link that
creates an account or attaches to one, and puts its holder on the panel.

The link carries a random token (``secrets.token_urlsafe(32)``); only its
SHA-256 is kept, in ``JudgeInvitation.token_hash``, and it is compared by hash.
The token travels once, through the outbox, to the mail task, which sends the
mail in the invitation's language and then erases the token from the outbox
message (``notifications.send_judge_invitation``). An invitation is valid
``JUDGE_INVITATION_DAYS`` days (14 unless set); sending it again makes a new
token, so that the former link stops working. Every change is audited, never
with the token.
"""

import datetime
import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.enums import Language, Role
from artsprize.accounts.roles import grant_role
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue
from judging.enums import StageState
from judging.errors import InvitationError
from judging.models import JudgeInvitation, PanelMember, Stage
from judging.services.panels import add_panel_member

MAIL_TASK = "judging.mail_judge_invitation"
# The longest token a link may carry: anything longer is no token of ours, and
# is refused before it is hashed.
TOKEN_MAX_LENGTH = 100

INVALID_EMAIL = _("Enter a valid e-mail address.")
INVALID_LANGUAGE = _("Choose the language of the invitation.")
STAGE_FINALISED = _("This stage is finalised: its panel no longer changes.")
ALREADY_ON_PANEL = _("Somebody with this e-mail address sits on this panel already.")
ALREADY_INVITED = _(
    "This address has an invitation to this stage waiting. Send it again from the "
    "list instead."
)
UNKNOWN = _(
    "This invitation link is not valid. Please use the link from the latest "
    "invitation mail exactly as it was sent."
)
USED = _(
    "This invitation was accepted already: the link works once. Sign in to reach "
    "your judging pages."
)
EXPIRED = _(
    "This invitation has expired. Please ask the prize's staff to send it to you again."
)
WITHDRAWN = _("This invitation was withdrawn. Please ask the prize's staff.")
NOT_PENDING = _("Only an invitation that was not accepted or withdrawn can change.")


class InvitationState:
    """The state of an invitation as staff see it (not stored: derived)."""

    SENT = "sent"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


STATE_LABELS = {
    InvitationState.SENT: _("Sent"),
    InvitationState.ACCEPTED: _("Accepted"),
    InvitationState.EXPIRED: _("Expired"),
    InvitationState.WITHDRAWN: _("Withdrawn"),
}


def invitation_days():
    """How many days an invitation's link works (read when one is sent)."""
    return settings.JUDGE_INVITATION_DAYS


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_state(invitation, *, now=None):
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.withdrawn_at is not None:
        return InvitationState.WITHDRAWN
    if invitation.expires_at <= (now or timezone.now()):
        return InvitationState.EXPIRED
    return InvitationState.SENT


def invitation_url(token, *, language=None):
    """The link of the mail: it carries the mail's language, so that the page
    opens in it whatever the visitor's browser last showed."""
    path = reverse("judge_invitation", args=[token])
    query = f"?{urlencode({'lang': language})}" if language else ""
    return f"{settings.SITE_URL.rstrip('/')}{path}{query}"


def _clean_email(email):
    email = str(email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvitationError(INVALID_EMAIL, code="invalid_email") from None
    return email


def _check_stage(stage):
    if stage.state == StageState.FINALISED:
        raise InvitationError(STAGE_FINALISED, code="stage_finalised")


def _check_not_on_panel(stage, email):
    if PanelMember.objects.filter(stage=stage, judge__email__iexact=email).exists():
        raise InvitationError(ALREADY_ON_PANEL, code="already_on_panel")


def _new_token(invitation, *, now):
    """Give ``invitation`` a fresh token and expiry; returns the token."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = now + datetime.timedelta(days=invitation_days())
    return token


@transaction.atomic
def invite_judge(stage, *, email, language, as_chair=False, by, now=None):
    """Invite ``email`` to the panel of ``stage`` (as its chair with
    ``as_chair``) and mail them the link, in ``language``, once the transaction
    commits. Returns the invitation."""
    now = now or timezone.now()
    email = _clean_email(email)
    if language not in Language.values:
        raise InvitationError(INVALID_LANGUAGE, code="invalid_language")
    # Two staff members inviting the same address at once: one invitation.
    locked = Stage.objects.select_for_update().get(pk=stage.pk)
    _check_stage(locked)
    _check_not_on_panel(locked, email)
    if JudgeInvitation.objects.filter(
        stage=locked,
        email__iexact=email,
        accepted_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=now,
    ).exists():
        raise InvitationError(ALREADY_INVITED, code="already_invited")
    invitation = JudgeInvitation(
        stage=locked,
        email=email,
        language=language,
        as_chair=bool(as_chair),
        invited_by=by,
    )
    token = _new_token(invitation, now=now)
    invitation.save()
    record_event(
        actor=by,
        verb=AuditVerb.JUDGE_INVITED,
        obj=invitation,
        data={"stage": locked.pk, "language": language, "as_chair": bool(as_chair)},
    )
    enqueue(MAIL_TASK, invitation.pk, token)
    return invitation


def _locked(invitation):
    return (
        JudgeInvitation.objects.select_for_update(of=("self",))
        .select_related("stage")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def resend_invitation(invitation, *, by, now=None):
    """Mail the invitation again with a new link, valid afresh; the former link
    stops working. An expired invitation can be sent again, an accepted or
    withdrawn one cannot."""
    now = now or timezone.now()
    locked = _locked(invitation)
    if locked.accepted_at is not None or locked.withdrawn_at is not None:
        raise InvitationError(NOT_PENDING, code="not_pending")
    _check_stage(locked.stage)
    _check_not_on_panel(locked.stage, locked.email)
    token = _new_token(locked, now=now)
    locked.created_at = now
    locked.save(update_fields=["token_hash", "expires_at", "created_at"])
    record_event(
        actor=by,
        verb=AuditVerb.JUDGE_INVITED,
        obj=locked,
        data={"stage": locked.stage_id, "resent": True},
    )
    enqueue(MAIL_TASK, locked.pk, token)
    return locked


@transaction.atomic
def withdraw_invitation(invitation, *, by, now=None):
    """Withdraw an invitation not yet accepted: its link stops working. Returns
    whether it was withdrawn now (False when it was already)."""
    locked = _locked(invitation)
    if locked.withdrawn_at is not None:
        return False
    if locked.accepted_at is not None:
        raise InvitationError(
            _(
                "This invitation was accepted already. Remove the judge from the "
                "panel instead."
            ),
            code="accepted",
        )
    locked.withdrawn_at = now or timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    record_event(
        actor=by,
        verb=AuditVerb.INVITATION_WITHDRAWN,
        obj=locked,
        data={"stage": locked.stage_id},
    )
    return True


def token_key(token):
    """What a browser keeps of a link's token between its pages: the hash, or
    "" for what cannot be a token of ours."""
    token = str(token or "")
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return ""
    return hash_token(token)


def invitation_for_hash(token_hash, *, user=None, now=None):
    """The invitation whose token has the SHA-256 ``token_hash``, with its
    stage and round.

    ``InvitationError`` with code ``unknown`` (no such token), ``used``,
    ``expired`` or ``withdrawn``. An invitation that ``user`` accepted is
    returned: they may follow their link again (a double click)."""
    invitation = (
        JudgeInvitation.objects.select_related("stage__round", "accepted_by")
        .filter(token_hash=str(token_hash or ""))
        .first()
        if token_hash
        else None
    )
    if invitation is None:
        raise InvitationError(UNKNOWN, code="unknown")
    _check_usable(invitation, user=user, now=now)
    return invitation


def invitation_for_token(token, *, user=None, now=None):
    """The invitation of a link's ``token`` (see ``invitation_for_hash``)."""
    return invitation_for_hash(token_key(token), user=user, now=now)


def _check_usable(invitation, *, user, now):
    state = invitation_state(invitation, now=now)
    if state == InvitationState.ACCEPTED:
        if user is not None and invitation.accepted_by_id == user.pk:
            return
        raise InvitationError(USED, code="used")
    if state == InvitationState.WITHDRAWN:
        raise InvitationError(WITHDRAWN, code="withdrawn")
    if state == InvitationState.EXPIRED:
        raise InvitationError(EXPIRED, code="expired")


def account_for(invitation):
    """The account with the invited address, if there is one."""
    return (
        get_user_model().objects.filter(email__iexact=invitation.email).first()
        if invitation.email
        else None
    )


@transaction.atomic
def accept_invitation(invitation, *, user, now=None):
    """``user`` accepts the invitation: they get the judge role and join the
    stage's panel (as its chair if invited so). Accepting twice (a double click)
    changes nothing the second time. Returns the invitation.

    The role and the membership are recorded as the judge's own doing: it is
    they who acted, by the link that staff gave them; the staff member who
    invited them is in the invitation and its audit trail."""
    now = now or timezone.now()
    locked = _locked(invitation)
    _check_usable(locked, user=user, now=now)
    if locked.accepted_at is not None:
        return locked
    _check_stage(locked.stage)
    grant_role(user, Role.JUDGE, by=user)
    add_panel_member(locked.stage, user, by=user, chair=locked.as_chair)
    locked.accepted_at = now
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    record_event(
        actor=user,
        verb=AuditVerb.INVITATION_ACCEPTED,
        obj=locked,
        data={
            "stage": locked.stage_id,
            "invited_by": locked.invited_by_id,
            # Attached to an account with another address than the invited one.
            "other_address": (user.email or "").lower() != locked.email.lower(),
        },
    )
    return locked


@transaction.atomic
def create_judge_account(invitation, *, password, now=None):
    """Create an account with the invited address for the holder of the link,
    and accept the invitation with it. The address counts as verified: the link
    that reached it proves it. Refused when an account has the address."""
    locked = _locked(invitation)
    _check_usable(locked, user=None, now=now)
    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=locked.email).exists():
        raise InvitationError(
            _("An account with this address exists already: sign in first."),
            code="account_exists",
        )
    user = user_model.objects.create_user(
        email=locked.email, password=password, language=locked.language
    )
    EmailAddress.objects.create(
        user=user, email=locked.email, primary=True, verified=True
    )
    record_event(
        actor=user,
        verb=AuditVerb.CREATED,
        obj=user,
        data={"invitation": locked.pk},
    )
    accept_invitation(locked, user=user, now=now)
    return user
