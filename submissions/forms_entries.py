"""Forms of the entrant's pages: the entry form, its team members and withdrawal.

They validate what was typed and hand plain values to the services in
``submissions.services.entries``; the services decide what a round, a category and
an entry's state allow. A draft may be incomplete (the services list what is still
missing to submit), but every value it keeps must be valid on its own: a title
that does not fit, a bad e-mail address or a control character is refused here,
with the form keeping what was typed.
"""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.selectors import is_address_of
from artsprize.common.form_fields import HONG_KONG, PlainTextFormMixin
from artsprize.common.plain_text import control_character_problem
from submissions.enums import ConsentMethod, Credit, MediaKind
from submissions.models import ArtworkFile, Category, Entry, TeamMember
from submissions.services.entries import CONSENT_FIELDS, EARLIEST_YEAR, ENTRY_FIELDS

MAX_TEAM_MEMBERS = 20

REQUIRED_CONSENTS = ("consent_original", "consent_terms")
ALT_TEXT_PREFIX = "alt_text_"
# The descriptions of images sit beside the uploader, outside the entry's <form>
# element; the HTML form attribute still sends them with it.
FORM_ID = "entry-form"

OWN_ADDRESS = _(
    "This is your own e-mail address. Give the e-mail address of your parent or "
    "guardian: they must confirm the entry themselves."
)
ARTISTS_ADDRESS = _(
    "This is the artist's own e-mail address. Give the e-mail address of their "
    "parent or guardian: they must confirm the entry themselves."
)
# The wording of a caseworker's screens: they speak of the artist, not of "me".
ON_BEHALF_LABELS = {
    "consent_original": _("This work is the artist's own original work."),
    "consent_terms": _("The artist accepts the rules and terms of the prize."),
}


def _field(model, name, **overrides):
    return model._meta.get_field(name).formfield(**overrides)


def _line(model, name, *, lang=None, help_text=None):
    """A model's one-line text field, typed in either direction."""
    overrides = {"help_text": help_text} if help_text is not None else {}
    return _field(model, name, widget=_text_input(lang), **overrides)


def _text_input(lang=None):
    attrs = {"dir": "auto"}
    if lang:
        attrs["lang"] = lang
    return forms.TextInput(attrs=attrs)


def _textarea(rows, lang=None):
    attrs = {"dir": "auto", "rows": rows}
    if lang:
        attrs["lang"] = lang
    return forms.Textarea(attrs=attrs)


class _ListedChoices(forms.models.ModelChoiceIterator):
    """The choices of a CategoryField, from the categories it was given."""

    def __iter__(self):
        for category in self.field.categories:
            yield self.choice(category)

    def __len__(self):
        return len(self.field.categories)

    def __bool__(self):
        return bool(self.field.categories)


class CategoryField(forms.ModelChoiceField):
    """A choice among categories already read (``categories``): rendering and
    cleaning it read nothing more from the database."""

    iterator = _ListedChoices

    def __init__(self, *args, **kwargs):
        self.categories = []
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.categories = list(self.categories)
        return result

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = str(value.pk if isinstance(value, Category) else value)
        for category in self.categories:
            if str(category.pk) == key:
                return category
        raise forms.ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


