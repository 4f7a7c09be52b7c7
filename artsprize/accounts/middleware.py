from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from artsprize.accounts.two_factor import has_totp, session_passed_two_factor

# Staff, judges and admins reach these only after signing in with a second factor.
PROTECTED_PREFIXES = ("/manage/", "/judging/", "/admin/")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(PROTECTED_PREFIXES)
            and user.needs_two_factor
        ):
            query = urlencode({"next": request.get_full_path()})
            if not has_totp(user):
                messages.warning(
                    request,
                    _(
                        "Set up two-factor authentication with an authenticator app "
                        "before you continue: staff and judges need it."
                    ),
                )
                return redirect(f"{reverse('mfa_activate_totp')}?{query}")
            if not session_passed_two_factor(request, user):
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)
