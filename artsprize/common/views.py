"""Error pages, in the visitor's language.

400, 403, 404 and a CSRF failure render the site's layout with the request. The
500 page renders without the request: the error may be the database itself, and
the layout reads the session, the user and their permissions from it.

A JSON endpoint (a view marked with ``json_endpoint``), or a request that asks for
JSON only (the pages' scripts do), gets every error as JSON instead:
``{"error": code, "message": translated text}``, which the scripts show.
"""

import logging

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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


_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found"}


def _error(request, status, title, message, *, code=None):
    if wants_json(request):
        return json_error(code or _CODES[status], message, status=status)
    return render(
        request,
        "common/error.html",
        {"status": status, "title": title, "message": message},
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


def csrf_failure(request, reason=""):
    return _error(
        request,
        403,
        _("Your form expired"),
        _(
            "For your security the form had to be refreshed, for example because "
            "you were signed out or the page was open for a long time. Go back, "
            "reload the page and send it again."
        ),
        code="csrf_failed",
    )
