from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from artsprize.accounts.two_factor import second_factor_response


def admin_login(request, extra_context=None):
    """Replace the admin's login form: sign-in happens through the portal's own
    pages (with two-factor authentication); the admin only checks who is signed in."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    second_factor = second_factor_response(request)
    if second_factor is not None:
        return second_factor
    if request.user.is_active and request.user.is_staff:
        return redirect(next_url if next_url.startswith("/admin/") else "admin:index")
    raise PermissionDenied
