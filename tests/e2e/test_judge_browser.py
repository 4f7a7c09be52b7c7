"""A judge in Traditional Chinese on a 768 px tablet: declares a conflict on one
work, scores two with the form saving itself while they type (a reload in the
middle of a comment loses nothing), and moves with the keyboard shortcuts."""

import re

import pytest
from playwright.sync_api import expect

from judging.models import Conflict, Score
from tests import factories
from tests.e2e.session import share_session, use_language
from tests.judging.judge_fixtures import own
from tests.judging_factories import make_open_stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVED = "已儲存"


def press_outside_fields(page, key):
    """A shortcut key, pressed with the focus outside the form's fields."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)


@pytest.mark.parametrize("page", ["desktop"], indirect=True)
def test_a_judge_scores_on_a_tablet_in_chinese(live_server, page, client):
    page.set_viewport_size({"width": 768, "height": 1024})
    stage, (judge,) = make_open_stage(entries=3, judges=1)
    first, second, third = own(stage, judge)
    factories.sign_in_with_two_factor(client, judge)
    share_session(page, live_server, client)
    use_language(page, live_server, "zh-hant")

    page.goto(f"{live_server.url}/judging/")
    assert page.locator("h1").inner_text() == "我的評審"
    assert "已評 0 件（共 3 件），尚餘 3 件。" in page.content()
    page.get_by_role("link", name="初選").click()
    page.wait_for_url(re.compile(rf"/judging/stages/{stage.pk}/"))
    page.locator(f'[data-assignment="{first.pk}"] a').click()
    page.wait_for_url(re.compile(rf"/assignments/{first.pk}/"))

    # A conflict on the first work: it leaves the list, on to the next.
    page.get_by_role("link", name="申報利益衝突").click()
    page.get_by_label("你與這件作品有甚麼關係？").fill("我曾教導這位藝術家。")
    page.get_by_role("button", name="申報衝突").click()
    page.wait_for_url(re.compile(rf"/assignments/{second.pk}/"))
    assert "已從你的清單移除" in page.locator(".messages").inner_text()
    assert "你的次序中第 1 件（共 2 件）" in page.content()

    # The second work: scores chosen, a comment typed; saved while typing.
    criteria = list(stage.criteria.order_by("position"))
    page.locator(f'label[for="id_criterion_{criteria[0].pk}_6"]').click()
    page.locator(f'label[for="id_criterion_{criteria[1].pk}_7"]').click()
    comment = page.get_by_label("給評審小組的評語")
    comment.click()
    page.keyboard.type("構圖大膽，")
    expect(page.locator("#score-state")).to_have_text(SAVED)
    # More typed, and the page reloaded before the save goes out.
    page.keyboard.type("色彩動人。")
    page.reload()
    expect(comment).to_have_value("構圖大膽，色彩動人。")
    expect(page.locator("#score-state")).to_have_text(SAVED)
    score = Score.objects.get(assignment=second)
    # (7 × 1 + 8 × 2) / 3, a draft.
    assert (score.comment, str(score.total), score.submitted_at) == (
        "構圖大膽，色彩動人。",
        "7.667",
        None,
    )

    # J: the next work, F: into the form, scored with the keyboard.
    press_outside_fields(page, "j")
    page.wait_for_url(re.compile(rf"/assignments/{third.pk}/"))
    press_outside_fields(page, "f")
    focused = page.evaluate("document.activeElement.name")
    assert focused == f"criterion_{criteria[0].pk}"
    page.keyboard.press("Space")  # 1 chosen, then the arrow moves it to 2.
    page.keyboard.press("ArrowRight")
    page.locator(f'label[for="id_criterion_{criteria[1].pk}_4"]').click()
    page.get_by_label("給評審小組的評語").fill("尚欠力度。")
    expect(page.locator("#score-state")).to_have_text(SAVED)
    # S saves at once, without leaving the page.
    press_outside_fields(page, "s")
    expect(page.locator("#score-state")).to_have_text(SAVED)
    assert page.url.endswith(f"/assignments/{third.pk}/")

    # K: back to the second work, submitted there.
    press_outside_fields(page, "k")
    page.wait_for_url(re.compile(rf"/assignments/{second.pk}/"))
    expect(page.get_by_label("給評審小組的評語")).to_have_value("構圖大膽，色彩動人。")
    page.get_by_label("提交後前往下一件作品").uncheck()
    page.get_by_role("button", name="提交評分").click()
    page.wait_for_url(re.compile(rf"/assignments/{second.pk}/"))
    assert f"已提交 {second.entry.reference} 的評分。" in page.content()

    assert Conflict.objects.get().entry_id == first.entry_id
    scores = {
        score.assignment_id: (score.comment, score.submitted_at is not None)
        for score in Score.objects.all()
    }
    assert scores == {
        second.pk: ("構圖大膽，色彩動人。", True),
        third.pk: ("尚欠力度。", False),
    }
    # (2 × 1 + 5 × 2) / 3.
    assert str(Score.objects.get(assignment=third).total) == "4.000"
