"""The entry form, the team formset and the withdrawal form, on their own."""

import pytest

from submissions.enums import Credit, MediaKind
from submissions.forms_entries import EntryForm, TeamFormSet, WithdrawForm
from submissions.models import Entry
from tests import factories
from tests.entry_factories import add_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_():
    return factories.make_round()


def data_for(category, **overrides):
    values = {
        "category": category.pk,
        "title_en": "Shared Future",
        "statement": "A harbour at night.",
        "credit": Credit.ANONYMOUS,
    }
    values.update(overrides)
    return values


def test_only_the_given_categories_can_be_chosen(round_):
    adult = round_.categories.get()
    youth = factories.make_category(round_, name_en="Youth", max_age=17, min_age=None)
    form = EntryForm(data_for(youth), categories=[adult])
    assert form.is_valid() is False
    assert list(form.fields["category"].queryset) == [adult]
    assert form.errors["category"] == [
        "Choose one of the categories listed: your age at the deadline decides "
        "which ones you may enter."
    ]


def test_a_draft_needs_no_more_than_a_category(round_):
    category = round_.categories.get()
    form = EntryForm(
        {"category": category.pk, "credit": Credit.CREDIT_NAME}, categories=[category]
    )
    assert form.is_valid() is True, form.errors
    assert form.entry_data() == {
        "title_en": "",
        "title_zh_hant": "",
        "medium": "",
        "year_made": None,
        "dimensions": "",
        "statement": "",
        "text_work": "",
        "credit": Credit.CREDIT_NAME,
        "consent_original": False,
        "consent_terms": False,
        "consent_website": False,
        "consent_social": False,
        "consent_press": False,
        "consent_exhibition": False,
        "consent_auction": False,
    }


def test_the_typed_work_is_asked_only_when_the_category_takes_text(round_):
    takes_text = round_.categories.get()
    images_only = factories.make_category(round_, media_kinds=[MediaKind.IMAGE])
    assert "text_work" in EntryForm(categories=[takes_text]).fields
    assert "text_work" in EntryForm(categories=[images_only, takes_text]).fields
    assert "text_work" not in EntryForm(categories=[images_only]).fields
    assert (
        "text_work"
        not in EntryForm(
            categories=[images_only, takes_text], category=images_only
        ).fields
    )


def test_guardian_and_caseworker_fields_appear_only_when_needed(round_):
    category = round_.categories.get()
    plain = EntryForm(categories=[category])
    assert plain.guardian_fields == [] and plain.caseworker_fields == []
    minor = EntryForm(categories=[category], needs_guardian=True)
    assert [field.name for field in minor.guardian_fields] == [
        "guardian_name",
        "guardian_email",
    ]
    filed = EntryForm(categories=[category], filed_by_caseworker=True)
    assert [field.name for field in filed.caseworker_fields] == [
        "consent_method",
        "consent_notes",
    ]


def test_the_statement_word_limit_follows_the_chosen_category(round_):
    long = round_.categories.get()
    short = factories.make_category(round_, name_en="Short", statement_word_limit=3)
    statement = "人權 art prize"
    # A draft keeps a statement over the limit; submitting refuses it.
    kept = EntryForm(data_for(short, statement=statement), categories=[long, short])
    assert kept.is_valid() is True
    assert kept.cleaned_data["statement"] == statement
    field = EntryForm(categories=[short], category=short).fields["statement"]
    assert field.widget.attrs["data-word-limit"] == 3
    assert field.widget.attrs["data-word-over-template"] == (
        "Over the limit: please shorten the statement."
    )


@pytest.mark.parametrize("year", ["1899", "3000", "-1", "2025.5"])
def test_the_year_made_is_a_plausible_year(round_, year):
    category = round_.categories.get()
    form = EntryForm(data_for(category, year_made=year), categories=[category])
    assert form.is_valid() is False
    assert list(form.errors) == ["year_made"]


def test_each_image_gets_a_description_field(round_):
    entrant = factories.make_entrant()
    category = round_.categories.get()
    entry = Entry.objects.create(round=round_, category=category, entrant=entrant)
    image = add_file(entry, alt_text="Old.")
    name = f"alt_text_{image.pk}"
    form = EntryForm(
        data_for(category, **{name: "A red harbour at night."}),
        categories=[category],
        image_files=[image],
    )
    assert form.is_valid() is True, form.errors
    assert form.fields[name].label == "Description of “harbour.jpg”"
    assert form.fields[name].widget.attrs["form"] == "entry-form"
    assert form.changed_alt_texts() == [(image, "A red harbour at night.")]
    unchanged = EntryForm(
        data_for(category, **{name: "Old."}), categories=[category], image_files=[image]
    )
    assert unchanged.is_valid() and unchanged.changed_alt_texts() == []
    control = EntryForm(
        data_for(category, **{name: "bad\x1bchar"}),
        categories=[category],
        image_files=[image],
    )
    assert control.errors[name] == ["Please remove control characters."]
    too_long = EntryForm(
        data_for(category, **{name: "x" * 2001}),
        categories=[category],
        image_files=[image],
    )
    assert too_long.errors[name] == [
        "Ensure this value has at most 2000 characters (it has 2001)."
    ]


def test_a_locked_form_ignores_what_is_posted(round_):
    category = round_.categories.get()
    form = EntryForm(
        data_for(category, title_en="Changed"),
        categories=[category],
        initial={"category": category.pk, "title_en": "Saved"},
    )
    form.lock()
    assert form["title_en"].value() == "Saved"
    assert all(field.disabled for field in form.fields.values())


def _team_data(*rows, initial=0):
    data = {
        "team-TOTAL_FORMS": str(len(rows)),
        "team-INITIAL_FORMS": str(initial),
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        data.update({f"team-{index}-{name}": value for name, value in row.items()})
    return data


def test_the_team_keeps_filled_rows_and_drops_empty_and_removed_ones():
    formset = TeamFormSet(
        _team_data(
            {"name": "Lee", "role": "Sound", "agreed": "on"},
            {"name": "Ho", "DELETE": "on"},
            {},
        ),
        prefix="team",
    )
    assert formset.is_valid() is True, formset.errors
    assert formset.members() == [
        {
            "name": "Lee",
            "role": "Sound",
            "agreed": True,
            "is_minor": False,
            "guardian_name": "",
            "guardian_agreed": False,
        }
    ]


def test_a_team_member_needs_a_name_and_plain_text():
    formset = TeamFormSet(
        _team_data({"role": "Sound"}, {"name": "Lee\x07"}), prefix="team"
    )
    assert formset.is_valid() is False
    assert formset.errors == [
        {"name": ["This field is required."]},
        {"name": ["Please remove line breaks and control characters."]},
    ]


def test_a_team_of_more_than_twenty_is_refused():
    formset = TeamFormSet(
        _team_data(*({"name": f"Member {n}"} for n in range(21))), prefix="team"
    )
    assert formset.is_valid() is False
    assert formset.non_form_errors() == ["Please submit at most 20 forms."]


def test_the_reason_for_withdrawing_is_optional_plain_text():
    assert WithdrawForm({}).is_valid() is True
    refused = WithdrawForm({"reason": "bad\x00"})
    assert refused.is_valid() is False
    assert refused.errors["reason"] == ["Null characters are not allowed."]
    long = WithdrawForm({"reason": "x" * 501})
    assert long.errors["reason"] == [
        "Ensure this value has at most 500 characters (it has 501)."
    ]
