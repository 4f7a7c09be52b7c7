from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from artsprize.accounts.two_factor import has_totp, session_passed_two_factor

# Staff, judges and admins reach these only after signing in with a second factor.
PROTECTED_PREFIXES = ("/manage/", "/judging/", "/admin/")


class RequireTwoFactorMiddleware:
    """Staff, judges and Django-admin users reach the staff, judging and admin
    pages only with a second factor: without one they are sent to set it up, and a
    session that did not pass it is asked for a code. Either way the page they
    wanted is kept in ``next``.

    The TOTP set-up page explains why it is shown (``user.needs_two_factor``), so
    no message is added here: this middleware runs before the message middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path_info.startswith(PROTECTED_PREFIXES)
            and user.needs_two_factor
        ):
            query = urlencode({"next": request.get_full_path()})
            if not has_totp(user):
                return redirect(f"{reverse('mfa_activate_totp')}?{query}")
            if not session_passed_two_factor(request, user):
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)
