"""Forms of the staff pages for rounds and categories.

They validate what was typed and hand ``cleaned_data`` to the services in
``submissions.services.rounds``; the services decide what a round's state allows.
Every text is plain text: it is stored as typed and escaped wherever it is shown.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from artsprize.common.form_fields import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    HongKongDateTimeField,
    PlainTextFormMixin,
    model_field,
    text_input,
    textarea,
)
from submissions.enums import MediaKind
from submissions.models import Category, Round
from submissions.models.rounds import MB
from submissions.services.rounds import AGES_OUT_OF_ORDER, DATES_OUT_OF_ORDER

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

    title_en = model_field(Round, "title_en", widget=text_input("en"))
    title_zh_hant = model_field(Round, "title_zh_hant", widget=text_input("zh-Hant"))
    theme_en = model_field(Round, "theme_en", widget=text_input("en"))
    theme_zh_hant = model_field(Round, "theme_zh_hant", widget=text_input("zh-Hant"))
    rules_en = model_field(Round, "rules_en", widget=textarea("en", 8))
    rules_zh_hant = model_field(Round, "rules_zh_hant", widget=textarea("zh-Hant", 8))
    year = model_field(Round, "year", min_value=EARLIEST_YEAR, max_value=LATEST_YEAR)
    opens_at = model_field(
        Round,
        "opens_at",
        form_class=HongKongDateTimeField,
        label=_("Opens (Hong Kong time)"),
        help_text=_("To the minute."),
    )
    closes_at = model_field(
        Round,
        "closes_at",
        form_class=HongKongDateTimeField,
        label=_("Closes (Hong Kong time)"),
        help_text=_("To the minute. The deadline for entries."),
    )
    entry_cap = model_field(Round, "entry_cap", min_value=1, max_value=100)
    minimum_age = model_field(Round, "minimum_age", min_value=0, max_value=120)
    upload_grace_minutes = model_field(
        Round, "upload_grace_minutes", min_value=0, max_value=24 * 60
    )
    retention_months = model_field(
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

    name_en = model_field(Category, "name_en", widget=text_input("en"))
    name_zh_hant = model_field(Category, "name_zh_hant", widget=text_input("zh-Hant"))
    description_en = model_field(Category, "description_en", widget=textarea("en", 4))
    description_zh_hant = model_field(
        Category, "description_zh_hant", widget=textarea("zh-Hant", 4)
    )
    media_kinds = forms.MultipleChoiceField(
        label=_("Accepted media"),
        choices=MediaKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of media.")},
    )
    max_files = model_field(Category, "max_files", min_value=1, max_value=50)
    max_image_mb = _size_field(_("Largest image (MB)"))
    max_video_mb = _size_field(_("Largest video (MB)"))
    max_audio_mb = _size_field(_("Largest audio file (MB)"))
    max_document_mb = _size_field(_("Largest document (MB)"))
    min_age = model_field(Category, "min_age", min_value=0, max_value=120)
    max_age = model_field(Category, "max_age", min_value=0, max_value=120)
    statement_word_limit = model_field(
        Category, "statement_word_limit", min_value=1, max_value=5000
    )
    allows_teams = model_field(Category, "allows_teams")

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
