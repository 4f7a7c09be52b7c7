"""Small helpers every app's pages share: the data a form was posted with, a
moment in Hong Kong time, and a domain error with its problems as a message."""

from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

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
