"""What a draft still needs to be submitted follows its uploads, without a reload
that would lose what was typed (static/js/entry_files.js)."""

import pytest
from django.urls import reverse
from PIL import Image

from submissions.enums import MediaKind
from submissions.services.entries import create_entry
from submissions.services.rounds import open_round_now
from tests import factories
from tests.e2e.session import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_checklist_follows_a_finished_upload(
    live_server, page, browser_uploads, tmp_path
):
    photo = tmp_path / "harbour.jpg"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(photo, "JPEG")
    round_ = factories.make_round()
    category = round_.categories.get()
    category.media_kinds = [MediaKind.IMAGE]
    category.save(update_fields=["media_kinds"])
    open_round_now(round_, by=factories.make_staff())
    entrant = factories.make_entrant()
    entry = create_entry(
        round_,
        entrant=entrant,
        category=category,
        data={
            "title_en": "Harbour",
            "medium": "Photograph",
            "statement": "At night.",
            "consent_original": True,
            "consent_terms": True,
        },
        by=entrant,
    )
    sign_in(page, live_server, entrant)
    page.goto(live_server.url + reverse("entry_edit", args=[entry.pk]))
    checklist = page.locator("#entry-checklist")
    assert checklist.get_attribute("aria-live") == "polite"
    assert checklist.locator("li").all_inner_texts() == [
        "Add at least one file of the work."
    ]
    page.fill("[name=title_en]", "Typed, not saved")

    page.get_by_label("Choose files").set_input_files(str(photo))
    page.wait_for_function(
        "() => !document.querySelector('#entry-checklist').textContent"
        ".includes('Add at least one file')"
    )
    assert checklist.locator("li").all_inner_texts() == [
        "Describe the image “harbour.jpg” for people who cannot see it."
    ]
    assert page.locator("[name=title_en]").input_value() == "Typed, not saved"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
