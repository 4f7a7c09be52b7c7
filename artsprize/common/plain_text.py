"""What plain text typed into a form may hold: no control characters, and in a
single line no line breaks. Each form field asks here, so that every field says
the same thing in the same words."""

import unicodedata

from django.utils.translation import gettext_lazy as _

LINE_BREAKS = frozenset("\n\r\t")
# Overrides and isolates of writing direction: in a name they can make
# "gpj.exe" read "exe.jpg". Marks (U+200E, U+200F) stay allowed.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

SINGLE_LINE = _("Please remove line breaks and control characters.")
MULTI_LINE = _("Please remove control characters.")


def has_control_characters(value, *, allow_line_breaks=False, allow_direction=True):
    """Whether ``value`` holds a control character: line breaks (and the Unicode
    line and paragraph separators) count unless ``allow_line_breaks``; overrides
    of writing direction unless ``allow_direction``."""
    for char in value:
        category = unicodedata.category(char)
        if category in {"Zl", "Zp"} or char in LINE_BREAKS:
            if not allow_line_breaks:
                return True
        elif category == "Cc" or (char in DIRECTION_CONTROLS and not allow_direction):
            return True
    return False


def control_character_problem(value, *, multi_line=False):
    """The message for a field whose text holds what plain text may not, or ""."""
    if value and has_control_characters(value, allow_line_breaks=multi_line):
        return MULTI_LINE if multi_line else SINGLE_LINE
    return ""
