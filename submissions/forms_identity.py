"""The form of the staff page of an entry that reveals who made it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from artsprize.common.plain_text import control_character_problem
from submissions.services.identity import REASON_MAX_LENGTH


class RevealForm(forms.Form):
    """The reason is required and kept in the audit log; the service checks it
    again (``services.identity.reveal_identity``)."""

    reason = forms.CharField(
        label=_("Reason for revealing who made this entry"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required. For example a conflict of interest a judge declared, or a "
            "rule to check. The reason is kept in the audit log with your name and "
            "the time, and listed on this page."
        ),
        error_messages={
            "required": _("Give the reason for revealing who made this entry."),
        },
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        problem = control_character_problem(reason, multi_line=True)
        if problem:
            raise forms.ValidationError(problem)
        return reason.strip()
