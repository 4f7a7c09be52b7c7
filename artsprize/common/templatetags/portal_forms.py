"""``{{ field|bootstrap_field }}``: a form field in crispy-forms' Bootstrap 5
markup, rendered by one flat template (``jinja2/forms/bootstrap5_field.html``)
through the form's renderer.

crispy's ``as_crispy_field`` renders each field through five nested templates and
a tag that resolves its arguments on every call; on a form of twenty fields that
was a quarter of the entry page's CPU. This gives the same markup (label and
required mark, the help text the input's aria-describedby names, invalid-feedback,
aria-invalid) for the widgets the portal's forms use: text inputs, text areas,
selects, checkboxes and radio buttons.
"""

from django import forms, template
from django.utils.safestring import mark_safe

register = template.Library()

TEMPLATE = "forms/bootstrap5_field.html"


def _add_classes(widget, *classes):
    """The input's classes as crispy sets them: the widget's own name, then the
    Bootstrap classes of its kind."""
    name = widget.__class__.__name__.lower()
    current = widget.attrs.get("class", "")
    if not current:
        current = name
    elif name not in current:
        current += f" {name}"
    words = current.split()
    for extra in classes:
        if extra not in words:
            words.append(extra)
    widget.attrs["class"] = " ".join(words)


def _options(field):
    # The same options crispy's optgroups filter lists, ungrouped.
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    values = widget.format_value(field.value())
    return [
        option
        for _group, options, _index in widget.optgroups(field.html_name, values, attrs)
        for option in options
    ]


@register.filter
def bootstrap_field(field):
    if field.is_hidden:
        return str(field)
    widget = field.field.widget
    errors = field.errors
    invalid = ("is-invalid",) if errors else ()
    context = {"checkbox": False, "options": None}
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        context["options"] = _options(field)
    elif isinstance(widget, forms.CheckboxInput):
        context["checkbox"] = True
        _add_classes(widget, "form-check-input", *invalid)
    elif isinstance(widget, forms.Select):
        _add_classes(widget, "form-select", *invalid)
    else:
        _add_classes(widget, "form-control", *invalid)
    # Each value read once here: the template then looks up plain names.
    fieldset = field.use_fieldset
    context.update(
        id=field.auto_id,
        name=field.html_name,
        label=field.label,
        label_for=field.id_for_label,
        required=field.field.required,
        help_text=field.help_text,
        errors=errors,
        css=field.css_classes(),
        fieldset=fieldset,
        describedby=field.aria_describedby if fieldset else None,
        widget="" if context["options"] is not None else str(field),
    )
    # The template escapes every value (Jinja2's autoescape), as BoundField does.
    return mark_safe(field.form.renderer.render(TEMPLATE, context))  # noqa: S308