class EntryForm(PlainTextFormMixin, forms.Form):
    """The entry's details, consents and (for a minor) the guardian's contact.

    ``categories`` are those the entrant may enter (their age at the round's
    closing date fits); ``category`` is the entry's current one, which decides
    whether the work may be typed as text. ``image_files`` get a description
    field each, saved with the draft. ``entrant``'s own addresses are refused for
    the guardian; ``on_behalf`` words the form for a caseworker filing for them.
    """

    category = CategoryField(
        label=_("Category"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _(
                "Choose one of the categories listed: your age at the deadline "
                "decides which ones you may enter."
            )
        },
    )
    title_en = _line(
        Entry,
        "title_en",
        lang="en",
        help_text=_("Give a title in English, in Chinese or in both."),
    )
    title_zh_hant = _line(Entry, "title_zh_hant", lang="zh-Hant")
    medium = _line(
        Entry,
        "medium",
        help_text=_("For example: oil on canvas, digital photograph, poem."),
    )
    year_made = forms.IntegerField(
        label=_("Year made"),
        required=False,
        min_value=EARLIEST_YEAR,
    )
    dimensions = _line(
        Entry,
        "dimensions",
        help_text=_("Width × height (× depth) in cm, or the duration of a video."),
    )
    statement = _field(Entry, "statement", widget=_textarea(8))
    text_work = _field(Entry, "text_work", widget=_textarea(12))
    credit = forms.ChoiceField(
        label=_("Name shown with the work in public"),
        choices=Credit.choices,
        initial=Credit.CREDIT_NAME,
        widget=forms.RadioSelect,
    )
    consent_original = forms.BooleanField(
        label=_("This work is my own original work."),
        required=False,
        help_text=_("Required to submit."),
    )
    consent_terms = forms.BooleanField(
        label=_("I accept the rules and terms of the prize."),
        required=False,
        help_text=_("Required to submit."),
    )
    consent_website = forms.BooleanField(
        label=_("The prize may show this work on its website."), required=False
    )
    consent_social = forms.BooleanField(
        label=_("The prize may show this work on social media."), required=False
    )
    consent_press = forms.BooleanField(
        label=_("The prize may give images of this work to the press."),
        required=False,
    )
    consent_exhibition = forms.BooleanField(
        label=_("This work may be shown in the prize's exhibition."), required=False
    )
    consent_auction = forms.BooleanField(
        label=_("This work may be sold at the prize's charity auction."),
        required=False,
    )
    guardian_name = _line(Entry, "guardian_name")
    guardian_email = _field(Entry, "guardian_email")
    consent_method = forms.ChoiceField(
        label=_("How the artist gave their consent"),
        choices=[("", "—"), *ConsentMethod.choices],
        required=False,
        help_text=_("For a caseworker filing for an artist. Required to submit."),
    )
    consent_notes = _field(Entry, "consent_notes", widget=_textarea(3))

    single_line_fields = (
        "title_en",
        "title_zh_hant",
        "medium",
        "dimensions",
        "guardian_name",
    )
    multi_line_fields = ("statement", "text_work", "consent_notes")

    def __init__(
        self,
        *args,
        categories,
        category=None,
        needs_guardian=False,
        filed_by_caseworker=False,
        image_files=(),
        entrant=None,
        on_behalf=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.entrant = entrant
        self.on_behalf = on_behalf
        if on_behalf:
            for name, label in ON_BEHALF_LABELS.items():
                self.fields[name].label = label
        categories = sorted(categories, key=lambda choice: (choice.position, choice.pk))
        self.fields["category"].queryset = Category.objects.filter(
            pk__in=[choice.pk for choice in categories]
        ).order_by("position", "id")
        self.fields["category"].categories = categories
        this_year = timezone.localdate(timezone=HONG_KONG).year
        self.fields["year_made"].max_value = this_year
        self.fields["year_made"].validators.append(MaxValueValidator(this_year))
        self.fields["year_made"].widget.attrs.update(min=EARLIEST_YEAR, max=this_year)
        typed = (
            takes_text(category)
            if category is not None
            else any(takes_text(choice) for choice in categories)
        )
        if not typed:
            del self.fields["text_work"]
        if not filed_by_caseworker:
            del self.fields["consent_method"]
            del self.fields["consent_notes"]
        if not needs_guardian:
            del self.fields["guardian_name"]
            del self.fields["guardian_email"]
        else:
            self.fields["guardian_name"].help_text = (
                gettext(
                    "The artist is under 18 at the deadline: a parent or guardian "
                    "must agree. They get an e-mail with a link to confirm."
                )
                if on_behalf
                else gettext(
                    "You are under 18 at the deadline: a parent or guardian must "
                    "agree. They get an e-mail with a link to confirm."
                )
            )
        limit = (
            category.statement_word_limit
            if category is not None
            else max((choice.statement_word_limit for choice in categories), default=0)
        )
        self.word_limit = limit
        if limit:
            self.fields["statement"].help_text = gettext(
                "Up to %(limit)s words. Each Chinese or Japanese character counts as "
                "a word."
            ) % {"limit": limit}
            self.fields["statement"].widget.attrs.update(
                {
                    "data-word-limit": limit,
                    "data-word-count-template": gettext("%(count)s of %(limit)s words"),
                    "data-word-over-template": gettext(
                        "Over the limit: please shorten the statement."
                    ),
                }
            )
        self.image_files = list(image_files)
        for file in self.image_files:
            self.fields[f"{ALT_TEXT_PREFIX}{file.pk}"] = description_field(file)

    def lock(self):
        """Show the entry without letting it change (after the deadline)."""
        for field in self.fields.values():
            field.disabled = True

    def clean_guardian_email(self):
        email = self.cleaned_data["guardian_email"]
        if self.entrant is not None and is_address_of(self.entrant, email):
            raise forms.ValidationError(
                ARTISTS_ADDRESS if self.on_behalf else OWN_ADDRESS,
                code="entrants_address",
            )
        return email

    def clean(self):
        # A statement over the word limit is kept in the draft, with a warning;
        # only submitting refuses it (submissions.services.entries).
        cleaned_data = super().clean()
        for file in self.image_files:
            name = f"{ALT_TEXT_PREFIX}{file.pk}"
            problem = control_character_problem(cleaned_data.get(name), multi_line=True)
            if problem:
                self.add_error(name, problem)
        return cleaned_data

    @property
    def alt_text_fields(self):
        return [self[f"{ALT_TEXT_PREFIX}{file.pk}"] for file in self.image_files]

    @property
    def main_fields(self):
        """The fields shown in the form's first part, outside the fieldsets."""
        names = (
            "title_en",
            "title_zh_hant",
            "medium",
            "year_made",
            "dimensions",
            "statement",
            "text_work",
        )
        return [self[name] for name in names if name in self.fields]

    @property
    def consent_fields(self):
        return [self[name] for name in CONSENT_FIELDS]

    @property
    def guardian_fields(self):
        return [
            self[name]
            for name in ("guardian_name", "guardian_email")
            if name in self.fields
        ]

    @property
    def caseworker_fields(self):
        return [
            self[name]
            for name in ("consent_method", "consent_notes")
            if name in self.fields
        ]

    def entry_data(self):
        """The cleaned values of the entry's own fields, for the services."""
        return {
            name: self.cleaned_data[name]
            for name in ENTRY_FIELDS
            if name in self.cleaned_data
        }

    def changed_alt_texts(self):
        """The image files whose description was changed, with the new one."""
        return [
            (file, self.cleaned_data[f"{ALT_TEXT_PREFIX}{file.pk}"])
            for file in self.image_files
            if self.cleaned_data[f"{ALT_TEXT_PREFIX}{file.pk}"] != file.alt_text
        ]


def description_field(file):
    """The field of an image's description, which belongs to the entry's form
    wherever on the page it is."""
    return forms.CharField(
        label=gettext("Description of “%(name)s”") % {"name": file},
        help_text=_(
            "Describe the image for people who cannot see it (alt text). "
            "Required to submit."
        ),
        required=False,
        max_length=ArtworkFile._meta.get_field("alt_text").max_length,
        initial=file.alt_text,
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 2, "form": FORM_ID}),
    )


