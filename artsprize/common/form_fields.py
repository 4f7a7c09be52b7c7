"""Form pieces every app's forms share: moments typed in Hong Kong time, fields
made from a model's own, text inputs that say their language, and plain text
without control characters."""

import datetime
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.plain_text import control_character_problem

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def model_field(model, name, **overrides):
    """A form field with the model field's label, help text and length."""
    return model._meta.get_field(name).formfield(**overrides)


def text_input(lang):
    return forms.TextInput(attrs={"lang": lang, "dir": "auto"})


def textarea(lang, rows):
    return forms.Textarea(attrs={"lang": lang, "dir": "auto", "rows": rows})


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date and time picker, to the minute."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"step": 60, **(attrs or {})}, format=DATETIME_LOCAL_FORMAT
        )


class HongKongDateTimeField(forms.DateTimeField):
    """A moment typed and shown in Hong Kong time, whatever zone is active.

    Seconds are dropped: rounds and stages open and close on the minute.
    """

    widget = DateTimeLocalInput
    input_formats = [
        DATETIME_LOCAL_FORMAT,
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    default_error_messages = {
        "out_of_range": _(
            "Enter a date between the years %(earliest)s and %(latest)s."
        ),
    }

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return value.astimezone(HONG_KONG)
        return value

    def to_python(self, value):
        with timezone.override(HONG_KONG):
            result = super().to_python(value)
        if result is None:
            return None
        # Checked before any arithmetic: year 1 in Hong Kong is before year 1 in UTC,
        # which Python cannot represent.
        if not EARLIEST_YEAR <= result.year <= LATEST_YEAR:
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
            )
        return result.astimezone(HONG_KONG).replace(second=0, microsecond=0)


class PlainTextFormMixin:
    """Refuses control characters; single-line fields refuse line breaks as well."""

    single_line_fields = ()
    multi_line_fields = ()

    def clean(self):
        cleaned_data = super().clean()
        for name in self.single_line_fields:
            problem = control_character_problem(cleaned_data.get(name))
            if problem:
                self.add_error(name, problem)
        for name in self.multi_line_fields:
            problem = control_character_problem(cleaned_data.get(name), multi_line=True)
            if problem:
                self.add_error(name, problem)
        return cleaned_data

    def changed_values(self, obj):
        """The cleaned values that differ from ``obj``'s: what saving would change."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if getattr(obj, name) != value
        }
