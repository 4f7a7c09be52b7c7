"""A judge in Traditional Chinese on a 768 px tablet: declares a conflict on one
work, scores two with the form saving itself while they type (a reload in the
middle of a comment loses nothing), and moves with the keyboard shortcuts."""

import re

import pytest
from playwright.sync_api import expect

from judging.enums import StageState, Visibility
from judging.models import Conflict, Score, Stage
from judging.services.scoring import save_score
from submissions.enums import RoundState
from submissions.models import Entry, Round
from tests import factories
from tests.blind_fixtures import ALT_TEXT, make_identified_entry
from tests.e2e.session import share_session, use_language
from tests.judging.judge_fixtures import own
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_open_stage,
    make_stage,
)

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
    assert "已從你的清單中移除" in page.locator(".messages").inner_text()
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
    # Esc leaves the comment; S saves at once, without leaving the page.
    page.get_by_label("給評審小組的評語").press("Escape")
    page.keyboard.press("s")
    expect(page.locator("#score-state")).to_have_text(SAVED)
    assert page.url.endswith(f"/assignments/{third.pk}/")

    # K: back to the second work, submitted there.
    press_outside_fields(page, "k")
    page.wait_for_url(re.compile(rf"/assignments/{second.pk}/"))
    expect(page.get_by_label("給評審小組的評語")).to_have_value("構圖大膽，色彩動人。")
    page.get_by_label("提交後前往下一件作品").uncheck()
    page.get_by_role("button", name="提交評分").click()
    page.wait_for_url(re.compile(rf"/assignments/{second.pk}/"))
    assert "已提交評分。" in page.content()

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


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_a_warned_work_on_a_phone_and_a_score_kept_offline(
    live_server, page, client, browser_uploads
):
    entry = make_identified_entry(client)
    Round.objects.filter(pk=entry.round_id).update(state=RoundState.JUDGING)
    Entry.objects.filter(pk=entry.pk).update(
        content_warning=True, content_warning_note="Shows a storm at sea."
    )
    judge, colleague = factories.make_judge(), factories.make_judge()
    stage = make_stage(
        entry.round,
        categories=[entry.category],
        state=StageState.OPEN,
        visibility=Visibility.AFTER_CLOSE,
    )
    add_to_panel(stage, judge, colleague, chair=judge)
    assign_everyone(stage, [judge, colleague], entries=[entry])
    (mine,) = own(stage, judge)
    (theirs,) = own(stage, colleague)
    criteria = list(stage.criteria.order_by("position"))
    save_score(
        theirs,
        data={f"criterion_{c.pk}": "9" for c in criteria} | {"comment": "Bold."},
        base_version=0,
        by=colleague,
        submit=True,
    )
    factories.sign_in_with_two_factor(client, judge)
    share_session(page, live_server, client)

    # The list: the thumbnail blurred, the warning said.
    page.goto(f"{live_server.url}/judging/stages/{stage.pk}/")
    thumb = page.locator(f'[data-assignment="{mine.pk}"] img')
    expect(thumb).to_have_class(re.compile("judge-blurred"))
    assert thumb.evaluate("image => image.complete && image.naturalWidth > 0")
    assert "Content warning" in page.locator("#judge-queue").inner_text()

    # The work: the note first, the work once the judge chooses to see it.
    page.locator(f'[data-assignment="{mine.pk}"] a').click()
    assert "Shows a storm at sea." in page.locator("#content-warning").inner_text()
    expect(page.locator("#work-files")).to_have_count(0)
    page.get_by_role("link", name="Show the work").click()
    picture = page.get_by_role("img", name=ALT_TEXT).first
    expect(picture).to_be_visible()
    assert picture.evaluate("image => image.complete && image.naturalWidth > 0")
    page.get_by_text("View at full size").click()
    zoomed = page.get_by_role("region", name="File 1 at full size")
    expect(zoomed).to_be_visible()
    page.check_accessibility()

    # Offline: what is typed stays on the phone, and goes when the network is back.
    page.context.set_offline(True)
    page.locator(f'label[for="id_criterion_{criteria[0].pk}_5"]').click()
    page.get_by_label("Comment for the panel").fill("Typed on the ferry.")
    expect(page.locator("#score-state")).to_have_text(
        "Offline: kept on this device and sent when the connection returns."
    )
    assert not Score.objects.filter(assignment=mine).exists()
    page.context.set_offline(False)
    expect(page.locator("#score-state")).to_have_text("Saved")
    score = Score.objects.get(assignment=mine)
    assert (score.comment, score.submitted_at) == ("Typed on the ferry.", None)
    kept = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('artsprize:score:'))"
    )
    assert kept == []

    # Once the stage has closed: the score as kept, and the panel's.
    Stage.objects.filter(pk=stage.pk).update(state=StageState.CLOSED)
    page.reload()
    assert "The stage is closed: scores cannot change." in page.content()
    page.get_by_role("link", name="The panel's scores").click()
    rows = page.locator("#panel-scores tbody tr")
    expect(rows).to_have_count(1)
    assert rows.first.inner_text().split("\t")[0] == "Judge B"
    assert "Bold." in rows.first.inner_text()
