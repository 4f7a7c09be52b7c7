"""A staff member reveals who made an entry, in Traditional Chinese on a phone, with
the keyboard alone: a reveal without a reason is refused with the form kept and
the focus on what to correct; with a reason the identity is shown once and the
reveal listed. axe-core checks every state (tests/e2e/axe.py)."""

import pytest
from django.urls import reverse

from artsprize.accounts.enums import Language
from artsprize.accounts.models import EntrantProfile
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import ConsentMethod
from submissions.services.entries import submit_entry
from tests import factories
from tests.e2e.session import share_session, use_language
from tests.entry_factories import (
    COMPLETE,
    add_file,
    make_entry,
    make_open_round,
    make_submitted_entry,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LEGAL_NAME = "Siu Wai Ming"
EMAIL = "wai.ming.siu@example.org"
REASON = "評審申報了可能的利益衝突。"


def _press_with_the_keyboard(page, element):
    """Tab from the top of the page to ``element`` and press Enter on it."""
    page.locator("body").focus()
    for _ in range(200):
        page.keyboard.press("Tab")
        if element.evaluate("node => node === document.activeElement"):
            break
    else:
        raise AssertionError("The element cannot be reached with the keyboard.")
    page.keyboard.press("Enter")


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_a_reveal_in_chinese_on_a_phone(live_server, page, client):
    entrant = factories.make_entrant(email=EMAIL)
    EntrantProfile.objects.filter(user=entrant).update(
        legal_name=LEGAL_NAME, credit_name="小明"
    )
    entry = make_submitted_entry(make_open_round(), entrant=entrant)
    staff = factories.make_staff(
        email="organiser@example.org", language=Language.CHINESE
    )
    factories.sign_in_with_two_factor(client, staff)
    share_session(page, live_server, client)
    use_language(page, live_server, "zh-hant")
    detail = live_server.url + reverse("manage:entry_detail", args=[entry.pk])

    page.goto(detail)

    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert _fits(page)
    content = page.content()
    assert LEGAL_NAME not in content
    assert EMAIL not in content
    assert "小明" in page.locator("main").inner_text()
    assert page.get_by_text("尚未有人揭示此參賽作品的作者。").is_visible()

    # Without a reason: refused, said in Chinese, the focus on the summary.
    button = page.get_by_role("button", name="揭示此參賽作品的作者")
    with page.expect_navigation():
        _press_with_the_keyboard(page, button)
    page.reported_errors.remove(
        "Failed to load resource: the server responded with a status of 400 "
        "(Bad Request)"
    )
    summary = page.locator("[data-error-summary]")
    assert summary.inner_text() == "未有揭示作者身份：請先說明原因。"
    assert summary.evaluate("node => node === document.activeElement")
    assert page.locator("#id_reason").get_attribute("aria-invalid") == "true"
    assert (
        "請說明揭示此參賽作品作者身份的原因。"
        in page.locator("#div_id_reason").inner_text()
    )
    assert LEGAL_NAME not in page.content()
    assert not AuditEvent.objects.filter(verb=AuditVerb.IDENTITY_REVEALED).exists()
    assert _fits(page)

    # With a reason, typed after reaching the field with the keyboard.
    page.locator("body").focus()
    reason = page.get_by_label("揭示此參賽作品作者身份的原因")
    for _ in range(200):
        page.keyboard.press("Tab")
        if reason.evaluate("node => node === document.activeElement"):
            break
    else:
        raise AssertionError("The reason cannot be reached with the keyboard.")
    page.keyboard.type(REASON)
    with page.expect_navigation():
        page.keyboard.press("Tab")
        assert button.evaluate("node => node === document.activeElement")
        page.keyboard.press("Enter")

    identity = page.locator("#identity")
    assert identity.get_by_role("heading").inner_text() == "此參賽作品的作者"
    text = identity.inner_text()
    assert LEGAL_NAME in text
    assert EMAIL in text
    assert "法定姓名" in text
    assert page.get_by_role("cell", name=REASON).is_visible()
    assert page.get_by_role("cell", name="organiser@example.org").is_visible()
    assert _fits(page)
    assert list(
        AuditEvent.objects.filter(verb=AuditVerb.IDENTITY_REVEALED).values_list(
            "actor_id", "reason"
        )
    ) == [(staff.pk, REASON)]

    # Opened again, the page names nobody; the reveal stays listed.
    page.goto(detail)
    assert LEGAL_NAME not in page.content()
    assert page.get_by_role("cell", name=REASON).is_visible()
    # axe-core ran on each state: the page, the refusal, the identity, the page.
    reveal = live_server.url + reverse("manage:entry_reveal", args=[entry.pk])
    assert [url for url, _moment in page.axe.checked] == [
        detail,
        reveal,
        reveal,
        detail,
    ]


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_the_caseworkers_pages_in_chinese_on_a_phone(live_server, page, client):
    round_ = make_open_round()
    caseworker = factories.make_caseworker(email="chow@partner.example.org")
    artist = factories.make_entrant(email=EMAIL)
    EntrantProfile.objects.filter(user=artist).update(
        legal_name=LEGAL_NAME, credit_name="小明"
    )
    entry = make_entry(
        round_,
        entrant=artist,
        by=caseworker,
        consent_method=ConsentMethod.SIGNED_FORM,
        **COMPLETE,
    )
    add_file(entry)
    submit_entry(entry, by=caseworker)
    staff = factories.make_staff(language=Language.CHINESE)
    factories.sign_in_with_two_factor(client, staff)
    share_session(page, live_server, client)
    use_language(page, live_server, "zh-hant")

    page.goto(live_server.url + reverse("manage:caseworkers"))
    assert _fits(page)
    assert page.get_by_text(
        f"人性的色彩 ({round_.year})： 1 件參賽作品、1 位藝術家"
    ).is_visible()
    link = page.get_by_role("link", name="chow@partner.example.org")
    with page.expect_navigation():
        _press_with_the_keyboard(page, link)

    assert page.locator("h1").inner_text() == "chow@partner.example.org"
    assert _fits(page)
    assert LEGAL_NAME not in page.content()
    assert EMAIL not in page.content()
    assert page.get_by_role("cell", name="小明").is_visible()
    with page.expect_navigation():
        _press_with_the_keyboard(page, page.get_by_role("link", name=entry.reference))
    assert page.url == live_server.url + reverse("manage:entry_detail", args=[entry.pk])
    assert LEGAL_NAME not in page.content()
