"""The published results in the browser (laptop and 390 px phone): the results
post and the gallery in English and 繁體, the lightbox by keyboard (opened with
Enter, next work with the arrow key, closed with Esc, the focus back on the
work), the pseudonym shown and the legal name nowhere. Every page visited is
checked with axe-core (tests/e2e/conftest.py)."""

import pytest
from django.urls import reverse

from artsprize.news.models import NewsPost
from judging.services.publishing import (
    publication_for,
    request_publication,
    save_texts,
)
from tests.e2e.keyboard import assert_fits_the_screen, tab_to
from tests.e2e.session import switch_language
from tests.judging.publishing_fixtures import (
    LEGAL,
    PSEUDONYM,
    TEXTS,
    clear_public,
    make_decided_round,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(
    live_server, settings, browser_uploads, django_capture_on_commit_callbacks
):
    # The post's links are absolute, to the site's address.
    settings.SITE_URL = live_server.url
    round_, staff, works = make_decided_round()
    save_texts(publication_for(round_), data=TEXTS, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        request_publication(round_, by=staff)
    yield round_, works
    clear_public()


def test_the_public_reads_the_results_and_the_gallery(live_server, page, published):
    _round, works = published
    post = NewsPost.objects.get()

    page.goto(live_server.url + reverse("news:list"))
    tab_to(page, f"#news-list a[href='{reverse('news:detail', args=[post.slug])}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == TEXTS["title_en"]
    body = page.locator(".news-body").inner_text()
    assert PSEUDONYM in body and "Justice Centre Choice" in body
    assert LEGAL not in page.content()
    assert_fits_the_screen(page)

    tab_to(page, ".news-body a[href$='/gallery/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    works_shown = page.locator("#gallery [data-work]")
    assert works_shown.count() == 2
    assert PSEUDONYM in page.locator("#gallery").inner_text()
    assert LEGAL not in page.content()
    assert_fits_the_screen(page)

    # The lightbox, by keyboard.
    first = page.locator("#gallery .gallery-open").first
    tab_to(page, "#gallery .gallery-open >> nth=0")
    page.keyboard.press("Enter")
    dialog = page.locator("#gallery-dialog")
    dialog.wait_for(state="visible")
    caption = page.locator("#gallery-dialog-caption")
    first_caption = caption.inner_text()
    assert works["a"].title_en in first_caption or works["c"].title_en in first_caption
    page.keyboard.press("ArrowRight")
    assert caption.inner_text() != first_caption
    page.check_accessibility()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert first.evaluate("element => element === document.activeElement")

    # In Chinese.
    switch_language(page, "繁體")
    assert page.locator("h1").inner_text().startswith("展覽廊")
    assert works_shown.count() == 2
    assert_fits_the_screen(page)
    page.goto(live_server.url + reverse("news:detail", args=[post.slug]))
    assert page.locator("h1").inner_text() == TEXTS["title_zh_hant"]
    assert "公義中心之選" in page.locator(".news-body").inner_text()
