"""The one way a view declares who may use it: ``permission_required``, with the
object the permission is checked against when the URL names one.

A permission is a ``rules`` permission (see each app's ``rules.py``); staff and
judge rights in them need a session that passed two-factor sign-in, so the
requirement holds wherever a permission is asked, whatever the URL.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from artsprize.accounts.two_factor import second_factor_response
from artsprize.common.selectors import row_or_none


def lookup(queryset, *, url_kwarg="pk", field="pk"):
    """The object a URL names: ``queryset``'s row whose ``field`` is the URL's
    ``url_kwarg``, or None. For ``permission_required(..., obj=lookup(...))``."""

    def find(kwargs):
        value = kwargs.pop(url_kwarg)
        return row_or_none(queryset.filter(**{field: value}))

    return find


def _second_factor_would_allow(user, perm, obj):
    """Whether ``user`` lacks nothing but the second factor for ``perm`` on
    ``obj``."""
    if not (user.is_authenticated and user.lacks_second_factor):
        return False
    user.passed_two_factor = True
    try:
        return user.has_perm(perm, obj)
    finally:
        user.passed_two_factor = False


def permission_required(perm, *, obj=None, json=False, public=False, hidden=True):
    """Guard a view with ``perm``.

    Anonymous visitors are sent to sign in. Staff, judges and admins whose session
    has not passed two-factor sign-in have an entrant's rights only: when they lack
    the permission they are sent to set up or enter their second factor, then come
    back (a JSON endpoint, ``json=True``, answers 403 saying so).

    Without ``obj``, the permission is the view's as a whole; anybody else gets
    "not allowed". With ``obj`` (see ``lookup``), the object the URL names is found
    and checked; it is given to the view in place of the URL's argument. An object
    the person may not reach is "not found", exactly like one that does not exist,
    so that nobody learns what others have; staff and judges who lack only the
    second factor for it are sent to it. ``hidden=False``: "not allowed" instead,
    for pages whose objects are no secret, such as the staff pages of a round.

    ``public=True``: a page that visitors may see without signing in, when the
    rules give them the permission (a published call for entries).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not (public or request.user.is_authenticated):
                return redirect_to_login(request.get_full_path())
            target = None
            if obj is not None:
                target = obj(kwargs)
                if target is None:
                    raise Http404
            if request.user.has_perm(perm, target):
                if obj is None:
                    return view(request, *args, **kwargs)
                return view(request, target, *args, **kwargs)
            if obj is not None and hidden:
                # Nobody is sent through two-factor sign-in to a page that would
                # then be "not found" for them.
                if _second_factor_would_allow(request.user, perm, target):
                    return second_factor_response(request, json=json)
                raise Http404
            response = second_factor_response(request, json=json)
            if response is not None:
                return response
            raise PermissionDenied

        return wrapped

    return decorator
