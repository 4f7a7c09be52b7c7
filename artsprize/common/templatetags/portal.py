from django import template

from artsprize.common.i18n import localized as localized_value

register = template.Library()


@register.filter
def localized(obj, field):
    """``{{ round|localized:"title" }}``: the field in the active language."""
    return localized_value(obj, field)
