from allauth.core import context
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.enums import Language, Role
from artsprize.accounts.models import EntrantProfile
from artsprize.accounts.selectors import ENTRANT
from artsprize.accounts.services import create_entrant_profile
from artsprize.common.plain_text import SINGLE_LINE, has_control_characters

OLDEST_AGE = 120
PHONE_CHARACTERS = frozenset("0123456789+-() ")
# Invisible characters that reorder text: a name with them can display as something
# other than what was stored. (The plain left-to-right and right-to-left marks,
# which some keyboards insert in mixed-script text, are allowed.)


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
    """Names are one line of plain text."""
    if has_control_characters(value, allow_direction=False):
        raise forms.ValidationError(SINGLE_LINE)
    if "<" in value or ">" in value:
        raise forms.ValidationError(
            _("Please write plain text, without the characters “<” and “>”.")
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
        phone = self.cleaned_data["phone"]
        if (
            has_control_characters(phone, allow_direction=False)
            or not set(phone) <= PHONE_CHARACTERS
        ):
            raise forms.ValidationError(
                _("Use only digits, spaces, “+”, “-” and brackets in a phone number.")
            )
        return phone.strip()


PROFILE_FORM_FIELDS = [
    "legal_name",
    "credit_name",
    "date_of_birth",
    "hong_kong_based",
    "phone",
]
PROFILE_HELP_TEXTS = {
    "legal_name": _("Used only by the prize's staff, never shown to judges."),
    "date_of_birth": _(
        "Some categories have an age band; your age is counted on the closing day."
    ),
    "hong_kong_based": _(
        "The prize is open to people who live, work or study in Hong Kong. "
        "We never ask for an identity card number or immigration papers."
    ),
    "phone": _("Optional. Only staff use it, to reach you about your entry."),
}
HONG_KONG_REQUIRED = _("The prize is open to people based in Hong Kong.")


def profile_fields():
    fields = forms.fields_for_model(
        EntrantProfile,
        fields=PROFILE_FORM_FIELDS,
        widgets={
            "legal_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "credit_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "date_of_birth": DateInput(attrs={"autocomplete": "bday"}),
            "phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
            ),
        },
        help_texts=PROFILE_HELP_TEXTS,
    )
    fields["hong_kong_based"].required = True
    fields["hong_kong_based"].error_messages["required"] = HONG_KONG_REQUIRED
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
    pics_version = forms.CharField(widget=forms.HiddenInput, required=False)

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
            # The page is shown again with the current statement: the acceptance of
            # the old one does not carry over, so the box is left unticked.
            self.data = self.data.copy()
            self.data.pop(self.add_prefix("accept_pics"), None)
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


class ProfileForm(ProfileFieldsMixin, forms.Form):
    """The entrant profile on the account page. A plain form, not a model form:
    the service compares the stored profile with what was typed, audits and saves."""

    def __init__(self, *args, instance, **kwargs):
        kwargs.setdefault(
            "initial", forms.model_to_dict(instance, fields=PROFILE_FORM_FIELDS)
        )
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields.update(profile_fields())


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=Language.choices,
        help_text=_("The portal and its e-mails use this language."),
    )


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("E-mail or name"),
        required=False,
        max_length=200,
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Any role")), *Role.choices, (ENTRANT, _("Entrant"))],
    )

    def clean_q(self):
        query = self.cleaned_data["q"]
        if has_control_characters(query, allow_direction=False):
            raise forms.ValidationError(SINGLE_LINE)
        return query.strip()


class RoleChangeForm(forms.Form):
    GRANT = "grant"
    REVOKE = "revoke"

    role = forms.ChoiceField(choices=Role.choices)
    action = forms.ChoiceField(choices=[(GRANT, GRANT), (REVOKE, REVOKE)])


class ResetTwoFactorForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required. Say why, for example how the person asked and how you "
            "checked it was them. The reason is kept in the audit log."
        ),
        error_messages={
            "required": _(
                "Please give the reason for resetting the two-factor authentication."
            )
        },
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        if has_control_characters(
            reason, allow_line_breaks=True, allow_direction=False
        ):
            raise forms.ValidationError(
                _("Please remove control characters from the reason.")
            )
        return reason.strip()


class ArtistRecordForm(ProfileFieldsMixin, forms.Form):
    """What a caseworker records for an artist who cannot sign up themselves."""

    email = forms.EmailField(
        label=_("Artist's e-mail address"),
        required=False,
        help_text=_(
            "Optional. With an address the artist can later claim the account and "
            "follow their entries."
        ),
    )
    language = forms.ChoiceField(
        label=_("Artist's preferred language"), choices=Language.choices
    )
    pics_explained = forms.BooleanField(
        label=_(
            "I explained the Personal Information Collection Statement to the artist, "
            "in a language they understand, and they agreed to it."
        ),
        required=True,
        error_messages={
            "required": _(
                "The artist must know and accept the collection statement before "
                "you register them."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = profile_fields()
        # The caseworker records someone else: the labels speak of the artist.
        fields["legal_name"].label = _("The artist's legal name")
        fields["legal_name"].help_text = _("Used only by staff, never shown to judges.")
        fields["credit_name"].label = _("The artist's public credit name")
        fields["credit_name"].help_text = _(
            "How the artist's name appears with their work in public. It may be a "
            "pseudonym. Leave it empty to use their legal name."
        )
        fields["date_of_birth"].label = _("The artist's date of birth")
        fields["date_of_birth"].help_text = _(
            "Some categories have an age band; the artist's age is counted on the "
            "closing day."
        )
        fields["hong_kong_based"].label = _("The artist is based in Hong Kong")
        fields["phone"].label = _("The artist's phone")
        fields["phone"].help_text = _("Optional. Only staff use it.")
        # The profile fields come first, as on the sign-up form.
        self.fields = {**fields, **self.fields}


class ClaimInvitationForm(forms.Form):
    email = forms.EmailField(label=_("Artist's e-mail address"))


class ActivateTOTPForm(AllauthActivateTOTPForm):
    """allauth's TOTP set-up with a secret that stays pending in the session until
    it is confirmed (allauth then removes it) or the set-up is abandoned by signing
    out. allauth itself makes a new secret for every unbound form, that is on every
    page load: a reload or a language switch after scanning the QR code would make
    the phone's codes wrong."""

    def __init__(self, *args, **kwargs):
        session = context.request.session
        pending = session.get(SECRET_SESSION_KEY)
        super().__init__(*args, **kwargs)
        if pending:
            self.secret = session[SECRET_SESSION_KEY] = pending

    def clean_code(self):
        try:
            return super().clean_code()
        except ValidationError as error:
            if getattr(error, "code", None) != "incorrect_code":
                raise
            # A code that is not refused for a typo is almost always one from a
            # phone whose clock is off, or one that expired while it was typed.
            message = get_mfa_adapter().error_messages["incorrect_setup_code"]
            raise ValidationError(
                message % {"seconds": mfa_settings.TOTP_PERIOD},
                code="incorrect_setup_code",
            ) from error
