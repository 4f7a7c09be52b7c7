"""Error pages, in the visitor's language.

400, 403, 404 and a CSRF failure render the site's layout with the request. The
500 page renders without the request: the error may be the database itself, and
the layout reads the session, the user and their permissions from it.

A JSON endpoint (a view marked with ``json_endpoint``), or a request that asks for
JSON only (the pages' scripts do), gets every error as JSON instead:
``{"error": code, "message": translated text}``, which the scripts show.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseServerError, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from artsprize.common.decorators import session_ended_login_url
from artsprize.common.i18n import set_language_cookie

logger = logging.getLogger(__name__)


def json_endpoint(view):
    """Mark ``view`` as answering JSON, so that its errors are JSON too, even
    those raised before or outside it (a 404 page, a CSRF failure, a 500)."""
    view.json_endpoint = True
    return view


def wants_json(request):
    """Whether an error answering ``request`` is to be JSON."""
    match = getattr(request, "resolver_match", None)
    if match is not None and getattr(match.func, "json_endpoint", False):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def json_error(code, message, *, status, **headers):
    """The JSON answer of every error of a JSON endpoint; ``headers`` by name
    with underscores (``Retry_After``)."""
    response = JsonResponse({"error": code, "message": str(message)}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def method_not_allowed(allowed):
    """The JSON answer to a request of another method than ``allowed``."""
    return json_error(
        "method_not_allowed",
        _("This address does not take that kind of request."),
        status=405,
        Allow=allowed,
    )


_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found"}


def _error(request, status, title, message, *, code=None, **extra):
    if wants_json(request):
        return json_error(code or _CODES[status], message, status=status)
    return render(
        request,
        "common/error.html",
        {"status": status, "title": title, "message": message, **extra},
        status=status,
    )


def bad_request(request, exception=None):
    return _error(
        request,
        400,
        _("Bad request"),
        _("The request could not be understood. Please go back and try again."),
    )


def permission_denied(request, exception=None):
    return _error(
        request,
        403,
        _("Not allowed"),
        _("You do not have permission to see this page."),
    )


def page_not_found(request, exception=None):
    return _error(
        request,
        404,
        _("Page not found"),
        _("There is no page at this address. It may have moved or been removed."),
    )


def server_error(request):
    message = _(
        "The portal could not finish your request. Nothing you sent was lost; "
        "please try again in a moment."
    )
    if wants_json(request):
        return json_error("server_error", message, status=500)
    context = {
        "status": 500,
        "title": _("Something went wrong"),
        "message": message,
        "html_lang": "zh-Hant-HK" if (get_language() or "").startswith("zh") else "en",
    }
    try:
        body = render_to_string("common/500.html", context)
    except Exception:
        # Even the template can fail (a missing static manifest, a broken
        # deployment): fall back to a page built here.
        logger.exception("The 500 page could not be rendered.")
        body = format_html(
            '<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>{}</title></head><body><main><h1>{}</h1><p>{}</p>"
            '<p><a href="/">{}</a></p></main></body></html>',
            context["html_lang"],
            context["title"],
            context["title"],
            context["message"],
            _("Go to the home page"),
        )
    return HttpResponseServerError(body)


# Hidden fields of a form that needs a sign-in (the entry form): the language of
# its page, and that sending it needs a sign-in.
PAGE_LANGUAGE_FIELD = "page_language"
NEEDS_SIGN_IN_FIELD = "needs_sign_in"


def _posted(request, name):
    try:
        return request.POST.get(name, "")
    except (MultiPartParserError, SuspiciousOperation, OSError):
        return ""


def _page_language(request):
    """The language of the page a refused form came from: with every cookie gone,
    the language cookie is gone too."""
    language = _posted(request, PAGE_LANGUAGE_FIELD)
    return language if language in dict(settings.LANGUAGES) else ""


def _page_sent_from(request):
    """The address of this site's page that sent the form, if the browser said."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def csrf_failure(request, reason=""):
    """The form's CSRF token did not match (cookies cleared, the sign-in ended, the
    page was open too long). Nothing was saved; what was typed is kept in the
    browser (static/js/draft_copy.js), and the page leads back to the form, where
    the copy is offered again, through the log-in page if needed."""
    language = _page_language(request)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
    back = _page_sent_from(request)
    extra = {}
    signed_out = not request.user.is_authenticated and _posted(
        request, NEEDS_SIGN_IN_FIELD
    )
    if back and not signed_out:
        extra = {"back_url": back, "back_label": _("Go back to the form")}
    elif back:
        extra = {
            "back_url": session_ended_login_url(back),
            "back_label": _("Log in and go back to the form"),
        }
    response = _error(
        request,
        403,
        _("Your form expired"),
        _(
            "For your security the form could not be sent, for example because "
            "you were logged out or the page was open for a long time. Nothing was "
            "saved."
        ),
        kept_message=_(
            "What you typed is kept in this browser: when you go back to the form, "
            "you can restore it."
        ),
        **extra,
        code="csrf_failed",
    )
    if language:
        set_language_cookie(response, language)
    return response
