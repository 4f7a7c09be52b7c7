"""A visitor reads the news in the browser (laptop and 390 px phone), in English
then in Traditional Chinese: the list with its covers, a post reached with the
keyboard alone, its cover loaded at a web size, and no page wider than the
phone's screen. Staff write a post with a phone photo as its cover, preview it in
Chinese and publish it. Every page visited is checked with axe-core
(tests/e2e/conftest.py)."""

import pytest
from django.test import Client

from artsprize.news.enums import PostState
from artsprize.news.models import NewsPost
from tests import factories
from tests.e2e.keyboard import assert_fits_the_screen, tab_to
from tests.e2e.session import share_session, switch_language
from tests.news_factories import GPS_PHOTO, make_post, png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def posts():
    """Two published posts with a wide cover, the second the newest, and a draft."""
    older = make_post(
        title_en="Call for entries opens",
        title_zh_hant="徵集作品開始",
        summary_en="Entries are open until March.",
        summary_zh_hant="作品徵集至三月。",
        cover=png_bytes(2400, 1200, (20, 80, 140)),
        cover_alt_en="A blue poster",
        cover_alt_zh_hant="藍色海報",
        published=True,
    )
    newer = make_post(
        cover=png_bytes(2400, 1200, (160, 40, 40)),
        cover_alt_en="A red poster",
        cover_alt_zh_hant="紅色海報",
        published=True,
    )
    make_post(title_en="Draft never shown", title_zh_hant="不公開的草稿")
    return older, newer


def card_titles(page):
    return page.locator("#news-list .card-title a").all_inner_texts()


def loaded_size(image, post):
    """The width of the web size of ``post``'s cover the browser chose, once
    it has loaded it."""
    image.scroll_into_view_if_needed()
    image.page.wait_for_function(
        "element => element.complete && element.naturalWidth > 0",
        arg=image.element_handle(),
    )
    chosen = image.evaluate("element => element.currentSrc")
    return [size["width"] for size in post.cover_sizes if size["key"] in chosen]


def test_a_visitor_reads_the_news_in_both_languages(live_server, page, browser_uploads):
    older, newer = posts()

    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.get_by_role("link", name="All news").click()
    assert page.locator("h1").inner_text() == "News"
    assert card_titles(page) == ["Winners announced", "Call for entries opens"]
    first_cover = page.locator("#news-list img").first
    assert first_cover.get_attribute("alt") == "A red poster"
    assert first_cover.get_attribute("loading") == "lazy"
    assert len(loaded_size(first_cover, newer)) == 1
    assert_fits_the_screen(page)

    # With the keyboard alone, to the newest post.
    tab_to(page, f"#news-list a[href='/news/{newer.slug}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Winners announced"
    assert page.locator(".news-body strong").inner_text() == "panel"
    cover = page.locator("article.news-post img")
    assert cover.get_attribute("alt") == "A red poster"
    assert len(loaded_size(cover, newer)) == 1
    assert_fits_the_screen(page)

    # The same post, then the list, in Chinese.
    switch_language(page, "繁體")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert page.locator("h1").inner_text() == "得獎名單公布"
    assert page.locator(".news-body").inner_text().strip() == "評審團於六月開會。"
    assert cover.get_attribute("alt") == "紅色海報"
    assert_fits_the_screen(page)
    page.goto(f"{live_server.url}/news/")
    assert card_titles(page) == ["得獎名單公布", "徵集作品開始"]
    tab_to(page, f"#news-list a[href='/news/{older.slug}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "徵集作品開始"
    assert_fits_the_screen(page)


def test_staff_write_preview_and_publish_a_post(live_server, page, browser_uploads):
    staff = factories.make_staff()
    client = Client()
    factories.sign_in_with_two_factor(client, staff)
    share_session(page, live_server, client)

    page.goto(f"{live_server.url}/manage/news/")
    with page.expect_navigation():
        page.get_by_role("link", name="New post").click()
    page.get_by_label("title (English)").fill("Shortlist announced")
    page.get_by_label("title (Chinese)").fill("入圍名單公布")
    page.get_by_label("text (English)").fill("Ten works are on the **shortlist**.")
    page.get_by_label("text (Chinese)").fill("十件作品入圍。")
    page.get_by_label("Cover image").set_input_files(str(GPS_PHOTO))
    page.get_by_label("cover description (English)").fill("A street at night")
    page.get_by_label("cover description (Chinese)").fill("夜晚的街道")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the draft").click()
    assert page.locator("#post-state").inner_text() == "draft"
    assert_fits_the_screen(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Preview in Chinese").click()
    assert page.locator("h1").inner_text() == "入圍名單公布"
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert page.locator("article.news-post img").get_attribute("alt") == "夜晚的街道"
    page.go_back()

    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish now").click()
    assert asked == ["Publish this post now? Everyone can read it at once."]
    assert page.locator("#post-state").inner_text() == "published"
    post = NewsPost.objects.get()
    assert post.state == PostState.PUBLISHED
    page.goto(f"{live_server.url}/news/{post.slug}/")
    assert page.locator("h1").inner_text() == "Shortlist announced"