class DescriptionForm(forms.Form):
    """An image's description field alone, named and marked up as in the entry's
    form: given to the page when the image's upload completes."""

    def __init__(self, file, **kwargs):
        super().__init__(**kwargs)
        self.name = f"{ALT_TEXT_PREFIX}{file.pk}"
        self.fields[self.name] = description_field(file)


class TeamMemberForm(PlainTextFormMixin, forms.Form):
    name = _line(TeamMember, "name")
    role = _line(TeamMember, "role")
    agreed = forms.BooleanField(
        label=_("This member agreed to the entry"), required=False
    )
    is_minor = forms.BooleanField(label=_("Under 18 at the deadline"), required=False)
    guardian_name = _line(
        TeamMember, "guardian_name", help_text=_("Only for a member under 18.")
    )
    guardian_agreed = forms.BooleanField(
        label=_("Their parent or guardian agreed"), required=False
    )

    single_line_fields = ("name", "role", "guardian_name")


class BaseTeamFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this member")

    def members(self):
        """The members kept: rows left empty or marked for removal are dropped.
        A saved member's row is kept as it is, changed or not."""
        return [
            {name: form.cleaned_data[name] for name in TeamMemberForm.base_fields}
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed())
            and form.cleaned_data
            and not form.cleaned_data.get("DELETE")
        ]


TeamFormSet = forms.formset_factory(
    TeamMemberForm,
    formset=BaseTeamFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_TEAM_MEMBERS,
    validate_max=True,
    absolute_max=MAX_TEAM_MEMBERS + 5,
)


class PublicUseForm(forms.Form):
    """What the prize may do with a submitted work in public."""

    consent_website = forms.BooleanField(
        label=_("The prize may show this work on its website."),
        required=False,
        help_text=_(
            "Untick it and the work leaves the public gallery and the results "
            "post within a minute."
        ),
    )
    consent_social = forms.BooleanField(
        label=_("The prize may show this work on social media."), required=False
    )
    consent_press = forms.BooleanField(
        label=_("The prize may give images of this work to the press."),
        required=False,
    )


class WithdrawForm(PlainTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        widget=_textarea(3),
        help_text=_("It helps the organisers; you do not have to give one."),
    )

    multi_line_fields = ("reason",)


def takes_text(category):
    return MediaKind.TEXT in (category.media_kinds or [])


def team_initial(entry):
    return [
        {name: getattr(member, name) for name in TeamMemberForm.base_fields}
        for member in entry.team_members.all()
    ]
