from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from artsprize.accounts.two_factor import second_factor_response


def permission_required(perm, *, json=False):
    """Anonymous visitors are sent to sign in; signed-in people without the
    permission get "not allowed" (not a sign-in page they could do nothing with).

    Staff, judges and admins whose session has not passed two-factor sign-in have
    an entrant's rights only: when they lack the permission, they are sent to set up
    or enter their second factor, then come back (a JSON endpoint, ``json=True``,
    answers 403 saying so).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                response = second_factor_response(request, json=json)
                if response is not None:
                    return response
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
