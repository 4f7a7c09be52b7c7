"""The live word counter of the artist statement counts as the server does: every
case of tests/common/word_count_cases.json, typed into the real form in Chromium."""

import json
from pathlib import Path

import pytest

from artsprize.common.text import count_words
from submissions.services.entries import create_entry
from submissions.services.rounds import open_round_now
from tests import factories
from tests.e2e.session import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CASES = json.loads(
    (Path(__file__).parents[1] / "common" / "word_count_cases.json").read_text(
        encoding="utf-8"
    )
)


def test_the_counter_agrees_with_the_server_on_every_case(live_server, page):
    round_ = factories.make_round()
    open_round_now(round_, by=factories.make_staff())
    category = round_.categories.get()
    category.statement_word_limit = 10
    category.save(update_fields=["statement_word_limit"])
    entrant = factories.make_entrant()
    entry = create_entry(
        round_, entrant=entrant, category=category, data={}, by=entrant
    )
    sign_in(page, live_server, entrant)

    page.goto(f"{live_server.url}/entries/{entry.pk}/")
    field = page.locator("textarea[name=statement]")
    counter = page.locator("#id_statement-word-count")
    assert counter.get_attribute("aria-live") == "polite"
    assert "id_statement-word-count" in field.get_attribute("aria-describedby")
    assert counter.inner_text() == "0 of 10 words"

    in_page = page.evaluate(
        "texts => texts.map(text => window.ArtsPrize.countWords(text))",
        [case["text"] for case in CASES],
    )
    assert in_page == [case["words"] for case in CASES]

    for case in CASES:
        field.fill(case["text"])
        typed = field.input_value()
        # A text area turns CR LF into LF; that changes no count.
        assert count_words(typed) == case["words"], ascii(case["text"])
        expected = f"{case['words']} of 10 words"
        if case["words"] > 10:
            expected += " Over the limit: please shorten the statement."
        assert counter.inner_text() == expected, ascii(case["text"])

    field.fill("one two three four five six seven eight nine ten eleven")
    warning = counter.locator("[data-word-count-warning]")
    assert counter.locator("[data-word-count-text]").inner_text() == "11 of 10 words"
    assert warning.inner_text() == "Over the limit: please shorten the statement."
    assert "text-danger" in counter.get_attribute("class")
    field.press("End")
    for _ in range(len(" eleven")):
        field.press("Backspace")
    assert counter.inner_text() == "10 of 10 words"
    assert warning.inner_text() == ""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
