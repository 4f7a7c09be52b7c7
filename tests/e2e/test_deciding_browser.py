"""The panel decides, in the browser in Traditional Chinese (laptop and 390 px
phone): the chair of a closed stage opens the panel's ranking from their
judging page, sees the tie, switches to the shared-screen view and records a
decision with the keyboard; then staff pre-fill the next stage with the top 3
of the category, see the tie at the cut, keep one of the tied works out with
the keyboard and close the selection. Every page visited is checked with
axe-core (tests/e2e/conftest.py)."""

import re

import pytest

from judging.enums import StageState
from judging.models import Assignment, DecisionNote, PanelMember, Stage, StageEntry
from tests import factories
from tests.e2e.keyboard import assert_fits_the_screen, tab_to
from tests.e2e.session import share_session, switch_language
from tests.judging.advancing_fixtures import make_two_stages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_chair_deliberates_and_staff_advance_the_top_three(
    live_server, page, client
):
    first, second, works, _youth = make_two_stages()
    chair = PanelMember.objects.get(stage=first).judge
    PanelMember.objects.filter(stage=first).update(is_chair=True)
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)

    # The chair, in Chinese, from their judging page to the ranking.
    factories.sign_in_with_two_factor(client, chair)
    share_session(page, live_server, client)
    page.goto(f"{live_server.url}/judging/")
    switch_language(page, "繁體")
    page.get_by_role("link", name="查看評審團對作品的排名").click()
    page.wait_for_url(re.compile(rf"/judging/stages/{first.pk}/deliberation/$"))
    assert page.locator("h1").inner_text().startswith("評議")
    items = page.locator("#ranked-list > li")
    assert [item.get_attribute("data-rank") for item in items.all()][:4] == [
        "1",
        "2",
        "3",
        "3",
    ]
    assert page.locator('#ranked-list [data-flag="tie"]').count() == 2
    assert works[0].reference in items.first.inner_text()
    assert "評審 A" in items.first.locator("table").inner_text()
    assert_fits_the_screen(page)

    page.get_by_role("link", name="共用螢幕檢視（較大字體）").click()
    page.wait_for_url(re.compile(r"screen=1"))
    assert page.locator("#deliberation.deliberation-screen").count() == 1
    assert_fits_the_screen(page)

    # A decision, typed and recorded with the keyboard alone.
    tab_to(page, "#id_text")
    page.keyboard.type("評審團同意第三名並列的兩件作品由職員決定。")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".messages .alert").inner_text() == "決定已記錄。"
    assert "評審團同意第三名並列" in page.locator("#decision-notes").inner_text()
    assert "主席" in page.locator("#decision-notes").inner_text()
    assert DecisionNote.objects.get(stage=first).by_chair
    assert_fits_the_screen(page)

    # Staff, in Chinese, choose the works of the final.
    staff = factories.make_staff()
    page.context.clear_cookies()
    factories.sign_in_with_two_factor(client, staff)
    share_session(page, live_server, client)
    page.goto(f"{live_server.url}/manage/stages/{first.pk}/results/?by=raw")
    switch_language(page, "繁體")
    page.get_by_role("link", name="挑選晉級至「決選」的作品").click()
    page.wait_for_url(re.compile(rf"/manage/stages/{second.pk}/selection/$"))

    # Pre-fill with the top 3, by the keyboard: the tie at the cut is shown.
    tab_to(page, "#prefill-top")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # Calibrated → normalised → raw mean.
    page.keyboard.press("ArrowDown")
    assert page.locator("#prefill-by").input_value() == "raw"
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "top=3" in page.url and "by=raw" in page.url
    tie = page.locator("[data-tie]")
    assert tie.get_attribute("data-tie") == "3"
    assert "截線上出現同分" in tie.inner_text()
    at_cut = page.locator("tr[data-at-cut]")
    assert [row.get_attribute("data-entry") for row in at_cut.all()] == [
        str(works[2].pk),
        str(works[3].pk),
    ]
    checked = page.locator("input[name=entry]:checked")
    assert checked.count() == 4
    assert_fits_the_screen(page)

    # Keep the second tied work out: Space on its box, reached by Tab.
    tab_to(page, f"#entry-{works[3].pk}")
    page.keyboard.press("Space")
    assert checked.count() == 3
    page.get_by_role("button", name="儲存並確定名單").click()
    page.wait_for_url(re.compile(rf"/manage/stages/{second.pk}/$"))
    assert asked[-1].startswith("儲存並確定名單？")
    assert "名單已確定：3 件作品進入此階段" in page.locator(".messages").inner_text()
    assert_fits_the_screen(page)

    assert set(
        StageEntry.objects.filter(stage=second).values_list("entry_id", flat=True)
    ) == {works[0].pk, works[1].pk, works[2].pk}
    assert Assignment.objects.filter(stage=second).count() == 3 * 2
    assert Stage.objects.get(pk=first.pk).state == StageState.FINALISED

    # The results of the first stage say where its works went.
    page.goto(f"{live_server.url}/manage/stages/{first.pk}/results/?by=raw")
    assert page.locator("[data-advanced]").count() == 3
