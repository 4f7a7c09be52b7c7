from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.db import transaction

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb


def has_totp(user):
    return Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()


def session_passed_two_factor(request, user):
    """Whether this session signed in, or re-authenticated, with a second factor."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, user)
    )


def reset_two_factor(user, *, by, reason):
    """Remove a user's authenticators (a lost phone), so that they set up a new one
    at their next sign-in. Staff only; always audited with the reason."""
    with transaction.atomic():
        removed = list(
            Authenticator.objects.filter(user=user).values_list("type", flat=True)
        )
        Authenticator.objects.filter(user=user).delete()
        record_event(
            actor=by,
            verb=AuditVerb.MFA_RESET,
            obj=user,
            reason=reason,
            data={"removed": sorted(removed)},
        )
    return removed
