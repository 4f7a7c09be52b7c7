"""Forms of the staff pages of a stage's panel, assignments and conflicts.
They check what was typed; the services decide what is allowed."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.enums import Role
from judging.models import PanelMember
from judging.selectors.coverage import stage_entry_id
from judging.services.assignment import REASON_MAX_LENGTH


class JudgeChoiceField(forms.ModelChoiceField):
    """A judge, named by their e-mail address (staff know judges by it)."""

    def label_from_instance(self, obj):
        return obj.email


def judges_with_the_role():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.JUDGE)
        .order_by("email")
    )


def panel_judges(stage):
    return (
        get_user_model()
        .objects.filter(
            pk__in=PanelMember.objects.filter(stage=stage).values("judge_id")
        )
        .order_by("email")
    )


class PanelMemberForm(forms.Form):
    judge = JudgeChoiceField(
        label=_("Judge"),
        queryset=None,
        empty_label=_("(choose a judge)"),
        help_text=_(
            "People with the judge role who are not on this panel yet. Invite a "
            "new judge by e-mail from the invitations page."
        ),
    )
    chair = forms.BooleanField(label=_("Chair of the panel"), required=False)

    def __init__(self, *args, stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judge"].queryset = judges_with_the_role().exclude(
            pk__in=PanelMember.objects.filter(stage=stage).values("judge_id")
        )


def _reason_field(*, required, label):
    return forms.CharField(
        label=label,
        required=required,
        max_length=REASON_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RemoveAssignmentForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the audit log)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
    )


class AssignForm(forms.Form):
    """A judge of the panel for an entry: added to it, or in place of one of
    its judges (``replace``, an assignment of the entry)."""

    entry = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    judge = forms.TypedChoiceField(label=_("Judge"), coerce=int, choices=())
    replace = forms.TypedChoiceField(
        label=_("In place of"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, panel, entry_assignments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judge"].choices = [(judge.pk, judge.email) for judge in panel]
        self.fields["replace"].choices = [
            ("", _("no one: add a judge")),
            *((pk, email) for pk, email in entry_assignments),
        ]


class ConflictForm(forms.Form):
    judge = JudgeChoiceField(
        label=_("Judge"), queryset=None, empty_label=_("(choose a judge)")
    )
    reference = forms.CharField(
        label=_("Entry's reference code"),
        max_length=40,
    )
    reason = _reason_field(required=True, label=_("Reason (seen by staff only)"))

    def __init__(self, *args, stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage = stage
        self.entry_id = None
        self.fields["judge"].queryset = panel_judges(stage)
        self.fields["reference"].help_text = _(
            "As shown on the assignments page, such as %(example)s."
        ) % {"example": f"HRAP-{stage.round.year}-0007"}

    def clean_reference(self):
        entry_id = stage_entry_id(self.stage, self.cleaned_data["reference"])
        if entry_id is None:
            raise forms.ValidationError(
                _("No entry of this stage has this reference code."),
                code="unknown_reference",
            )
        self.entry_id = entry_id
        return self.cleaned_data["reference"].strip()


class LiftConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, kept in the audit log)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
    )
