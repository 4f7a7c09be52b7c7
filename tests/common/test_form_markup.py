"""``bootstrap_field`` gives every field of the entry form exactly the markup
crispy-forms' Bootstrap 5 pack gives it: labels, required marks, the help text the
input names in aria-describedby, invalid-feedback and aria-invalid. The portal's
form renderer's Jinja2 widget templates give the markup of Django's own."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

from artsprize.common.form_renderer import FormRenderer
from artsprize.common.templatetags.portal_forms import bootstrap_field
from submissions.forms_entries import EntryForm, TeamFormSet
from submissions.models import ArtworkFile
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories():
    round_ = factories.make_round()
    return [
        factories.make_category(round_, name_en="Film", statement_word_limit=5),
        factories.make_category(round_, name_en="Painting"),
    ]


def _form(data, categories):
    category, other = categories
    entry_file = ArtworkFile(pk=7, original_name="photo.jpg", alt_text="")
    return EntryForm(
        data,
        categories=[category, other],
        category=category,
        needs_guardian=True,
        filed_by_caseworker=True,
        image_files=[entry_file],
        initial={"category": category.pk},
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"category": "0", "year_made": "nineteen", "guardian_email": "not an address"},
    ],
    ids=["unbound", "with-errors"],
)
def test_every_field_of_the_entry_form_renders_as_crispy_renders_it(data, categories):
    # Two forms alike: each renderer changes the widgets' classes of its own.
    fast, crispy = _form(data, categories), _form(data, categories)
    if data is not None:
        assert fast.is_valid() is False
        assert crispy.is_valid() is False
    assert list(fast.fields) == list(crispy.fields)
    for name in fast.fields:
        assert parse_html(bootstrap_field(fast[name])) == parse_html(
            as_crispy_field(crispy[name])
        ), name


def test_a_team_members_fields_render_as_crispy_renders_them():
    data = {
        "team-TOTAL_FORMS": "1",
        "team-INITIAL_FORMS": "0",
        "team-0-role": "Sound",
    }
    fast = TeamFormSet(data, prefix="team").forms[0]
    crispy = TeamFormSet(data, prefix="team").forms[0]
    assert fast.is_valid() is False
    assert crispy.is_valid() is False
    for name in fast.fields:
        assert parse_html(bootstrap_field(fast[name])) == parse_html(
            as_crispy_field(crispy[name])
        ), name


@pytest.mark.parametrize(
    "data", [None, {"year_made": "nineteen"}], ids=["unbound", "bound"]
)
def test_the_widgets_render_as_djangos_templates_render_them(data, categories):
    category, _other = categories
    forms = [
        EntryForm(
            data,
            categories=categories,
            category=category,
            needs_guardian=True,
            filed_by_caseworker=True,
            initial={"category": category.pk, "title_en": "Harbour <at> night"},
            renderer=renderer,
        )
        for renderer in (FormRenderer(), DjangoTemplates())
    ]
    portal, django = forms
    for name in portal.fields:
        assert parse_html(str(portal[name])) == parse_html(str(django[name])), name


def test_a_template_only_djangos_language_has_is_rendered_by_it():
    """The admin's widgets have no Jinja2 templates."""
    template = FormRenderer().get_template("admin/widgets/foreign_key_raw_id.html")

    assert template.backend.name == "forms_django"
