"""A member of staff reads a stage's results in the browser in Traditional
Chinese (laptop and 390 px phone): the ranked table of each category with its
tie, the measure, threshold and filter changed with the keyboard alone, one
entry's scores by judge letter and back, and the judges' page with its charts
and their numbers. On the phone no page is wider than the screen. Every page
visited is checked with axe-core (tests/e2e/conftest.py)."""

import re

import pytest

from judging.enums import StageState
from judging.models import Stage
from submissions.models import Entry
from tests import factories
from tests.e2e.keyboard import assert_fits_the_screen, tab_to
from tests.e2e.session import share_session, switch_language
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_judging_round,
    make_stage,
    score,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Each judge's totals, by category and work (A, B, C are the judges' letters,
# by their place on the panel).
ADULT = {"A": (9, 5, 5, 3), "B": (8, 7, 7, 4), "C": (2, 6, 6, 4)}
YOUTH = {"A": (4, 8, 2, 6), "B": (5, 9, 6, 6), "C": (4, 8, 9, 7)}


def closed_stage():
    """A closed criteria stage over an adult and a youth category, scored by
    three judges. Adult: works 2 and 3 have the same scores from everyone (a
    tie for second in any measure); C disagrees on work 1 (spread 3.8), works
    2 and 3 spread 1.0, work 4 0.58. Youth: work 3, third by its raw mean, has
    the one spread above 1.
    Returns ``(stage, judges, adult works, youth works)``."""
    round_ = make_judging_round(entries=4, youth=True)
    stage = make_stage(round_)
    judges = [factories.make_judge() for _ in range(3)]
    add_to_panel(stage, *judges)
    assign_everyone(stage, judges)
    adult, youth = (
        list(Entry.objects.filter(round=round_, category=category).order_by("id"))
        for category in stage.categories.order_by("position", "id")
    )
    for judge, letter in zip(judges, "ABC", strict=True):
        for works, totals in ((adult, ADULT), (youth, YOUTH)):
            for work, total in zip(works, totals[letter], strict=True):
                score(stage, judge, work, total=total, comment=f"{letter} 的評語")
    Stage.objects.filter(pk=stage.pk).update(state=StageState.CLOSED)
    return stage, judges, adult, youth


def ranked(page):
    """(reference, rank, tied) of each row of the ranked table."""
    return [
        (
            row.locator("th[scope=row] strong").inner_text(),
            row.get_attribute("data-rank"),
            row.get_attribute("data-tied") is not None,
        )
        for row in page.locator("#results tbody tr").all()
    ]


