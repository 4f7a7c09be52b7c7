import re

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from artsprize.common.enums import AuditVerb

# "app_label.model:primary key", as the audit log's own links write it.
OBJECT_PATTERN = re.compile(r"([a-z_][a-z0-9_]*)\.([a-z0-9_]+):([\w-]{1,64})", re.ASCII)


class AuditFilterForm(forms.Form):
    object = forms.CharField(
        label=_("Object"),
        required=False,
        max_length=200,
        help_text=_("Type and number, for example submissions.round:3."),
    )
    verb = forms.ChoiceField(
        label=_("What happened"),
        required=False,
        choices=[("", _("Anything")), *AuditVerb.choices],
    )

    def clean_object(self):
        """Return ``(content_type, object_id)``, or None when no object is asked."""
        value = self.cleaned_data["object"].strip()
        if not value:
            return None
        match = OBJECT_PATTERN.fullmatch(value.lower())
        if match is None:
            raise ValidationError(
                _(
                    "Write the object as type and number, for example submissions.round:3."
                ),
                code="format",
            )
        app_label, model, _pk = match.groups()
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            raise ValidationError(
                _("There is no type of object called “%(type)s”."),
                code="unknown_type",
                params={"type": f"{app_label}.{model}"},
            ) from None
        # The number keeps its case: object IDs are compared as text.
        object_id = value.rpartition(":")[2]
        return content_type, object_id
