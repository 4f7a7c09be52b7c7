"""Forms of the staff pages for rounds and categories.

They validate what was typed and hand ``cleaned_data`` to the services in
``submissions.services.rounds``; the services decide what a round's state allows.
Every text is plain text: it is stored as typed and escaped wherever it is shown.
"""

import datetime
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.plain_text import control_character_problem
from submissions.enums import MediaKind
from submissions.models import Category, Round
from submissions.models.rounds import MB
from submissions.services.rounds import AGES_OUT_OF_ORDER, DATES_OUT_OF_ORDER

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
# Ten times the default video limit: a generous ceiling that still catches a typo.
LARGEST_FILE_MB = 40960


def _require_texts(form):
    """A round or category that has opened keeps every text in both languages."""
    for name in form.text_fields:
        if name in form.fields:
            form.fields[name].required = True


def _need_one_language(form, field, message):
    """``<field>_en`` or ``<field>_zh_hant`` must be given (cleaned data)."""
    names = (f"{field}_en", f"{field}_zh_hant")
    if (
        names[0] in form.fields
        and not any(form.has_error(name) for name in names)
        and not any(form.cleaned_data.get(name) for name in names)
    ):
        form.add_error(names[0], message)


def _model_field(model, name, **overrides):
    """A form field with the model field's label, help text and length."""
    return model._meta.get_field(name).formfield(**overrides)


def _text_input(lang):
    return forms.TextInput(attrs={"lang": lang, "dir": "auto"})


def _textarea(lang, rows):
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

    Seconds are dropped: rounds open and close on the minute.
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


def _limit_fields(form, editable):
    if editable is not None:
        for name in list(form.fields):
            if name not in editable:
                del form.fields[name]


class RoundForm(PlainTextFormMixin, forms.Form):
    """A round's texts, dates and numbers.

    ``editable`` names the fields the round's state lets change; the others are
    left out. ``complete`` requires every text in both languages, as a round that
    has left its draft must keep them.
    """

    title_en = _model_field(Round, "title_en", widget=_text_input("en"))
    title_zh_hant = _model_field(Round, "title_zh_hant", widget=_text_input("zh-Hant"))
    theme_en = _model_field(Round, "theme_en", widget=_text_input("en"))
    theme_zh_hant = _model_field(Round, "theme_zh_hant", widget=_text_input("zh-Hant"))
    rules_en = _model_field(Round, "rules_en", widget=_textarea("en", 8))
    rules_zh_hant = _model_field(Round, "rules_zh_hant", widget=_textarea("zh-Hant", 8))
    year = _model_field(Round, "year", min_value=EARLIEST_YEAR, max_value=LATEST_YEAR)
    opens_at = _model_field(
        Round,
        "opens_at",
        form_class=HongKongDateTimeField,
        label=_("Opens (Hong Kong time)"),
        help_text=_("To the minute."),
    )
    closes_at = _model_field(
        Round,
        "closes_at",
        form_class=HongKongDateTimeField,
        label=_("Closes (Hong Kong time)"),
        help_text=_("To the minute. The deadline for entries."),
    )
    entry_cap = _model_field(Round, "entry_cap", min_value=1, max_value=100)
    minimum_age = _model_field(Round, "minimum_age", min_value=0, max_value=120)
    upload_grace_minutes = _model_field(
        Round, "upload_grace_minutes", min_value=0, max_value=24 * 60
    )
    retention_months = _model_field(
        Round, "retention_months", min_value=1, max_value=600
    )

    single_line_fields = ("title_en", "title_zh_hant", "theme_en", "theme_zh_hant")
    multi_line_fields = ("rules_en", "rules_zh_hant")
    text_fields = single_line_fields + multi_line_fields

    def __init__(self, *args, editable=None, complete=False, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_fields(self, editable)
        if complete:
            _require_texts(self)

    def clean(self):
        cleaned_data = super().clean()
        _need_one_language(
            self, "title", _("Give the round a title in English or in Chinese.")
        )
        for name in ("opens_at", "closes_at"):
            # A moment stored with seconds (by the admin or the demo data) is shown
            # to the minute; sending it back unchanged must not move it.
            initial = self.initial.get(name)
            value = cleaned_data.get(name)
            if (
                initial is not None
                and value is not None
                and initial.replace(second=0, microsecond=0) == value
            ):
                cleaned_data[name] = initial
        opens_at = cleaned_data.get("opens_at")
        closes_at = cleaned_data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", DATES_OUT_OF_ORDER)
        return cleaned_data


class CloseRoundForm(PlainTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=_("Kept in the audit log."),
    )

    single_line_fields = ("reason",)


class DeadlineForm(PlainTextFormMixin, forms.Form):
    """A new closing time and why: to extend an open round or reopen a closed one."""

    closes_at = HongKongDateTimeField(
        label=_("New closing time (Hong Kong time)"), help_text=_("To the minute.")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=_("Kept in the audit log."),
    )

    single_line_fields = ("reason",)


SIZE_FIELDS = {
    MediaKind.IMAGE: ("max_image_mb", "max_image_bytes"),
    MediaKind.VIDEO: ("max_video_mb", "max_video_bytes"),
    MediaKind.AUDIO: ("max_audio_mb", "max_audio_bytes"),
    MediaKind.DOCUMENT: ("max_document_mb", "max_document_bytes"),
}


def _size_field(label):
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=LARGEST_FILE_MB,
        help_text=_("In megabytes (1 MB = 1,048,576 bytes)."),
    )


