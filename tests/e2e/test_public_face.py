"""The public pages wear the prize's own look (static/css/public.css,
docs/DESIGN.md): the home page and a round's call, on a laptop and on a phone, in
English and in 繁體中文, in the light and the dark colour scheme. axe-core checks
each page (the ``page`` fixture), colour contrast included; the pages fit the phone,
the keyboard reaches the main call to action, and the home page stays under its
weight before artwork images."""

import gzip

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests import entry_factories
from tests.e2e.keyboard import assert_fits_the_screen, tab_to
from tests.e2e.session import use_language

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The paper and the ink of each scheme (the palette of public.css).
PAPER = {"light": "rgb(250, 247, 242)", "dark": "rgb(22, 20, 18)"}
INK = {"light": "rgb(29, 26, 23)", "dark": "rgb(237, 231, 222)"}

# What a public page may weigh before artwork images: its HTML, style sheets and
# scripts, as they travel (static files gzipped, as WhiteNoise sends them).
PAGE_BUDGET = 300_000


@pytest.fixture(params=["light", "dark"])
def color_scheme(request):
    """The colour scheme the browser prefers (tests/e2e/conftest.py)."""
    return request.param


@pytest.fixture(params=["en", "zh-hant"])
def language(request):
    return request.param


def _in(language, text, **values):
    with translation.override(language):
        return translation.gettext(text) % values


def _organiser(language):
    if language == "zh-hant":
        return settings.PRIZE_ORGANISER_ZH_HANT
    return settings.PRIZE_ORGANISER_EN


def _style(page, selector, *properties):
    return page.locator(selector).first.evaluate(
        "(element, names) => names.map((name) => getComputedStyle(element)"
        ".getPropertyValue(name).trim())",
        list(properties),
    )


def _assert_the_prize_look(page, language, color_scheme):
    """The header names the prize by its seal, the footer credits the organiser,
    and the page is ink on the paper of the scheme, in the fonts of its language."""
    assert page.locator("body").get_attribute("class").split()[-1] == "prize-public"
    assert page.locator(".prize-brand").inner_text().split("\n")[-1] == _in(
        language, "Hong Kong Human Rights Arts Prize"
    )
    assert page.locator(".prize-seal").get_attribute("aria-hidden") == "true"
    assert page.locator("footer .prize-credit").inner_text() == _in(
        language, "Organised by %(organiser)s", organiser=_organiser(language)
    )
    background, colour, font = _style(
        page, "body", "background-color", "color", "font-family"
    )
    assert (background, colour) == (PAPER[color_scheme], INK[color_scheme])
    first_font = font.split(",")[0].strip().strip('"')
    assert first_font == ("PingFang HK" if language == "zh-hant" else "system-ui")
    [heading_font] = _style(page, "h1", "font-family")
    assert heading_font.split(",")[0].strip('"') == (
        "Noto Serif CJK TC" if language == "zh-hant" else "Iowan Old Style"
    )


def test_the_home_page_wears_the_prize_look(live_server, page, language, color_scheme):
    round_ = entry_factories.make_open_round()
    use_language(page, live_server, language)

    response = page.goto(live_server.url + reverse("home"))

    assert response.status == 200
    _assert_the_prize_look(page, language, color_scheme)
    assert page.locator("h1").inner_text() == _in(
        language, "Hong Kong Human Rights Arts Prize"
    )
    assert_fits_the_screen(page)
    cta = page.locator("#home-cta")
    assert cta.get_attribute("href") == reverse("round_detail", args=[round_.pk])
    assert cta.inner_text() == _in(language, "Read the call for entries")
    # The phone's menu is folded away: Tab goes from the brand to the page.
    tab_to(page, "#home-cta")
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + reverse("round_detail", args=[round_.pk])


def test_a_round_call_wears_the_prize_look(live_server, page, language, color_scheme):
    round_ = entry_factories.make_open_round()
    use_language(page, live_server, language)

    response = page.goto(live_server.url + reverse("round_detail", args=[round_.pk]))

    assert response.status == 200
    _assert_the_prize_look(page, language, color_scheme)
    assert page.locator(".prize-hero h1").inner_text() == (
        "人性的色彩" if language == "zh-hant" else "Colours of Humanity"
    )
    assert_fits_the_screen(page)
    # The call to action in the accent, its text on it by 4.5:1 at least (axe
    # checks the ratio; this checks that the accent is the one drawn).
    [background] = _style(page, "#enter-work", "background-color")
    assert background == (
        "rgb(163, 50, 28)" if color_scheme == "light" else "rgb(240, 147, 122)"
    )
    tab_to(page, "#enter-work")
    page.check_accessibility()
    # The phone's menu, opened, is checked in the scheme too.
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.wait_for_selector("#main-nav.show")
        page.check_accessibility()


def test_privacy_and_terms_wear_the_prize_look(live_server, page, color_scheme):
    for name in ("privacy", "terms"):
        response = page.goto(live_server.url + reverse(name))
        assert response.status == 200
        _assert_the_prize_look(page, "en", color_scheme)
        assert page.locator("main .prize-prose").count() == 1
        assert_fits_the_screen(page)


def test_a_page_of_an_entrant_keeps_the_plain_look(live_server, page, color_scheme):
    page.goto(live_server.url + reverse("account_login"))

    assert "prize-public" not in page.locator("body").get_attribute("class")
    assert page.locator("link[href*='public.css']").count() == 0
    assert page.locator(".prize-credit").count() == 0
    # Bootstrap's white, whatever the scheme.
    assert _style(page, "body", "background-color") == ["rgb(255, 255, 255)"]


def _transferred(response):
    """The bytes ``response`` costs on the wire: a page as it is sent, a static
    file gzipped as WhiteNoise sends it to every browser."""
    body = response.body()
    if "/static/" in response.url:
        return len(gzip.compress(body, compresslevel=9, mtime=0))
    return len(body)


def test_the_home_page_weighs_less_than_its_budget(live_server, page):
    entry_factories.make_open_round()
    responses = []
    page.on("response", lambda response: responses.append(response))

    page.goto(live_server.url + reverse("home"))

    kinds = {response.request.resource_type for response in responses}
    assert {"document", "stylesheet", "script"} <= kinds
    assert any(r.url.endswith("/static/css/public.css") for r in responses)
    weight = sum(
        _transferred(response)
        for response in responses
        if response.request.resource_type != "image"
    )
    print(f"The home page weighs {weight} bytes before images.")
    assert weight < PAGE_BUDGET, f"the home page weighs {weight} bytes"
