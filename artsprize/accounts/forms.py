from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.enums import Language
from artsprize.accounts.models import EntrantProfile
from artsprize.accounts.services import create_entrant_profile

OLDEST_AGE = 120


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def clean_date_of_birth(value):
    today = timezone.localdate()
    if value > today:
        raise forms.ValidationError(_("The date of birth cannot be in the future."))
    if value.year < today.year - OLDEST_AGE:
        raise forms.ValidationError(_("Please check the year of your date of birth."))
    return value


def clean_single_line(value):
    """Names are one line of plain text; control characters are refused."""
    if any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in value):
        raise forms.ValidationError(
            _("Please remove line breaks and control characters.")
        )
    return value.strip()


class ProfileFieldsMixin:
    def clean_date_of_birth(self):
        return clean_date_of_birth(self.cleaned_data["date_of_birth"])

    def clean_legal_name(self):
        return clean_single_line(self.cleaned_data["legal_name"])

    def clean_credit_name(self):
        return clean_single_line(self.cleaned_data["credit_name"])

    def clean_phone(self):
        phone = clean_single_line(self.cleaned_data["phone"])
        allowed = set("0123456789+-() ")
        if phone and not set(phone) <= allowed:
            raise forms.ValidationError(
                _("Use only digits, spaces, “+”, “-” and brackets in a phone number.")
            )
        return phone


PROFILE_FORM_FIELDS = [
    "legal_name",
    "credit_name",
    "date_of_birth",
    "hong_kong_based",
    "phone",
]
PROFILE_HELP_TEXTS = {
    "legal_name": _("Used only by the prize's staff, never shown to judges."),
    "phone": _("Optional. Only staff use it, to reach you about your entry."),
}


def profile_fields():
    fields = forms.fields_for_model(
        EntrantProfile,
        fields=PROFILE_FORM_FIELDS,
        widgets={"date_of_birth": DateInput()},
        help_texts=PROFILE_HELP_TEXTS,
    )
    fields["hong_kong_based"].required = True
    fields["hong_kong_based"].error_messages["required"] = _(
        "The prize is open to people based in Hong Kong."
    )
    return fields


class SignupProfileForm(ProfileFieldsMixin, forms.Form):
    """Added to allauth's sign-up form: the entrant profile and the collection
    statement. allauth calls ``signup()`` once the user exists."""

    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=Language.choices,
        help_text=_("E-mails from the prize come in this language."),
    )
    accept_pics = forms.BooleanField(
        label=_(
            "I have read the Personal Information Collection Statement and agree to "
            "my personal data being used as it describes."
        ),
        required=True,
        error_messages={
            "required": _("Please read and accept the collection statement to sign up.")
        },
    )
    pics_version = forms.CharField(widget=forms.HiddenInput, required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in profile_fields().items():
            self.fields[name] = field
        self.fields["pics_version"].initial = settings.PICS_VERSION
        language = get_language() or settings.LANGUAGE_CODE
        self.fields["language"].initial = (
            Language.CHINESE if language.startswith("zh") else Language.ENGLISH
        )

    def clean_pics_version(self):
        version = self.cleaned_data["pics_version"]
        if version != settings.PICS_VERSION:
            raise forms.ValidationError(
                _(
                    "The collection statement has changed since you opened this page. "
                    "Please read the new version and accept it again."
                )
            )
        return version

    def signup(self, request, user):
        create_entrant_profile(
            user,
            data=self.cleaned_data,
            language=self.cleaned_data["language"],
            pics_version=self.cleaned_data["pics_version"],
        )


class ProfileForm(ProfileFieldsMixin, forms.ModelForm):
    class Meta:
        model = EntrantProfile
        fields = PROFILE_FORM_FIELDS
        widgets = {"date_of_birth": DateInput()}
        help_texts = PROFILE_HELP_TEXTS


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices
    )