def bytes_to_mb(value):
    """Megabytes for display, rounded up so that a limit never looks smaller."""
    return -(-value // MB)


class CategoryForm(PlainTextFormMixin, forms.Form):
    """A category's settings. Size limits are typed in MB and saved in bytes."""

    name_en = _model_field(Category, "name_en", widget=_text_input("en"))
    name_zh_hant = _model_field(Category, "name_zh_hant", widget=_text_input("zh-Hant"))
    description_en = _model_field(Category, "description_en", widget=_textarea("en", 4))
    description_zh_hant = _model_field(
        Category, "description_zh_hant", widget=_textarea("zh-Hant", 4)
    )
    media_kinds = forms.MultipleChoiceField(
        label=_("Accepted media"),
        choices=MediaKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of media.")},
    )
    max_files = _model_field(Category, "max_files", min_value=1, max_value=50)
    max_image_mb = _size_field(_("Largest image (MB)"))
    max_video_mb = _size_field(_("Largest video (MB)"))
    max_audio_mb = _size_field(_("Largest audio file (MB)"))
    max_document_mb = _size_field(_("Largest document (MB)"))
    min_age = _model_field(Category, "min_age", min_value=0, max_value=120)
    max_age = _model_field(Category, "max_age", min_value=0, max_value=120)
    statement_word_limit = _model_field(
        Category, "statement_word_limit", min_value=1, max_value=5000
    )
    allows_teams = _model_field(Category, "allows_teams")

    single_line_fields = ("name_en", "name_zh_hant")
    multi_line_fields = ("description_en", "description_zh_hant")
    text_fields = single_line_fields + multi_line_fields

    def __init__(self, *args, category=None, editable=None, complete=False, **kwargs):
        category = category or Category()
        initial = {
            "name_en": category.name_en,
            "name_zh_hant": category.name_zh_hant,
            "description_en": category.description_en,
            "description_zh_hant": category.description_zh_hant,
            "media_kinds": list(category.media_kinds),
            "max_files": category.max_files,
            "min_age": category.min_age,
            "max_age": category.max_age,
            "statement_word_limit": category.statement_word_limit,
            "allows_teams": category.allows_teams,
        }
        for mb_field, bytes_field in SIZE_FIELDS.values():
            initial[mb_field] = bytes_to_mb(getattr(category, bytes_field))
        self._bytes = {
            bytes_field: getattr(category, bytes_field)
            for _mb, bytes_field in SIZE_FIELDS.values()
        }
        super().__init__(
            *args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs
        )
        editable_form_fields = None
        if editable is not None:
            by_bytes = {bytes_field: mb for mb, bytes_field in SIZE_FIELDS.values()}
            editable_form_fields = {by_bytes.get(name, name) for name in editable}
        _limit_fields(self, editable_form_fields)
        if complete:
            _require_texts(self)

    def clean(self):
        cleaned_data = super().clean()
        _need_one_language(
            self, "name", _("Give the category a name in English or in Chinese.")
        )
        min_age = cleaned_data.get("min_age")
        max_age = cleaned_data.get("max_age")
        if min_age is not None and max_age is not None and max_age < min_age:
            self.add_error("max_age", AGES_OUT_OF_ORDER)
        for mb_field, bytes_field in SIZE_FIELDS.values():
            if mb_field not in cleaned_data:
                continue
            megabytes = cleaned_data.pop(mb_field)
            # A limit set in bytes elsewhere is shown rounded; sent back unchanged,
            # it keeps its exact value.
            if megabytes == self.initial.get(mb_field):
                cleaned_data[bytes_field] = self._bytes[bytes_field]
            else:
                cleaned_data[bytes_field] = megabytes * MB
        return cleaned_data
