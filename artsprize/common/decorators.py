from functools import wraps

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.shortcuts import redirect, resolve_url

SESSION_ENDED_PARAMETER = "session_ended"


def session_ended_login_url(next_path):
    """The log-in page for someone whose session ended while a form was open: it
    says why it appeared, then goes back to ``next_path``."""
    query = QueryDict(mutable=True)
    query[REDIRECT_FIELD_NAME] = next_path
    query[SESSION_ENDED_PARAMETER] = "1"
    return f"{resolve_url(settings.LOGIN_URL)}?{query.urlencode(safe='/')}"


def login_required_for_forms(view):
    """``login_required``, except that a form sent without a sign-in (the session
    ended while the page was open) reaches a log-in page that says so, instead of
    one that appears without a word."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            return redirect(session_ended_login_url(request.get_full_path()))
        return redirect_to_login(request.get_full_path())

    return wrapped
