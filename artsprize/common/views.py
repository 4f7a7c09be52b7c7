from django.shortcuts import render
from django.utils.translation import gettext as _


def _error(request, status, title, message):
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
    return _error(
        request,
        500,
        _("Something went wrong"),
        _(
            "The portal could not finish your request. Nothing you sent was lost; "
            "please try again in a moment."
        ),
    )


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
    )
