from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.errors import AccountError
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue


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


def second_factor_response(request, *, json=False):
    """Where a person who lacks the second factor gets it: the set-up of an
    authenticator app, or the code of the one they have. A page keeps the address
    asked for in ``next``; a JSON endpoint answers 403 with the address. None for
    anybody else."""
    user = request.user
    if not (user.is_authenticated and user.lacks_second_factor):
        return None
    view = "mfa_reauthenticate" if has_totp(user) else "mfa_activate_totp"
    if json:
        return JsonResponse(
            {
                "error": "two_factor_required",
                "message": str(
                    _(
                        "Staff and judges need two-factor sign-in for this. Set up "
                        "your authenticator app, or enter its code, then try again."
                    )
                ),
                "url": reverse(view),
            },
            status=403,
        )
    return redirect(f"{reverse(view)}?{urlencode({'next': request.get_full_path()})}")


def reset_two_factor(user, *, by, reason):
    """Remove a user's authenticators (a lost phone), so that they set up a new one
    at their next sign-in, and tell them by mail in their language. Staff only;
    always audited with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise AccountError(
            _("Please give the reason for resetting the two-factor authentication.")
        )
    if by is not None and by.pk == user.pk:
        raise AccountError(
            _(
                "You cannot reset your own two-factor authentication. Ask another "
                "staff member, who can check that it is really you."
            )
        )
    with transaction.atomic():
        type(user).objects.select_for_update().filter(pk=user.pk).first()
        authenticators = Authenticator.objects.filter(user=user)
        removed = sorted(authenticators.values_list("type", flat=True))
        if not removed:
            raise AccountError(
                _("This person has no two-factor authentication to reset.")
            )
        authenticators.delete()
        event = record_event(
            actor=by,
            verb=AuditVerb.MFA_RESET,
            obj=user,
            reason=reason,
            data={"removed": removed},
        )
        if user.email:
            enqueue("accounts.mail_two_factor_reset", event.pk)
    return removed
