from django import template
from django.utils.crypto import salted_hmac
from django.utils.translation import pgettext

from artsprize.common.i18n import localized as localized_value

register = template.Library()


@register.filter
def localized(obj, field):
    """``{{ round|localized:"title" }}``: the field in the active language."""
    return localized_value(obj, field)


@register.filter
def clock_duration(seconds):
    """A duration in seconds as a clock reads it: "0:07", "3:25", "1:02:03"."""
    if seconds in (None, ""):
        return ""
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


@register.filter
def colon(label):
    """``{{ _("Theme")|colon }}``: a label with the colon of the active language,
    "Theme:" in English, 「主題：」 in Chinese."""
    return pgettext("a label followed by its value", "%(label)s:") % {"label": label}


@register.filter
def draft_owner(user):
    """Whose copy of a form the browser keeps (static/js/draft_copy.js): a hash of
    the signed-in person, so that someone else signing in on the same browser never
    gets it, and that the browser's storage does not hold the account's id."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return salted_hmac("artsprize.draft-copy", str(user.pk)).hexdigest()[:24]
