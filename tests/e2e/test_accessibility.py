"""The main pages of each role, in English and in Traditional Chinese, on a laptop
and on a phone: axe-core checks every one of them (the ``page`` fixture runs it on
each page that loads and on the last state), focus goes to the error summary after a
failed save, the audit log fits the screen, and controls and focus rings stand out
from the page by 3:1 at least (WCAG 2.1, 1.4.11 and 2.4.7)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from artsprize.accounts.enums import Role
from artsprize.accounts.roles import grant_role
from submissions.enums import FileState
from submissions.services.rounds import extend_deadline, open_round_now
from submissions.services.uploads import start_upload
from tests import entry_factories, factories
from tests.e2e.session import share_session, use_language

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The WCAG contrast ratio of two CSS colours; each element's background is the
# first opaque one among it and its ancestors (the portal draws none half-clear).
CONTRAST = """
(() => {
  const rgb = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const luminance = (colour) => {
    const [r, g, b] = rgb(colour).slice(0, 3).map((value) => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (one, other) => {
    const [light, dark] = [luminance(one), luminance(other)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  };
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      const values = rgb(colour);
      if (values.length < 4 || values[3] === 1) return colour;
    }
    return "rgb(255, 255, 255)";
  };
  window.portalContrast = {ratio, background};
})();
"""


@pytest.fixture(params=["en", "zh-hant"])
def language(request):
    return request.param


def visit(page, live_server, path):
    response = page.goto(live_server.url + path)
    assert response.status == 200, path
    assert page.locator("html").get_attribute("lang") in {"en", "zh-Hant-HK"}
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], path
    return response


def focused(page):
    """The id of the focused element, or its text when it is an error summary
    without one."""
    return page.evaluate(
        """() => {
          const element = document.activeElement;
          if (!element) return "";
          if (element.id) return element.id;
          return element.matches("[data-error-summary]")
            ? element.textContent.trim() : element.tagName;
        }"""
    )


def submit(page, form):
    with page.expect_navigation():
        page.locator(f"{form} [type=submit]").last.click()


def test_axe_checks_each_page_and_names_the_offending_element(live_server, page):
    round_ = entry_factories.make_open_round()
    visit(page, live_server, reverse("home"))
    with page.expect_navigation():
        page.get_by_role("link", name="Colours of Humanity").click()
    home = live_server.url + reverse("home")
    round_page = live_server.url + reverse("round_detail", args=[round_.pk])
    assert page.axe.checked == [(home, "load"), (round_page, "load")]
    assert page.axe.found == {}

    page.evaluate(
        """() => {
          const image = document.createElement("img");
          image.id = "no-description";
          image.src = "/static/favicon.svg";
          document.querySelector("main").append(image);
        }"""
    )
    page.check_accessibility()
    assert page.axe.checked[-1] == (round_page, "now")
    rules = page.axe.found.pop(round_page)
    assert list(rules) == ["image-alt (critical): Images must have alternative text"]
    [element] = rules["image-alt (critical): Images must have alternative text"]
    assert element.startswith('#no-description  <img id="no-description"')
    page.evaluate("() => document.getElementById('no-description').remove()")


def test_the_pages_of_a_visitor(live_server, page, language):
    round_ = entry_factories.make_open_round()
    use_language(page, live_server, language)

    visit(page, live_server, reverse("home"))
    visit(page, live_server, reverse("round_detail", args=[round_.pk]))
    assert page.locator("h1").inner_text() == (
        "人性的色彩" if language == "zh-hant" else "Colours of Humanity"
    )

    visit(page, live_server, reverse("privacy"))
    visit(page, live_server, reverse("terms"))
    visit(page, live_server, reverse("account_signup"))
    page.fill("input[name=email]", "someone@example.org")
    submit(page, "form:has(input[name=accept_pics])")
    assert page.locator("#form-errors").get_attribute("role") == "alert"
    assert focused(page) == "form-errors"
    # What was typed is still there.
    assert page.input_value("input[name=email]") == "someone@example.org"

    visit(page, live_server, reverse("account_login"))
    page.fill("input[name=login]", "nobody@example.org")
    page.fill("input[name=password]", "not the password")
    submit(page, "form:has(input[name=password])")
    summary = page.locator("[data-error-summary]")
    assert summary.count() == 1
    assert focused(page) == summary.text_content().strip()
    if language == "en":
        assert focused(page) == (
            "The email address and/or password you specified are not correct."
        )

    # The phone's menu, opened, is checked too.
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.wait_for_selector("#main-nav.show")
        page.check_accessibility()


def test_the_pages_of_an_entrant(live_server, page, language):
    round_ = entry_factories.make_open_round()
    entrant = factories.make_entrant(language=language)
    draft = entry_factories.make_complete_entry(round_, entrant=entrant)
    submitted = entry_factories.make_submitted_entry(round_, entrant=entrant)
    incomplete = entry_factories.make_entry(
        round_, entrant=entrant, title_en="Night market"
    )
    client = Client()
    client.force_login(entrant)
    share_session(page, live_server, client)
    use_language(page, live_server, language)

    visit(page, live_server, reverse("my_entries"))
    visit(page, live_server, reverse("entry_edit", args=[draft.pk]))
    page.fill("input[name=year_made]", "3000")
    page.fill("input[name=medium]", "Ink and wash")
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    assert page.locator("#form-errors").is_visible()
    assert focused(page) == "form-errors"
    assert page.input_value("input[name=medium]") == "Ink and wash"

    # A refused submit: what is missing is the summary, before the page's message.
    visit(page, live_server, reverse("entry_edit", args=[incomplete.pk]))
    with page.expect_navigation():
        page.click("button[name=action][value=submit]")
    assert page.locator("[data-error-message]").count() == 1
    assert focused(page) == "entry-problems"
    assert page.locator("#entry-problems li").count() >= 2

    visit(page, live_server, reverse("entry_receipt", args=[submitted.pk]))
    assert page.locator("h1").count() == 1
    visit(page, live_server, reverse("profile"))


def make_audit_events(staff):
    """Events of each kind, some with long Chinese texts and long unbroken words: a
    round opened and its deadline extended, entries made, a file started and one
    that failed, a person given a role."""
    round_ = factories.make_round(
        title_en="Colours of Humanity: voices of the city's domestic workers",
        title_zh_hant="人性的色彩：城市中外籍家庭傭工的聲音與故事",
    )
    open_round_now(round_, by=staff)
    extend_deadline(
        round_,
        round_.closes_at + datetime.timedelta(days=3),
        by=staff,
        reason="八號烈風信號懸掛期間郵局及社區中心關閉，參賽者未能如期遞交作品，故延長截止時間三天。",
    )
    entrant = factories.make_entrant()
    entry = entry_factories.make_submitted_entry(round_, entrant=entrant)
    failed = entry_factories.add_file(entry, state=FileState.FAILED)
    failed.reason = "storage_unreachable"
    failed.attempts = 3
    failed.save(update_fields=["reason", "attempts"])
    draft = entry_factories.make_entry(
        round_,
        entrant=entrant,
        title_zh_hant="深水埗天台上看到的城市、海港與家鄉的回憶",
    )
    start_upload(
        draft,
        user=entrant,
        name="IMG_20261202_213200_HDR_harbour_seen_from_the_rooftop_in_sham_shui_po.jpg",
        size=2_000_000,
        declared_type="image/jpeg",
    )
    grant_role(factories.make_user(), Role.JUDGE, by=staff)
    return round_


def test_the_pages_of_staff(live_server, page, language):
    staff = factories.make_staff(language=language)
    round_ = make_audit_events(staff)
    for number in range(30):
        factories.make_entrant(email=f"entrant-{number}-of-a-long-list@example.org")
    client = factories.sign_in_with_two_factor(Client(), staff)
    share_session(page, live_server, client)
    use_language(page, live_server, language)

    visit(page, live_server, reverse("manage:rounds"))
    visit(page, live_server, reverse("manage:round_detail", args=[round_.pk]))
    visit(page, live_server, reverse("manage:round_exports", args=[round_.pk]))
    with page.expect_navigation():
        page.locator("#identity-export-heading ~ form [type=submit]").click()
    assert focused(page) == "form-errors"
    visit(page, live_server, reverse("manage:people"))
    visit(page, live_server, reverse("manage:person", args=[staff.pk]))
    visit(page, live_server, reverse("manage:people") + "?q=nobody-of-that-name")
    assert page.locator("main tbody tr").count() == 1
    visit(page, live_server, reverse("manage:processing"))
    assert page.locator("#failed-heading").is_visible()

    visit(page, live_server, reverse("manage:audit_log"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    if page.viewport_size["width"] >= 1280:
        table = page.locator("main table")
        assert table.is_visible()
        # No column is squeezed until Chinese text stands one character a line.
        narrowest = page.evaluate(
            """(table) => Math.min(...[...table.querySelectorAll("thead th")].map(
                (cell) => cell.getBoundingClientRect().width
                  / parseFloat(getComputedStyle(cell).fontSize)))""",
            table.element_handle(),
        )
        assert narrowest >= 4

    visit(page, live_server, reverse("manage:audit_log") + "?object=no-such-thing")
    assert focused(page) == "form-errors"
    category = round_.categories.get()
    visit(
        page,
        live_server,
        reverse("manage:category_edit", args=[round_.pk, category.pk]),
    )
    visit(page, live_server, reverse("manage:round_edit", args=[round_.pk]))
    page.fill("input[name=title_en]", "")
    page.fill("input[name=title_zh_hant]", "")
    submit(page, "main form")
    assert focused(page) == "form-errors"


def test_controls_and_focus_rings_stand_out_from_the_page(live_server, page):
    visit(page, live_server, reverse("account_signup"))
    page.evaluate(CONTRAST)
    edges = page.evaluate(
        """(selectors) => selectors.map((selector) => {
          const element = document.querySelector(selector);
          const style = getComputedStyle(element);
          return [
            selector,
            parseFloat(style.borderTopWidth),
            portalContrast.ratio(
              style.borderTopColor, portalContrast.background(element.parentElement)
            ),
          ];
        })""",
        [
            "input[name=accept_pics]",
            "input[name=hong_kong_based]",
            "input[name=email]",
            "select[name=language]",
        ],
    )
    for selector, width, ratio in edges:
        assert width >= 1, selector
        assert ratio >= 3, (selector, round(ratio, 2))

    # The keyboard reaches each control; its outline stands out from the page.
    rings = []
    for selector in [
        "input[name=email]",
        "input[name=accept_pics]",
        "select[name=language]",
        "form:has(input[name=accept_pics]) [type=submit]",
        "footer a",
    ]:
        target = page.locator(selector).first
        target.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        rings.append(
            page.evaluate(
                """([element, selector]) => {
                  const style = getComputedStyle(element);
                  return [
                    selector,
                    element === document.activeElement,
                    element.matches(":focus-visible"),
                    style.outlineStyle,
                    parseFloat(style.outlineWidth),
                    portalContrast.ratio(
                      style.outlineColor,
                      portalContrast.background(element.parentElement)
                    ),
                  ];
                }""",
                [target.element_handle(), selector],
            )
        )
    for selector, active, visible, style, width, ratio in rings:
        assert (active, visible, style) == (True, True, "solid"), selector
        assert width >= 2, selector
        assert ratio >= 3, (selector, round(ratio, 2))
