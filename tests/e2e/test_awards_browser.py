"""Staff give the round's awards and decide it, in the browser in Traditional
Chinese (laptop and 390 px phone): from the round's stages to its awards, add
a special award for the youth category, give it to the work ranked first with
its citations in both languages (the keyboard reaches the form), and decide
the round after confirming. Every page visited is checked with axe-core
(tests/e2e/conftest.py)."""

import re

import pytest

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.models import Award, AwardType
from submissions.enums import RoundState
from tests import factories
from tests.e2e.keyboard import assert_fits_the_screen, tab_to
from tests.e2e.session import share_session, switch_language
from tests.judging.awards_fixtures import make_decidable_round

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_give_a_special_award_and_decide_the_round(live_server, page, client):
    round_, _stage, _adult, youth = make_decidable_round(entries=2)
    staff = factories.make_staff()
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    factories.sign_in_with_two_factor(client, staff)
    share_session(page, live_server, client)
    page.goto(f"{live_server.url}/manage/rounds/{round_.pk}/stages/")
    switch_language(page, "繁體")
    page.get_by_role("link", name="獎項", exact=True).click()
    page.wait_for_url(re.compile(rf"/manage/rounds/{round_.pk}/awards/$"))
    assert page.locator("h1").inner_text() == "獎項"
    assert "尚未有獎項" in page.locator("#decide-problems").inner_text()
    assert_fits_the_screen(page)

    # A special award of the youth category.
    page.get_by_role("link", name="加入獎項").click()
    page.wait_for_url(re.compile(r"/awards/new/$"))
    page.locator("#id_kind_3").check()
    page.locator("#id_name_en").fill("Youth Award")
    page.locator("#id_name_zh_hant").fill("青年獎")
    page.locator("#id_category").select_option(label="青年組")
    page.locator("#id_prize_zh_hant").fill("港幣五千元")
    assert_fits_the_screen(page)
    page.get_by_role("button", name="加入獎項").click()
    page.wait_for_url(re.compile(rf"/manage/rounds/{round_.pk}/awards/$"))
    assert "已加入獎項「青年獎」" in page.locator(".messages").inner_text()
    award_type = AwardType.objects.get()
    prefix = f"#id_give-{award_type.pk}"

    # Given to the youth work ranked first, with the keyboard.
    options = page.locator(f"{prefix}-entry option")
    assert options.nth(1).inner_text().startswith(f"1 · {youth[0].reference}")
    tab_to(page, f"{prefix}-entry")
    page.locator(f"{prefix}-entry").select_option(str(youth[0].pk))
    page.keyboard.press("Tab")
    page.keyboard.type("A bright, hopeful work.")
    page.keyboard.press("Tab")
    page.keyboard.type("明亮而充滿希望的作品。")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "已頒發獎項「青年獎」" in page.locator(".messages").inner_text()
    given = page.locator("[data-award]")
    assert youth[0].reference in given.inner_text()
    assert "明亮而充滿希望的作品。" in given.inner_text()
    assert_fits_the_screen(page)

    # Decided, after the confirmation.
    page.get_by_role("button", name="決定本屆結果").click()
    page.wait_for_url(re.compile(rf"/manage/rounds/{round_.pk}/awards/$"))
    assert asked[-1] == "決定本屆結果？此後其獎項不再更改。"
    assert "本屆結果已決定" in page.locator(".messages").inner_text()
    assert page.locator("#round-decided").count() == 1
    assert_fits_the_screen(page)

    round_.refresh_from_db()
    assert round_.state == RoundState.DECIDED
    award = Award.objects.get()
    assert (award.entry_id, award.citation_en) == (
        youth[0].pk,
        "A bright, hopeful work.",
    )
    assert (
        AuditEvent.objects.for_object(round_)
        .filter(verb=AuditVerb.STATE_CHANGED, to_state=RoundState.DECIDED)
        .exists()
    )
