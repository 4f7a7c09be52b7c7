"""Forms of the staff pages that set up stages and their criteria.

They validate what was typed and hand ``cleaned_data`` to
``judging.services.stage_setup``, which decides what a stage's state allows.
Texts are plain text: stored as typed and escaped wherever they are shown.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from artsprize.common.form_fields import (
    HongKongDateTimeField,
    PlainTextFormMixin,
    model_field,
    text_input,
    textarea,
)
from judging.enums import StageMode, StageOutcome
from judging.models import Criterion, Stage
from judging.services.decisions import NOTE_MAX_LENGTH
from judging.services.stage_setup import (
    DATES_OUT_OF_ORDER,
    HIGHEST_SCALE,
    HIGHEST_WEIGHT,
    MOST_JUDGES,
    MOST_RANKED,
)


class PlainTextForm(PlainTextFormMixin, forms.Form):
    """Refuses control characters; single-line fields refuse line breaks too."""


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class StageForm(PlainTextForm):
    """A stage's settings. ``editable`` names the fields its state lets change
    (all of them in set-up); the others are left out."""

    name_en = model_field(Stage, "name_en", widget=text_input("en"))
    name_zh_hant = model_field(Stage, "name_zh_hant", widget=text_input("zh-Hant"))
    categories = CategoryChoiceField(
        label=_("Categories"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The categories whose entries this stage judges."),
        error_messages={"required": _("Choose at least one category.")},
    )
    previous = StageChoiceField(
        label=_("Takes the entries advanced from"),
        queryset=None,
        required=False,
        empty_label=_("None: a first stage, judging the eligible entries"),
    )
    outcome = model_field(Stage, "outcome", widget=forms.RadioSelect, required=False)
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=StageMode.choices,
        widget=forms.RadioSelect,
    )
    ranking_size = model_field(
        Stage, "ranking_size", min_value=1, max_value=MOST_RANKED
    )
    blind = model_field(
        Stage,
        "blind",
        help_text=_(
            "Judges see nothing of who made a work. Untick it only for a stage "
            "that may know the artists: its judges then see the name each artist "
            "chose for the public (a pseudonym, or “Anonymous”), never their "
            "legal name unless they chose it, nor any contact detail."
        ),
    )
    visibility = model_field(Stage, "visibility", widget=forms.RadioSelect)
    min_judges = model_field(Stage, "min_judges", min_value=1, max_value=MOST_JUDGES)
    assignment_mode = model_field(Stage, "assignment_mode", widget=forms.RadioSelect)
    judges_per_entry = model_field(
        Stage, "judges_per_entry", min_value=1, max_value=MOST_JUDGES
    )
    new_seed = forms.BooleanField(
        label=_("Draw a new seed"),
        required=False,
        help_text=_(
            "The seed fixes who scores which entry and each judge's order. A new "
            "one changes the assignment made next."
        ),
    )
    opens_at = model_field(
        Stage,
        "opens_at",
        form_class=HongKongDateTimeField,
        label=_("Opens (Hong Kong time)"),
        help_text=_(
            "Optional. To the minute. A stage that is ready opens by itself then."
        ),
    )
    closes_at = model_field(
        Stage,
        "closes_at",
        form_class=HongKongDateTimeField,
        label=_("Closes (Hong Kong time)"),
        help_text=_("To the minute. Scoring stops by itself then."),
    )

    single_line_fields = ("name_en", "name_zh_hant")

    def __init__(self, *args, round_, stage=None, editable=None, **kwargs):
        super().__init__(*args, **kwargs)
        category_model = Stage._meta.get_field("categories").related_model
        self.fields["categories"].queryset = category_model.objects.filter(
            round=round_
        ).order_by("position", "id")
        earlier = Stage.objects.filter(round=round_)
        if stage is not None and stage.pk is not None:
            # Only a stage placed before this one: none can then follow another
            # in a circle.
            earlier = earlier.filter(
                Q(position__lt=stage.position)
                | Q(position=stage.position, pk__lt=stage.pk)
            )
            self.fields["new_seed"].help_text = _(
                "The seed is now %(seed)s. It fixes who scores which entry and each "
                "judge's order; a new one changes the assignment made next."
            ) % {"seed": stage.seed}
        self.fields["previous"].queryset = earlier.order_by("position", "id")
        self.fields["name_en"].required = True
        self.fields["name_zh_hant"].required = True
        self.fields["closes_at"].required = True
        if editable is not None:
            for name in list(self.fields):
                if name not in editable:
                    del self.fields[name]

    def clean_outcome(self):
        # Only a stage that follows another uses it; left out, the default.
        return self.cleaned_data.get("outcome") or StageOutcome.SHORTLISTED

    def clean(self):
        cleaned_data = super().clean()
        for name in ("opens_at", "closes_at"):
            # A moment stored with seconds is shown to the minute; sent back
            # unchanged, it must not move.
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


def stage_initial(stage):
    initial = {
        field: getattr(stage, field)
        for field in (
            "name_en",
            "name_zh_hant",
            "outcome",
            "mode",
            "ranking_size",
            "blind",
            "visibility",
            "min_judges",
            "assignment_mode",
            "judges_per_entry",
            "opens_at",
            "closes_at",
        )
    }
    initial["previous"] = stage.previous_id
    if stage.pk is not None:
        initial["categories"] = [category.pk for category in stage.categories.all()]
    return initial


class CriterionForm(PlainTextForm):
    name_en = model_field(Criterion, "name_en", widget=text_input("en"))
    name_zh_hant = model_field(Criterion, "name_zh_hant", widget=text_input("zh-Hant"))
    description_en = model_field(Criterion, "description_en", widget=textarea("en", 3))
    description_zh_hant = model_field(
        Criterion, "description_zh_hant", widget=textarea("zh-Hant", 3)
    )
    weight = model_field(
        Criterion,
        "weight",
        min_value=0.01,
        max_value=HIGHEST_WEIGHT,
        help_text=_("How much this criterion counts in the weighted score."),
    )
    scale_min = model_field(
        Criterion, "scale_min", min_value=0, max_value=HIGHEST_SCALE - 1
    )
    scale_max = model_field(
        Criterion, "scale_max", min_value=1, max_value=HIGHEST_SCALE
    )
    half_points = model_field(Criterion, "half_points")

    single_line_fields = ("name_en", "name_zh_hant")
    multi_line_fields = ("description_en", "description_zh_hant")

    def clean(self):
        cleaned_data = super().clean()
        low = cleaned_data.get("scale_min")
        high = cleaned_data.get("scale_max")
        if low is not None and high is not None and low >= high:
            self.add_error(
                "scale_max", _("The highest score must be above the lowest.")
            )
        return cleaned_data


def criterion_initial(criterion):
    return {
        field: getattr(criterion, field)
        for field in (
            "name_en",
            "name_zh_hant",
            "description_en",
            "description_zh_hant",
            "weight",
            "scale_min",
            "scale_max",
            "half_points",
        )
    }


class ReasonForm(PlainTextForm):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=_("Kept in the audit log."),
    )

    single_line_fields = ("reason",)


class ReopenForm(PlainTextForm):
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


class DecisionNoteForm(PlainTextForm):
    """A decision of the panel, as the chair or staff write it down."""

    text = forms.CharField(
        label=_("Decision"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_(
            "What the panel decided, and why, in a few lines. Notes are kept as "
            "written and listed in the audit log; correct one with a further note."
        ),
    )

    multi_line_fields = ("text",)


class PublicationTextsForm(PlainTextForm):
    """The staff's texts of a round's results post; the winners, citations and
    shortlists are added to them."""

    title_en = forms.CharField(
        label=_("Title (English)"),
        max_length=200,
        required=False,
        widget=text_input("en"),
    )
    title_zh_hant = forms.CharField(
        label=_("Title (Chinese)"),
        max_length=200,
        required=False,
        widget=text_input("zh-Hant"),
    )
    summary_en = forms.CharField(
        label=_("Summary (English)"),
        max_length=500,
        required=False,
        widget=textarea("en", 2),
        help_text=_("A sentence or two: shown in lists, feeds and shared links."),
    )
    summary_zh_hant = forms.CharField(
        label=_("Summary (Chinese)"),
        max_length=500,
        required=False,
        widget=textarea("zh-Hant", 2),
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"),
        max_length=10000,
        required=False,
        widget=textarea("en", 5),
        help_text=_(
            "Optional, in Markdown: it comes before the awards, which the post "
            "lists by itself."
        ),
    )
    intro_zh_hant = forms.CharField(
        label=_("Introduction (Chinese)"),
        max_length=10000,
        required=False,
        widget=textarea("zh-Hant", 5),
    )

    single_line_fields = ("title_en", "title_zh_hant")
    multi_line_fields = ("summary_en", "summary_zh_hant", "intro_en", "intro_zh_hant")
