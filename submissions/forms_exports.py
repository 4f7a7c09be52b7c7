"""The form of the export with identity: the format and why staff need it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from artsprize.common.exports import CSV, XLSX
from artsprize.common.form_fields import PlainTextFormMixin
from submissions.services.identity import REASON_MAX_LENGTH


class IdentityExportForm(PlainTextFormMixin, forms.Form):
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[(CSV, _("CSV")), (XLSX, _("Excel (XLSX)"))],
        initial=CSV,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why do you need to know who made the entries?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Kept in the audit log with the export. At most 2,000 characters."),
    )

    multi_line_fields = ("reason",)
