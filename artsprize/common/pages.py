"""Small helpers every app's pages share: the data a form was posted with, a
moment in Hong Kong time, a domain error with its problems as a message, the
mark of a public page, and moving an item of an ordered list."""

import functools

from django.contrib import messages
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from artsprize.common.form_fields import HONG_KONG


def posted(request):
    """The form data of a POST, None for any other method (an unbound form)."""
    return request.POST if request.method == "POST" else None


def hong_kong_time(moment):
    """``moment`` as staff read it: a date and time in Hong Kong."""
    return formats.date_format(timezone.localtime(moment, HONG_KONG), "DATETIME_FORMAT")


def error_message(error):
    """A domain error's message, with its problems listed below it (HTML)."""
    if not error.problems:
        return error.message
    return format_html(
        '{}<ul class="mb-0 mt-2">{}</ul>',
        error.message,
        format_html_join("", "<li>{}</li>", ((problem,) for problem in error.problems)),
    )


def public_page(view):
    """Give the pages of ``view`` the public look: the prize's header and footer,
    with the organiser's credit, and static/css/public.css (docs/DESIGN.md).

    The public face of the prize (home, a round's call, news, the gallery, privacy
    and terms) wears it; the pages of entrants, judges and staff keep the plain
    look of their work. Error pages raised inside ``view`` wear it too. A class-based
    view takes it as ``method_decorator(public_page, name="dispatch")``.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.public_page = True
        return view(request, *args, **kwargs)

    return wrapper


def move_up_or_down(request, move, *, name, errors):
    """Move an item of an ordered list (a criterion, an award) up or down as
    the form asks (``direction``): ``move(up=…)`` is the service, returning
    whether it moved; a refusal (one of ``errors``) or an item already at the
    end is told to the person."""
    up = request.POST.get("direction") != "down"
    try:
        moved = move(up=up)
    except errors as error:
        messages.error(request, error_message(error))
        return
    if not moved:
        text = (
            _("“%(name)s” is already first.")
            if up
            else _("“%(name)s” is already last.")
        )
        messages.info(request, text % {"name": name})
