"""Staff open a round's dashboard in Traditional Chinese, on a laptop and on a
390 px phone: it fits the screen, its charts are pictures with a name, their
numbers are in a table behind a disclosure, judging's section shows a stage's
progress, and a failed file is retried with the keyboard alone, back on the
dashboard. axe-core checks each state (the ``page`` fixture)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from artsprize.accounts.enums import Language
from artsprize.common.models import AuditEvent
from submissions.enums import EntryState
from tests import factories
from tests.dashboard_fixtures import seed_round
from tests.e2e.session import share_session, use_language
from tests.judging_factories import add_to_panel, assign_everyone, make_stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_read_the_dashboard_in_chinese_and_retry_a_file(live_server, page):
    seeded = seed_round()
    round_ = seeded["round"]
    # A stage in set-up, its judge given the submitted entries: the section of
    # judging progress, with its bar, is on the page that axe checks.
    stage = make_stage(round_)
    judge = factories.make_judge()
    add_to_panel(stage, judge, chair=judge)
    assign_everyone(
        stage, [judge], entries=round_.entries.filter(state=EntryState.SUBMITTED)
    )
    staff = factories.make_staff(language=Language.CHINESE)
    share_session(page, live_server, factories.sign_in_with_two_factor(Client(), staff))
    use_language(page, live_server, "zh-hant")
    dashboard = live_server.url + reverse("manage:round_dashboard", args=[round_.pk])

    page.goto(live_server.url + reverse("manage:round_detail", args=[round_.pk]))
    with page.expect_navigation():
        page.get_by_role("link", name="數據概覽").click()
    assert page.url == dashboard

    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert page.get_by_role("heading", level=1).inner_text().startswith("數據概覽")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    days = page.get_by_role("img", name="每日遞交數目")
    assert days.is_visible()
    box = days.bounding_box()
    assert box["width"] <= page.viewport_size["width"]
    assert page.locator("#chart-days rect").count() == 3
    assert page.get_by_role("img", name="截止前 48 小時內每小時遞交數目").is_visible()

    # The numbers of a chart, for screen readers and for reading: the disclosure
    # opens with the keyboard.
    table = page.locator("#chart-days-table")
    assert not table.is_visible()
    page.locator("#over-time-heading ~ details summary").first.focus()
    page.keyboard.press("Enter")
    assert table.is_visible()
    assert table.locator("tbody tr").nth(2).inner_text().split() == ["03月3日", "2"]
    assert page.get_by_role("heading", name="評審工作進度").is_visible()
    progress = page.locator("#judging-progress").get_by_role(
        "progressbar", name="初選 的進度"
    )
    assert progress.get_attribute("max") == "4"
    assert progress.get_attribute("value") == "0"
    page.check_accessibility()

    failed = seeded["failed"]
    retry = page.get_by_role(
        "button", name=re.compile(f"^重試 ?: {failed.original_name}$")
    )
    assert page.locator("#failures").get_by_role("button").count() == 1
    retry.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == dashboard + "#failures-heading"
    assert page.locator(".messages").inner_text().strip() == (
        f"「{failed.original_name}」已重新排隊等候處理。"
    )
    retried = AuditEvent.objects.for_object(failed).filter(reason="processing_retried")
    assert retried.count() == 1
    assert (
        page.evaluate("document.documentElement.scrollWidth")
        <= (page.viewport_size["width"])
    )
