"""A member of staff screens a closed round on a phone, in Traditional Chinese, with
the keyboard alone: three entries one by one, the last in bulk, then the release."""

import re

import pytest

from submissions.enums import ScreeningState
from submissions.models import Entry, ScreeningReason
from submissions.services.rounds import close_round_now
from tests import factories
from tests.e2e.session import share_session, use_language
from tests.entry_factories import make_open_round, make_submitted_entry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _tab_to(page, locator):
    """Tab from where the focus is to ``locator``."""
    for _ in range(200):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("The control cannot be reached with the keyboard.")


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_staff_screen_with_the_keyboard_in_chinese_on_a_phone(
    live_server, page, client
):
    staff = factories.make_staff()
    staff.passed_two_factor = True
    round_ = make_open_round()
    for _number in range(4):
        make_submitted_entry(round_, entrant=factories.make_entrant())
    close_round_now(round_, by=staff)
    ScreeningReason.objects.create(
        text_en="The work was not made for this round.",
        text_zh_hant="作品並非為本屆創作。",
    )
    first, second, third, fourth = Entry.objects.filter(round=round_).order_by(
        "reference"
    )
    factories.sign_in_with_two_factor(client, staff)
    share_session(page, live_server, client)
    use_language(page, live_server, "zh-hant")

    page.goto(f"{live_server.url}/manage/rounds/{round_.pk}/screening/")
    assert page.locator("h1").inner_text().startswith("資格審核")
    page.get_by_role("link", name="逐件審核（可用鍵盤）").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text().startswith(first.reference)

    # E: eligible, and on to the next entry.
    page.locator("body").focus()
    page.keyboard.press("e")
    page.wait_for_url(re.compile(rf"/screening/{second.pk}/"))
    assert "已儲存「符合資格」" in page.locator(".alert").first.inner_text()

    # I without a reason is refused in Chinese; then a reason chosen by keyboard.
    page.locator("body").focus()
    with page.expect_navigation():
        page.keyboard.press("i")
    assert (
        "請說明參賽作品不符合資格的理由。" in page.locator("#form-errors").inner_text()
    )
    reason = page.locator("select[name=template]")
    reason.focus()
    page.keyboard.press("ArrowDown")
    assert reason.input_value() != ""
    ineligible = page.get_by_role("button", name=re.compile("^不符合資格"))
    _tab_to(page, ineligible)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/screening/{third.pk}/"))

    # K goes back; J forward again; E decides the third.
    page.locator("body").focus()
    page.keyboard.press("k")
    page.wait_for_url(re.compile(rf"/screening/{second.pk}/"))
    page.locator("body").focus()
    page.keyboard.press("j")
    page.wait_for_url(re.compile(rf"/screening/{third.pk}/"))
    page.locator("body").focus()
    page.keyboard.press("e")
    page.wait_for_url(re.compile(rf"/screening/{fourth.pk}/"))

    # The last one in bulk, from the queue of entries still to screen.
    page.goto(
        f"{live_server.url}/manage/rounds/{round_.pk}/screening/?screening=unscreened"
    )
    box = page.get_by_label(f"選擇 {fourth.reference}")
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    decision = page.get_by_label("將已選的參賽作品標記為")
    _tab_to(page, decision)
    assert decision.input_value() == "eligible"
    apply = page.get_by_role("button", name="套用到已選的參賽作品")
    _tab_to(page, apply)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "已將 1 件參賽作品標記為「符合資格」。" in page.content()

    # Every entry is screened: the results are released after the question.
    page.once("dialog", lambda dialog: dialog.accept())
    release = page.get_by_role("button", name="公布資格審核結果")
    _tab_to(page, release)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "資格審核結果已公布" in page.content()

    states = dict(Entry.objects.values_list("pk", "screening"))
    assert states == {
        first.pk: ScreeningState.ELIGIBLE,
        second.pk: ScreeningState.INELIGIBLE,
        third.pk: ScreeningState.ELIGIBLE,
        fourth.pk: ScreeningState.ELIGIBLE,
    }
    second.refresh_from_db()
    assert second.screening_reason_zh_hant == "作品並非為本屆創作。"
    round_.refresh_from_db()
    assert round_.screening_released_at is not None
