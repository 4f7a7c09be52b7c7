"""The public pages' own look (docs/DESIGN.md): which pages wear it, the
organiser's credit in their footer, and the contrast of every pair of colours of
its palette, light and dark (WCAG 2.1 AA)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from submissions.services.rounds import open_round_now
from tests import factories

PUBLIC_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "public.css"
PUBLIC_BODY = '<body class="d-flex flex-column min-vh-100 prize-public">'
PLAIN_BODY = '<body class="d-flex flex-column min-vh-100">'
STYLESHEET = '<link rel="stylesheet" href="/static/css/public.css">'
CHINESE = {"accept-language": "zh-hant"}


def _credit(text):
    [credit] = re.findall(r'<p class="prize-credit">(.*?)</p>', text)
    return credit


# Which pages ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_public_pages_wear_the_prize_look(client, staff_user):
    round_ = factories.make_round()
    open_round_now(round_, by=staff_user)

    for url in (
        reverse("home"),
        reverse("round_detail", args=[round_.pk]),
        reverse("privacy"),
        reverse("terms"),
    ):
        text = client.get(url).text
        assert (PUBLIC_BODY in text, STYLESHEET in text) == (True, True), url
        assert text.count('class="navbar-brand prize-brand"') == 1, url
        assert _credit(text) == "Organised by Justice Centre Hong Kong", url


@pytest.mark.django_db
def test_the_pages_of_entrants_and_staff_keep_their_plain_look(
    client, mfa_client, staff_user
):
    pages = [
        client.get(reverse("account_login")),
        mfa_client(factories.make_entrant()).get(reverse("my_entries")),
    ]
    client.logout()
    pages.append(mfa_client(staff_user).get(reverse("manage:rounds")))

    for response in pages:
        assert response.status_code == 200
        assert (PLAIN_BODY in response.text, STYLESHEET in response.text) == (
            True,
            False,
        )
        assert 'class="prize-credit"' not in response.text


@pytest.mark.django_db
def test_the_credit_names_the_configured_organiser_in_the_page_language(
    client, settings
):
    settings.PRIZE_ORGANISER_EN = "Friends of the Prize"
    settings.PRIZE_ORGANISER_ZH_HANT = "獎項之友"

    english = client.get(reverse("home")).text
    chinese = client.get(reverse("home"), headers=CHINESE).text

    assert _credit(english) == "Organised by Friends of the Prize"
    assert "獎項之友" in _credit(chinese)
    assert "Friends of the Prize" not in chinese


@pytest.mark.django_db
def test_a_missing_chinese_name_falls_back_to_the_english_one(client, settings):
    settings.PRIZE_ORGANISER_EN = "Friends of the Prize"
    settings.PRIZE_ORGANISER_ZH_HANT = ""

    chinese = client.get(reverse("home"), headers=CHINESE).text

    assert "Friends of the Prize" in _credit(chinese)


# The palette ----------------------------------------------------------------------


def _palette(block):
    return dict(re.findall(r"--prize-([a-z-]+):\s*(#[0-9a-f]{6});", block))


def _palettes():
    """The --prize-* colours of public.css: its first block, and the same names
    again in the dark scheme's block."""
    css = PUBLIC_CSS.read_text(encoding="utf-8")
    start = css.index(".prize-public {")
    light = _palette(css[start : css.index("}", start)])
    dark_start = css.index(".prize-public {", css.index("prefers-color-scheme: dark"))
    dark = _palette(css[dark_start : css.index("}", dark_start)])
    return {"light": light, "dark": {**light, **dark}}


def _luminance(colour):
    def linear(value):
        channel = int(value, 16) / 255
        if channel <= 0.03928:
            return channel / 12.92
        return ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one, other):
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Text on each ground it is drawn on: 4.5:1 (body text). The edge of a control
# on its ground: 3:1 (WCAG 1.4.11).
TEXT_PAIRS = [
    (text, ground)
    for text in ("ink", "muted", "accent", "accent-strong")
    for ground in ("paper", "surface", "tint")
] + [("on-accent", "accent"), ("on-accent", "accent-strong"), ("paper", "ink")]
EDGE_PAIRS = [("edge", ground) for ground in ("paper", "surface", "tint")]


def test_contrast_is_the_wcag_ratio():
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_of_the_palette_meets_aa_on_its_grounds(scheme):
    palette = _palettes()[scheme]
    assert len(palette) == 10

    low = {
        (text, ground): round(contrast(palette[text], palette[ground]), 2)
        for text, ground in TEXT_PAIRS
        if contrast(palette[text], palette[ground]) < 4.5
    } | {
        (edge, ground): round(contrast(palette[edge], palette[ground]), 2)
        for edge, ground in EDGE_PAIRS
        if contrast(palette[edge], palette[ground]) < 3
    }

    assert low == {}


def test_the_dark_scheme_has_a_colour_of_its_own_for_each_name():
    light, dark = _palettes()["light"], _palettes()["dark"]

    assert sorted(name for name in light if light[name] == dark[name]) == []
