from functools import update_wrapper

from django.contrib import admin

from artsprize.accounts.admin_login import admin_login
from artsprize.accounts.two_factor import second_factor_response


class PortalAdminSite(admin.AdminSite):
    """The Django admin, for staff who passed two-factor sign-in.

    It signs nobody in itself (its login form would skip the second factor): the
    portal's own sign-in does. Staff, judges and admins whose session has not
    passed two-factor sign-in are sent to set up or enter their second factor.
    """

    def has_permission(self, request):
        return super().has_permission(request) and request.user.passed_two_factor

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapped(request, *args, **kwargs):
            response = second_factor_response(request)
            if response is not None:
                return response
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapped, inner)

    def login(self, request, extra_context=None):
        return admin_login(request, extra_context)
