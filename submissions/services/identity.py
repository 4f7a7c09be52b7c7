"""Revealing who made an entry: a deliberate staff action, always audited.

Judging reads entries blind (``submissions.blind``). When staff need to know who
is behind a work (a conflict of interest, a prize to announce, a rule to check)
they reveal the identity with a reason; the audit log keeps who, when and why,
and ``identity_reveals`` lists it for the entry's staff page.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.errors import DomainError
from artsprize.common.models import AuditEvent
from submissions.enums import GuardianState
from submissions.models import Entry, TeamMember

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
    date_of_birth: date | None
    filer_email: str
    team_members: tuple[TeamMemberIdentity, ...]
    guardian: GuardianIdentity | None


@dataclass(frozen=True, slots=True)
class IdentityReveal:
    """One reveal of an entry's identity, as the audit log holds it."""

    at: datetime
    by: str
    reason: str


_IDENTITY_COLUMNS = (
    "id",
    "reference",
    "entrant__email",
    "entrant__profile__legal_name",
    "entrant__profile__credit_name",
    "entrant__profile__phone",
    "entrant__profile__date_of_birth",
    "filed_by__email",
    "guardian_name",
    "guardian_email",
    "guardian_state",
    "guardian_confirmed_at",
)


def read_identities(entry_ids):
    """Who is behind each of ``entry_ids``: ``{entry ID: EntrantIdentity}``, in
    two queries however many there are (the entries with their people, then the
    teams). It records nothing: only the audited acts call it, after writing
    their event (``reveal_identity`` here, the exports with identity in
    ``services.exports``)."""
    rows = list(Entry.objects.filter(pk__in=list(entry_ids)).values(*_IDENTITY_COLUMNS))
    teams = {}
    for member in TeamMember.objects.filter(
        entry_id__in=[row["id"] for row in rows]
    ).order_by("entry_id", "position", "id"):
        teams.setdefault(member.entry_id, []).append(
            TeamMemberIdentity(
                name=member.name,
                role=member.role,
                is_minor=member.is_minor,
                guardian_name=member.guardian_name,
            )
        )
    identities = {}
    for row in rows:
        guardian = None
        if row["guardian_state"] != GuardianState.NOT_NEEDED or row["guardian_name"]:
            guardian = GuardianIdentity(
                name=row["guardian_name"],
                email=row["guardian_email"],
                state=GuardianState(row["guardian_state"]),
                confirmed_at=row["guardian_confirmed_at"],
            )
        identities[row["id"]] = EntrantIdentity(
            entry_id=row["id"],
            reference=row["reference"] or "",
            legal_name=row["entrant__profile__legal_name"] or "",
            credit_name=row["entrant__profile__credit_name"] or "",
            email=row["entrant__email"] or "",
            phone=row["entrant__profile__phone"] or "",
            date_of_birth=row["entrant__profile__date_of_birth"],
            filer_email=row["filed_by__email"] or "",
            team_members=tuple(teams.get(row["id"], ())),
            guardian=guardian,
        )
    return identities


def check_reason(reason, *, missing_message):
    """The reason given for an act that tells staff who made entries, cleaned;
    IdentityError when it is missing (``missing_message``) or too long."""
    reason = (reason or "").strip()
    if not reason:
        raise IdentityError(missing_message, code="no_reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise IdentityError(
            _("Give the reason in at most %(limit)d characters.")
            % {"limit": REASON_MAX_LENGTH},
            code="reason_too_long",
        )
    return reason


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
    reason = check_reason(
        reason,
        missing_message=_("Give the reason for revealing who made this entry."),
    )
    with transaction.atomic():
        record_event(
            actor=by, verb=AuditVerb.IDENTITY_REVEALED, obj=entry, reason=reason
        )
        return read_identities([entry.pk])[entry.pk]


def identity_reveals(entry):
    """Every reveal of ``entry``'s identity, newest first."""
    return tuple(
        IdentityReveal(at=row["at"], by=row["actor_repr"], reason=row["reason"])
        for row in AuditEvent.objects.for_object(entry)
        .filter(verb=AuditVerb.IDENTITY_REVEALED)
        .order_by("-at", "-id")
        .values("at", "actor_repr", "reason")
    )