def test_staff_read_a_stages_results_in_chinese(live_server, page, client):
    stage, judges, adult, youth = closed_stage()
    factories.sign_in_with_two_factor(client, factories.make_staff())
    share_session(page, live_server, client)
    results = f"{live_server.url}/manage/stages/{stage.pk}/results/"

    page.goto(results)
    switch_language(page, "繁體")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert page.locator("h1").inner_text().startswith("結果")

    # The adult category first, ranked by the calibrated score: works 2 and 3
    # share second place, said as "=" and, for a screen reader, in words.
    tabs = page.locator("#category-tabs .nav-link")
    assert tabs.all_inner_texts() == ["成人組 — 社區", "青年組"]
    assert tabs.first.get_attribute("aria-current") == "page"
    assert page.locator("#results-by").input_value() == "calibrated"
    first, second, third, fourth = (work.reference for work in adult)
    assert ranked(page) == [
        (first, "1", False),
        (second, "2", True),
        (third, "2", True),
        (fourth, "4", False),
    ]
    tied = page.locator(f"#results tbody tr[data-entry='{adult[1].pk}'] td").first
    assert tied.locator("[aria-hidden=true]").inner_text() == "="
    assert tied.locator(".visually-hidden").text_content().strip() == "（同分）"
    assert page.locator("#results [data-disagreement]").count() == 1
    # Its eight columns are wider than a phone: they scroll in their own region.
    wrapper = page.locator("#results").locator("xpath=..")
    assert "table-responsive" in wrapper.get_attribute("class")
    assert wrapper.evaluate("element => getComputedStyle(element).overflowX") == "auto"
    assert_fits_the_screen(page)

    # With the keyboard alone: raw mean, a threshold of 0.9, only the works
    # the judges disagree on, then Enter on the button.
    tab_to(page, "#results-by")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#results-by").input_value() == "raw"
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("0.9")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.locator("#results-only").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "by=raw" in page.url
    assert "above=0.9" in page.url
    assert "only=disagreements" in page.url
    assert page.locator("#results-by").input_value() == "raw"
    assert page.locator("#results-above").input_value() == "0.9"
    assert page.locator("#results-only").is_checked()
    assert "排名依據：原始平均分" in page.locator("#results-explained").inner_text()
    # Work 4 (spread 0.58) is left out; the others keep their ranks.
    assert ranked(page) == [
        (first, "1", False),
        (second, "2", True),
        (third, "2", True),
    ]
    assert page.locator("#results [data-disagreement]").count() == 3

    # The youth category keeps the measure and the filter, ranked on its own.
    page.get_by_role("link", name="青年組").click()
    page.wait_for_url(re.compile(rf"category={youth[0].category_id}&"))
    assert tabs.nth(1).get_attribute("aria-current") == "page"
    assert page.locator("#results-by").input_value() == "raw"
    assert ranked(page) == [(youth[2].reference, "3", False)]
    assert_fits_the_screen(page)

    # One entry's scores, by judge letter; names only when asked.
    page.get_by_role("link", name=youth[2].reference).click()
    page.wait_for_url(re.compile(rf"/results/{youth[2].pk}/\?back="))
    assert page.locator("h1").inner_text().startswith("各評審的評分")
    assert youth[2].reference in page.locator("#entry-heading").inner_text()
    rows = page.locator("#entry-scores tbody tr")
    assert [row.get_attribute("data-judge") for row in rows.all()] == list("ABC")
    assert rows.first.locator("th").inner_text().strip() == "評審 A"
    assert rows.first.locator("td.fw-semibold").inner_text() == "2"
    assert judges[0].email not in page.content()
    assert_fits_the_screen(page)
    page.get_by_label("顯示評審姓名").check()
    page.get_by_role("button", name="顯示").click()
    page.wait_for_url(re.compile(r"names=1"))
    assert rows.first.locator("th").inner_text().strip() == judges[0].email
    assert_fits_the_screen(page)

    # Back to the ranking as it was left.
    page.get_by_role("link", name="返回排名").click()
    page.wait_for_url(re.compile(r"/results/\?"))
    assert page.locator("#results-by").input_value() == "raw"
    assert page.locator("#results-above").input_value() == "0.9"
    assert page.locator("#results-only").is_checked()
    assert tabs.nth(1).get_attribute("aria-current") == "page"
    assert ranked(page) == [(youth[2].reference, "3", False)]

    # The judges' page: progress, and a chart per judge with a name and its
    # numbers in a table.
    page.get_by_role("link", name="評審：進度及各人評分方式").click()
    page.wait_for_url(re.compile(r"/results/judges/$"))
    progress = page.locator("#judges tbody tr")
    assert [row.get_attribute("data-judge") for row in progress.all()] == list("ABC")
    assert progress.first.locator("td").nth(0).inner_text() == "8"
    chart = page.get_by_role("img", name=re.compile(r"^評審 A 給出的評分"))
    assert chart.get_attribute("id") == "chart-A"
    assert "8" in page.locator("#chart-A-desc").text_content()
    numbers = page.locator("#chart-A-table")
    assert not numbers.is_visible()
    summary = page.locator("summary", has_text="「評審 A 給出的評分」的數字")
    summary.scroll_into_view_if_needed()
    summary.click()
    assert numbers.is_visible()
    counts = {
        row.locator("th").inner_text(): row.locator("td").inner_text()
        for row in numbers.locator("tbody tr").all()
    }
    # A gave 9, 5, 5, 3 and 4, 8, 2, 6.
    assert counts == {
        "1": "0",
        "2": "1",
        "3": "1",
        "4": "1",
        "5": "2",
        "6": "1",
        "7": "0",
        "8": "1",
        "9": "1",
    }
    assert_fits_the_screen(page)
    page.check_accessibility()
