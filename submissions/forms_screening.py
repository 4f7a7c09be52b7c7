"""Forms of the screening pages: the queue's filters, a decision on one entry or on
a selection, and the reason templates. The services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from artsprize.common.form_fields import PlainTextFormMixin
from submissions.enums import ScreeningState
from submissions.models import ScreeningReason
from submissions.selectors.screening import FLAG_CHOICES
from submissions.services.screening import NOTE_MAX_LENGTH, REASON_MAX_LENGTH


class ScreeningFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("All")
    )
    screening = forms.ChoiceField(
        label=_("Screening"),
        choices=[("", _("All")), *ScreeningState.choices],
        required=False,
    )
    flag = forms.ChoiceField(
        label=_("Flag"), choices=[("", _("Any")), *FLAG_CHOICES], required=False
    )
    problems = forms.BooleanField(
        label=_("Only entries with a file not ready"), required=False
    )

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = round_.categories.all()

    def filters(self):
        """The filters for ``screening_entries``; none where the form is invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "category": data["category"],
            "screening": data["screening"],
            "flag": data["flag"],
            "problems": data["problems"],
        }


def _reason_choice_field():
    return forms.ModelChoiceField(
        label=_("Reason"),
        queryset=ScreeningReason.objects.filter(is_active=True),
        required=False,
        empty_label=_("(choose a reason, or write one)"),
    )


def _written_reason_field():
    return forms.CharField(
        label=_("Or write the reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("The entrant reads it as written, in either language."),
    )


class ScreeningDecisionForm(PlainTextFormMixin, forms.Form):
    """A decision on one entry; the button pressed gives the decision."""

    multi_line_fields = ("text",)
    single_line_fields = ("content_warning_note",)

    decision = forms.ChoiceField(choices=ScreeningState.choices)
    seen = forms.ChoiceField(choices=ScreeningState.choices, widget=forms.HiddenInput)
    template = _reason_choice_field()
    text = _written_reason_field()
    content_warning = forms.BooleanField(
        label=_("Content warning for judges"), required=False
    )
    content_warning_note = forms.CharField(
        label=_("Note judges read first"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("For example: depicts violence, self-harm or nudity."),
    )


class BulkScreeningForm(PlainTextFormMixin, forms.Form):
    """One decision for the entries selected in the queue. Each selected box
    carries the entry's ID and the screening shown (``12:unscreened``)."""

    multi_line_fields = ("text",)

    entries = forms.MultipleChoiceField(required=True)
    decision = forms.ChoiceField(
        label=_("Mark the selected entries"),
        choices=[
            (ScreeningState.ELIGIBLE, _("Eligible")),
            (ScreeningState.INELIGIBLE, _("Not eligible")),
            (ScreeningState.UNSCREENED, _("Not screened yet")),
        ],
    )
    template = _reason_choice_field()
    text = _written_reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].error_messages["required"] = _(
            "Select at least one entry."
        )

    def clean_entries(self):
        seen = {}
        for value in self.cleaned_data["entries"]:
            pk, _sep, state = value.partition(":")
            if not pk.isdigit() or state not in ScreeningState.values:
                raise forms.ValidationError(_("The selection could not be read."))
            seen[int(pk)] = state
        return seen

    # Any value passes the field; clean_entries reads it.
    def full_clean(self):
        self.fields["entries"].choices = [
            (value, value)
            for value in (self.data.getlist("entries") if self.data else [])
        ]
        super().full_clean()


def _reason_field(name, **overrides):
    return ScreeningReason._meta.get_field(name).formfield(**overrides)


class ScreeningReasonForm(PlainTextFormMixin, forms.Form):
    multi_line_fields = ("text_en", "text_zh_hant")

    text_en = _reason_field(
        "text_en",
        widget=forms.Textarea(attrs={"rows": 2, "lang": "en", "dir": "auto"}),
    )
    text_zh_hant = _reason_field(
        "text_zh_hant",
        widget=forms.Textarea(attrs={"rows": 2, "lang": "zh-Hant", "dir": "auto"}),
    )
    position = _reason_field("position")
    is_active = _reason_field(
        "is_active",
        help_text=_("Offered when screening. Entries keep a reason given before."),
    )
