"""Staff review and publish a decided round's results in the browser, in
繁體 (laptop and 390 px phone): the blocking problems listed, the post's texts
written, the preview in both languages, *Publish the results* confirmed, and
the published state with the ways to the post and the gallery. Every page
visited is checked with axe-core (tests/e2e/conftest.py)."""

import pytest
from django.urls import reverse

from artsprize.news.models import NewsPost
from submissions.enums import RoundState
from tests import factories
from tests.e2e.keyboard import assert_fits_the_screen
from tests.e2e.session import share_session, switch_language
from tests.judging.publishing_fixtures import TEXTS, clear_public, make_decided_round

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def decided(live_server, settings, browser_uploads):
    settings.SITE_URL = live_server.url
    yield make_decided_round()
    clear_public()


def test_staff_review_and_publish_the_results(live_server, page, client, decided):
    round_, staff, works = decided
    factories.sign_in_with_two_factor(client, staff)
    share_session(page, live_server, client)
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.goto(live_server.url + reverse("manage:round_publication", args=[round_.pk]))
    switch_language(page, "繁體")
    assert page.locator("h1").inner_text() == "公布結果"
    problems = page.locator("#publication-problems")
    assert "請以英文撰寫公告標題。" in problems.inner_text()
    assert page.get_by_role("button", name="公布結果").is_disabled()
    assert_fits_the_screen(page)

    for name, value in TEXTS.items():
        page.locator(f"#id_{name}").fill(value)
    with page.expect_navigation():
        page.get_by_role("button", name="儲存文字").click()
    assert page.locator(".messages .alert").inner_text() == "結果公告的文字已儲存。"
    assert page.locator("#publication-problems").count() == 0
    english = page.locator("[data-preview='en']")
    chinese = page.locator("[data-preview='zh-hant']")
    assert "Justice Centre Choice" in english.inner_text()
    assert "公義中心之選" in chinese.inner_text()
    assert (
        works["b"].title_en not in page.locator("[data-preview]").all_inner_texts()[0]
    )
    assert_fits_the_screen(page)

    button = page.get_by_role("button", name="公布結果")
    button.scroll_into_view_if_needed()
    with page.expect_navigation():
        button.click()
    assert asked and asked[-1].startswith("立即公布結果？")
    # The task ran in the request (eagerly, as the suite runs tasks).
    page.reload()
    assert page.locator("#published").count() == 1
    round_.refresh_from_db()
    assert round_.state == RoundState.PUBLISHED
    post = NewsPost.objects.get()
    page.locator("#published").get_by_role("link", name="展覽廊").click()
    page.wait_for_url(f"**{reverse('round_gallery', args=[round_.pk])}")
    assert page.locator("#gallery [data-work]").count() == 2
    page.goto(live_server.url + reverse("news:detail", args=[post.slug]))
    assert page.locator("h1").inner_text() == TEXTS["title_zh_hant"]
