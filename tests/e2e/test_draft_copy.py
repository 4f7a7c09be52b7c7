"""What an entrant typed survives a lapsed sign-in (static/js/draft_copy.js): the
session cookie cleared in the middle of the form, or every cookie (the CSRF one
too); after logging in again, the form offers what was typed back, field by field.
The copy is the signed-in person's: someone else signing in on the same phone is
not offered it."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from artsprize.accounts.enums import Language
from submissions.enums import Credit
from submissions.models import Entry
from submissions.services.entries import create_entry
from submissions.services.rounds import open_round_now
from tests import factories
from tests.e2e.session import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TYPED = {
    "title_en": "Harbour at Night",
    "title_zh_hant": "夜之海港",
    "medium": "Ink and wash on rice paper",
    "year_made": "2024",
    "dimensions": "45 × 60 cm",
    "statement": "The harbour lights, painted from memory.\n記憶中的海港燈火。",
    "text_work": "A poem\nof two lines.",
}
CHECKED = ("consent_original", "consent_terms", "consent_press")
UNCHECKED = ("consent_website", "consent_social", "consent_exhibition")
TEXTS = {
    "en": {
        "ended": "Your session ended, so you were logged out. Log in again to go on.",
        "kept": "What you typed is kept in this browser: after you log in, you can "
        "restore it on the form.",
        "expired": "Your form expired",
        "kept_expired": "What you typed is kept in this browser: when you go back "
        "to the form, you can restore it.",
        "back": "Log in and go back to the form",
        "offer": "What you typed on this page was not saved, but this browser kept "
        "it. Restore it or discard it.",
        "restore": "Restore what you typed",
        "restored": "What you typed is back in the form. Save it to keep it.",
        "html_lang": "en",
    },
    "zh-hant": {
        "ended": "您的工作階段已結束，所以您已被登出。請重新登入以繼續。",
        "kept": "您輸入的內容已保留在此瀏覽器中：登入後，您可以在表格上還原。",
        "expired": "您的表格已過期",
        "kept_expired": "您輸入的內容已保留在此瀏覽器中：返回表格後，您可以還原。",
        "back": "登入並返回表格",
        "offer": "您在此頁輸入的內容尚未儲存，但此瀏覽器保留了一份。您可以還原或捨棄。",
        "restore": "還原您輸入的內容",
        "restored": "您輸入的內容已還原到表格中。請儲存以保留內容。",
        "html_lang": "zh-Hant-HK",
    },
}
COPIES = "Object.keys(localStorage).filter(key => key.startsWith('artsprize:draft:'))"


def make_draft(entrant):
    round_ = factories.make_round()
    open_round_now(round_, by=factories.make_staff())
    return create_entry(
        round_,
        entrant=entrant,
        category=round_.categories.get(),
        data={"title_en": "Saved title", "statement": "Saved statement."},
        by=entrant,
    )


def lines(locator):
    return [line for line in locator.inner_text().split("\n") if line]


def log_in(page, user):
    """On the log-in page, as a person would."""
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("main form [type=submit]").click()


def type_everything(page):
    for name, value in TYPED.items():
        page.fill(f"[name={name}]", value)
    page.check(f"input[name=credit][value={Credit.ANONYMOUS}]")
    for name in CHECKED:
        page.check(f"input[name={name}]")


def assert_as_typed(page):
    for name, value in TYPED.items():
        assert page.locator(f"[name={name}]").input_value() == value, name
    assert page.locator(f"input[name=credit][value={Credit.ANONYMOUS}]").is_checked()
    assert [page.locator(f"input[name={name}]").is_checked() for name in CHECKED] == [
        True,
        True,
        True,
    ]
    assert [page.locator(f"input[name={name}]").is_checked() for name in UNCHECKED] == [
        False,
        False,
        False,
    ]


def the_copy(page):
    (key,) = page.evaluate(COPIES)
    return json.loads(page.evaluate("key => localStorage.getItem(key)", key))


def restore_with_the_keyboard(page, texts):
    panel = page.locator("#draft-copy")
    panel.wait_for(state="visible")
    assert panel.locator("[data-draft-choice]").first.inner_text() != ""
    page.wait_for_function(
        "text => document.getElementById('draft-copy-status').textContent === text",
        arg=texts["offer"],
    )
    page.get_by_role("button", name=texts["restore"]).focus()
    page.keyboard.press("Enter")
    assert page.locator("#draft-copy-status").inner_text() == texts["restored"]
    assert (
        page.locator("#draft-copy [data-draft-done]").inner_text()
        == (texts["restored"])
    )
    assert page.evaluate("document.activeElement.id") == "draft-copy"


def save_and_check_it_is_kept(page, entry):
    page.locator("button[name=action][value=save]").click()
    page.wait_for_selector(".messages .alert-success")
    entry.refresh_from_db()
    # A browser sends a text area's line breaks as CR LF.
    statement = entry.statement.replace("\r\n", "\n")
    assert (entry.title_en, entry.title_zh_hant, statement) == (
        TYPED["title_en"],
        TYPED["title_zh_hant"],
        TYPED["statement"],
    )
    assert (entry.credit, entry.consent_press, entry.consent_website) == (
        Credit.ANONYMOUS,
        True,
        False,
    )
    # Saved by the server: the copy is gone and nothing is offered again.
    assert page.evaluate(COPIES) == []
    assert page.locator("#draft-copy").is_hidden()


def test_a_lapsed_session_keeps_what_was_typed_for_after_log_in(live_server, page):
    texts = TEXTS["en"]
    entrant = factories.make_entrant()
    entry = make_draft(entrant)
    edit_url = live_server.url + reverse("entry_edit", args=[entry.pk])
    sign_in(page, live_server, entrant, language="en")
    page.goto(edit_url)
    assert page.locator("#draft-copy").is_hidden()
    type_everything(page)

    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.locator("button[name=action][value=save]").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=.*&session_ended=1$"))
    notice = page.locator("#session-ended")
    assert notice.get_attribute("role") == "alert"
    assert lines(notice) == [texts["ended"], texts["kept"]]
    # Nothing reached the server, and the browser's copy holds no token or password.
    entry.refresh_from_db()
    assert entry.title_en == "Saved title"
    copy = the_copy(page)
    assert copy["values"]["statement"] == TYPED["statement"]
    assert "csrfmiddlewaretoken" not in copy["values"]
    assert "page_language" not in copy["values"]

    # Someone else signs in on the same phone: their entry offers nothing of it.
    other = factories.make_entrant()
    theirs = make_draft(other)
    page.goto(
        f"{live_server.url}/accounts/login/?next="
        + reverse("entry_edit", args=[theirs.pk])
    )
    assert page.locator("#session-ended").count() == 0
    log_in(page, other)
    page.wait_for_url(live_server.url + reverse("entry_edit", args=[theirs.pk]))
    page.wait_for_load_state("load")
    assert page.locator("#draft-copy").is_hidden()
    assert page.locator("[name=statement]").input_value() == "Saved statement."
    assert page.locator("[name=title_en]").input_value() == "Saved title"
    page.context.clear_cookies()

    page.goto(edit_url)
    log_in(page, entrant)
    page.wait_for_url(edit_url)
    assert page.locator("[name=statement]").input_value() == "Saved statement."
    restore_with_the_keyboard(page, texts)
    assert_as_typed(page)
    assert page.locator("#id_statement-word-count").inner_text().startswith("14 of ")
    save_and_check_it_is_kept(page, entry)
    page.reload()
    assert page.locator("#draft-copy").is_hidden()


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_an_expired_form_keeps_what_was_typed_through_log_in(
    live_server, page, language
):
    texts = TEXTS[language]
    entrant = factories.make_entrant(
        language=Language.CHINESE if language == "zh-hant" else Language.ENGLISH
    )
    entry = make_draft(entrant)
    edit_url = live_server.url + reverse("entry_edit", args=[entry.pk])
    sign_in(page, live_server, entrant, language)
    page.goto(edit_url)
    type_everything(page)

    page.context.clear_cookies()
    page.locator("button[name=action][value=save]").click()
    back = page.locator("#back-to-form")
    back.wait_for()
    # The refusal is a 403 page, which Chromium reports; nothing else may be.
    page.reported_errors.remove(
        "Failed to load resource: the server responded with a status of 403 (Forbidden)"
    )
    assert page.locator("html").get_attribute("lang") == texts["html_lang"]
    assert page.locator("h1").inner_text() == texts["expired"]
    assert page.locator("[data-draft-kept]").inner_text() == texts["kept_expired"]
    assert back.inner_text() == texts["back"]
    entry.refresh_from_db()
    assert entry.title_en == "Saved title"

    back.click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=.*&session_ended=1$"))
    assert page.locator("html").get_attribute("lang") == texts["html_lang"]
    assert lines(page.locator("#session-ended")) == [texts["ended"], texts["kept"]]
    log_in(page, entrant)
    page.wait_for_url(edit_url)
    restore_with_the_keyboard(page, texts)
    assert_as_typed(page)
    save_and_check_it_is_kept(page, entry)
    text_work = Entry.objects.get(pk=entry.pk).text_work
    assert text_work.replace("\r\n", "\n") == TYPED["text_work"]
