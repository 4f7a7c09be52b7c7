"""The guardian's page in a real browser: it opens in the language of the mail, and
the guardian can switch it. (The entrant's own session is refused with a 403 page,
tested over HTTP in tests/submissions/test_guardians.py.)"""

import re

import pytest
from django.core import mail

from artsprize.accounts.enums import Language
from submissions.enums import GuardianState
from submissions.models import Entry
from submissions.services.entries import submit_entry
from tests.e2e.session import switch_language, use_language
from tests.entry_factories import make_minor_entry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _submitted_minor_entry(*, language):
    entry = make_minor_entry(language=language)
    submit_entry(entry, by=entry.entrant)
    return entry


def _link(live_server):
    [message] = [m for m in mail.outbox if m.to == ["parent@example.org"]]
    [url] = re.findall(r"https?://\S+/entries/guardian/\S+", message.body)
    return re.sub(r"^https?://[^/]+", live_server.url, url)


def test_the_guardian_reads_the_page_in_the_mails_language_and_may_switch(
    live_server, page
):
    entry = _submitted_minor_entry(language=Language.CHINESE)
    # The family's browser last showed the site in English.
    use_language(page, live_server, "en")

    page.goto(_link(live_server))

    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert page.locator("h1").inner_text() == "以家長或監護人身份確認參賽作品"
    switch_language(page, "ENG")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Confirm an entry as parent or guardian"

    page.get_by_role("button", name="I agree: confirm the entry").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == (
        "Thank you: you have confirmed the entry."
    )
    assert Entry.objects.get(pk=entry.pk).guardian_state == GuardianState.CONFIRMED
