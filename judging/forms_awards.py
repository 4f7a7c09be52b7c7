"""Forms of the staff's awards page: an award type's settings, giving an award
to an entry of the final stage's ranking, and an award's citations.

They validate what was typed and hand ``cleaned_data`` to
``judging.services.awards``, which decides what the round's state and the
final stages allow. Texts are plain text: stored as typed and escaped wherever
they are shown.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from artsprize.common.form_fields import (
    PlainTextFormMixin,
    model_field,
    text_input,
    textarea,
)
from judging.enums import AwardKind
from judging.models import Award, AwardType
from judging.models.awards import MOST_PLACES


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AwardTypeForm(PlainTextFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=AwardKind.choices, widget=forms.RadioSelect
    )
    name_en = model_field(AwardType, "name_en", widget=text_input("en"))
    name_zh_hant = model_field(AwardType, "name_zh_hant", widget=text_input("zh-Hant"))
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=None,
        required=False,
        empty_label=_("All categories"),
        help_text=_(
            "A category winner or runner-up is of one category; a special award "
            "or an honourable mention may be of one category or of all."
        ),
    )
    prize_en = model_field(AwardType, "prize_en", widget=text_input("en"))
    prize_zh_hant = model_field(
        AwardType, "prize_zh_hant", widget=text_input("zh-Hant")
    )
    places = model_field(AwardType, "places", min_value=1, max_value=MOST_PLACES)

    single_line_fields = ("name_en", "name_zh_hant", "prize_en", "prize_zh_hant")

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = round_.categories.order_by("position", "id")
        self.fields["name_en"].help_text = _(
            "Both names are needed before the round is decided."
        )

    def clean(self):
        cleaned_data = super().clean()
        if (
            not (cleaned_data.get("name_en") or "").strip()
            and not (cleaned_data.get("name_zh_hant") or "").strip()
        ) and "name_en" not in self.errors:
            self.add_error(
                "name_en", _("Give the award a name, in English or in Chinese.")
            )
        kind = cleaned_data.get("kind")
        if (
            kind in (AwardKind.CATEGORY_WINNER, AwardKind.RUNNER_UP)
            and cleaned_data.get("category") is None
            and "category" not in self.errors
        ):
            self.add_error(
                "category", _("A category winner or runner-up needs its category.")
            )
        return cleaned_data


def award_type_initial(award_type):
    return {
        "kind": award_type.kind,
        "name_en": award_type.name_en,
        "name_zh_hant": award_type.name_zh_hant,
        "category": award_type.category_id,
        "prize_en": award_type.prize_en,
        "prize_zh_hant": award_type.prize_zh_hant,
        "places": award_type.places,
    }


class CitationForm(PlainTextFormMixin, forms.Form):
    citation_en = model_field(
        Award, "citation_en", widget=textarea("en", 4), required=False
    )
    citation_zh_hant = model_field(
        Award, "citation_zh_hant", widget=textarea("zh-Hant", 4), required=False
    )

    multi_line_fields = ("citation_en", "citation_zh_hant")


class GiveAwardForm(CitationForm):
    """Give an award type to one of ``choices``: ``(category name, [(entry id,
    label), …])`` groups from the final stages' ranking."""

    entry = forms.TypedChoiceField(label=_("Entry"), coerce=int, choices=())

    field_order = ("entry", "citation_en", "citation_zh_hant")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("Choose an entry")), *choices]
        self.fields["entry"].error_messages["required"] = _(
            "Choose the entry that receives the award."
        )
        self.fields["entry"].error_messages["invalid_choice"] = _(
            "Choose an entry of the final stage's ranking."
        )
