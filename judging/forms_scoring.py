"""The forms of a judge's pages: a score (built for its stage's mode and
criteria) and a declared conflict. They carry what was typed and show it again;
the scoring service decides what is valid and says what is wrong."""

from django import forms
from django.utils.translation import gettext_lazy as _

from judging.enums import StageMode, Vote
from judging.services.conflicts import REASON_MAX_LENGTH
from judging.services.scoring import TEXT_MAX_LENGTH, criterion_field

# Scales of up to this many whole points are radio buttons; longer ones, and
# those with half points, a number field.
RADIO_STEPS = 11


def _scale(criterion):
    low, high = criterion.scale_min, criterion.scale_max
    return [(str(value), str(value)) for value in range(low, high + 1)]


def _criterion_field(criterion):
    label = _("%(name)s (%(low)s to %(high)s)") % {
        "name": criterion.name,
        "low": criterion.scale_min,
        "high": criterion.scale_max,
    }
    whole = not criterion.half_points
    if whole and criterion.scale_max - criterion.scale_min + 1 <= RADIO_STEPS:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=_scale(criterion),
            widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            help_text=criterion.description,
        )
    help_text = criterion.description
    if criterion.half_points:
        help_text = _("%(description)s Half points allowed.") % {
            "description": criterion.description
        }
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text.strip(),
        widget=forms.NumberInput(
            attrs={
                "min": criterion.scale_min,
                "max": criterion.scale_max,
                "step": "0.5" if criterion.half_points else "1",
                "inputmode": "decimal",
            }
        ),
    )


class ScoreForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the panel"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        help_text=_("The other judges read it when the stage's rule shows them."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    private_note = forms.CharField(
        label=_("Private note"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        help_text=_("For you alone."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, stage, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage = stage
        extra = {}
        if stage.mode == StageMode.CRITERIA:
            for criterion in criteria:
                extra[criterion_field(criterion)] = _criterion_field(criterion)
        elif stage.mode == StageMode.VOTE:
            extra["vote"] = forms.ChoiceField(
                label=_("Your vote"),
                required=False,
                choices=Vote.choices,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )
        elif stage.mode == StageMode.RANKING:
            extra["rank"] = forms.CharField(
                label=_("Place in your ranking (1 to %(size)s)")
                % {"size": stage.ranking_size},
                required=False,
                help_text=_("Leave it empty for a work outside your top %(size)s.")
                % {"size": stage.ranking_size},
                widget=forms.NumberInput(
                    attrs={"min": 1, "max": stage.ranking_size, "step": 1}
                ),
            )
        # The judgement first, then the texts.
        self.fields = {**extra, **self.fields}

    @property
    def judgement_fields(self):
        return [self[name] for name in self.fields if name not in self.text_names]

    @property
    def judgement_rows(self):
        """``(bound field, whether it is a row of buttons)`` of the judgement."""
        return [
            (field, isinstance(field.field.widget, forms.RadioSelect))
            for field in self.judgement_fields
        ]

    @property
    def text_fields(self):
        return [self[name] for name in self.text_names]

    text_names = ("comment", "private_note")

    def data_for_service(self):
        """What was sent, as the scoring service takes it (it checks it)."""
        return {name: self.data.get(name, "") for name in self.fields}


def initial_of(score, values, criteria):
    """The form's values from a saved score."""
    if score is None:
        return {}
    initial = {
        "comment": score.comment,
        "private_note": score.private_note,
        "vote": score.vote,
        "rank": score.rank if score.rank is not None else "",
    }
    for criterion in criteria:
        value = values.get(criterion.pk)
        if value is not None:
            text = f"{value.normalize():f}"
            initial[criterion_field(criterion)] = text
    return initial


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("What ties you to this work?"),
        max_length=REASON_MAX_LENGTH,
        help_text=_(
            "Seen by the prize's staff only. The work leaves your list, and any "
            "score you gave it does not count."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
