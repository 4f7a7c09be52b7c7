"""A member of staff reminds the judges of an open stage from its page in the
browser (laptop and 390 px phone): how many have work left, the confirmation,
the mails, and a second click told when the last reminder left. Every page
visited is checked with axe-core (tests/e2e/conftest.py)."""

import pytest
from django.core import mail

from judging.models import Stage
from tests import factories
from tests.e2e.session import share_session
from tests.judging.reminders_fixtures import make_panel

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_remind_the_judges_with_work_left(live_server, page, client):
    panel = make_panel()
    factories.sign_in_with_two_factor(client, factories.make_staff())
    share_session(page, live_server, client)
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)

    page.goto(f"{live_server.url}/manage/stages/{panel.stage.pk}/")
    assert page.locator("#judges-waiting").inner_text() == "2"
    assert page.locator("#reminded-manual").inner_text() == "never"
    button = page.get_by_role("button", name="Remind judges with unscored work")
    button.scroll_into_view_if_needed()
    button.click()
    page.wait_for_load_state()

    assert asked == ["Mail a reminder now to the 2 judges with works left to score?"]
    assert (
        page.locator(".messages .alert").inner_text()
        == "2 judges with works left to score were reminded."
    )
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [panel.english.email, panel.chinese.email]
    )
    assert Stage.objects.get(pk=panel.stage.pk).reminded_at is not None
    assert page.locator("#reminded-manual time").count() == 1

    page.get_by_role("button", name="Remind judges with unscored work").click()
    page.wait_for_load_state()
    assert (
        page.locator(".messages .alert-info")
        .inner_text()
        .startswith("Judges were reminded at ")
    )
    assert len(mail.outbox) == 2
