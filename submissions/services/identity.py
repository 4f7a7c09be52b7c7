"""Revealing who made an entry: a deliberate staff action, always audited.

Judging reads entries blind (``submissions.blind``). When staff need to know who
is behind a work (a conflict of interest, a prize to announce, a rule to check)
they reveal the identity with a reason; the audit log keeps who, when and why,
and ``identity_reveals`` lists it for the entry's staff page.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.errors import DomainError
from artsprize.common.models import AuditEvent
from submissions.enums import GuardianState
from submissions.models import Entry

REASON_MAX_LENGTH = 2000


class IdentityError(DomainError):
    """An identity cannot be revealed. The message is for the person who asked;
    ``code`` names the refusal."""


@dataclass(frozen=True, slots=True)
class TeamMemberIdentity:
    name: str
    role: str
    is_minor: bool
    guardian_name: str


@dataclass(frozen=True, slots=True)
class GuardianIdentity:
    """The parent or guardian who consents for an entrant under 18."""

    name: str
    email: str
    state: GuardianState
    confirmed_at: datetime | None


@dataclass(frozen=True, slots=True)
class EntrantIdentity:
    """Who is behind an entry. Strings are empty where there is nothing to tell
    (an artist filed by a caseworker may have no e-mail address); ``filer_email``
    is the caseworker's address for an entry filed on the artist's behalf."""

    entry_id: int
    reference: str
    legal_name: str
    credit_name: str
    email: str
    phone: str
    filer_email: str
    team_members: tuple[TeamMemberIdentity, ...]
    guardian: GuardianIdentity | None


@dataclass(frozen=True, slots=True)
class IdentityReveal:
    """One reveal of an entry's identity, as the audit log holds it."""

    at: datetime
    by: str
    reason: str


def _identity(entry_id):
    entry = Entry.objects.select_related("entrant__profile", "filed_by").get(
        pk=entry_id
    )
    try:
        profile = entry.entrant.profile
    except ObjectDoesNotExist:
        profile = None
    guardian = None
    if entry.guardian_state != GuardianState.NOT_NEEDED or entry.guardian_name:
        guardian = GuardianIdentity(
            name=entry.guardian_name,
            email=entry.guardian_email,
            state=GuardianState(entry.guardian_state),
            confirmed_at=entry.guardian_confirmed_at,
        )
    return EntrantIdentity(
        entry_id=entry.pk,
        reference=entry.reference or "",
        legal_name=profile.legal_name if profile else "",
        credit_name=profile.credit_name if profile else "",
        email=entry.entrant.email or "",
        phone=profile.phone if profile else "",
        filer_email=(entry.filed_by.email or "") if entry.filed_by else "",
        team_members=tuple(
            TeamMemberIdentity(
                name=member.name,
                role=member.role,
                is_minor=member.is_minor,
                guardian_name=member.guardian_name,
            )
            for member in entry.team_members.order_by("position", "id")
        ),
        guardian=guardian,
    )


def reveal_identity(entry, *, by, reason):
    """Tell staff who made ``entry``, and record that they asked and why.

    Only staff who passed two-factor sign-in may (the
    ``submissions.reveal_identity`` permission); a reason is required. The
    audit event is written before the identity is read, in one transaction, so
    no identity leaves without its record.
    """
    if by is None or not by.has_perm("submissions.reveal_identity", entry):
        raise IdentityError(
            _(
                "Only staff who signed in with two-factor authentication may "
                "reveal who made an entry."
            ),
            code="not_allowed",
        )
    reason = (reason or "").strip()
    if not reason:
        raise IdentityError(
            _("Give the reason for revealing who made this entry."),
            code="no_reason",
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise IdentityError(
            _("Give the reason in at most %(limit)d characters.")
            % {"limit": REASON_MAX_LENGTH},
            code="reason_too_long",
        )
    with transaction.atomic():
        record_event(
            actor=by, verb=AuditVerb.IDENTITY_REVEALED, obj=entry, reason=reason
        )
        return _identity(entry.pk)


def identity_reveals(entry):
    """Every reveal of ``entry``'s identity, newest first."""
    return tuple(
        IdentityReveal(at=row["at"], by=row["actor_repr"], reason=row["reason"])
        for row in AuditEvent.objects.for_object(entry)
        .filter(verb=AuditVerb.IDENTITY_REVEALED)
        .order_by("-at", "-id")
        .values("at", "actor_repr", "reason")
    )
