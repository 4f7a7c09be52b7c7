"""The form renderer: Django's own, with the widgets every form field uses read
from flat templates (``form_widgets/``).

Django renders a text input through three templates (``text.html`` includes
``input.html``, which includes ``attrs.html``), a text area through two; each
include costs as much as a field's own values. The flat templates are those
files pasted into one, so the markup is Django's, byte for byte
(tests/common/test_form_markup.py).
"""

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

FLAT_WIDGETS = Path(__file__).resolve().parent / "form_widgets"


class FlatWidgetsRenderer(DjangoTemplates):
    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    FLAT_WIDGETS,
                    Path(django.forms.__file__).parent / "templates",
                ],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
