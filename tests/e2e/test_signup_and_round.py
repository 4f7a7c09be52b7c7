import re

import pytest
from django.core import mail

from artsprize.accounts.enums import Language
from artsprize.accounts.models import User
from submissions.services.rounds import open_round_now
from tests import factories
from tests.e2e.session import switch_language

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_switch_to_chinese_and_see_the_open_round(live_server, page):
    staff = factories.make_staff()
    round_ = factories.make_round()
    open_round_now(round_, by=staff)
    email = f"artist-{page.viewport_name}@example.org"

    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", "a long pass phrase 2026")
    page.fill("input[name=password2]", "a long pass phrase 2026")
    page.fill("input[name=legal_name]", "Chan Tai Man")
    page.fill("input[name=credit_name]", "Tai")
    page.fill("input[name=date_of_birth]", "1990-05-17")
    page.check("input[name=hong_kong_based]")
    page.check("input[name=accept_pics]")
    page.locator("form:has(input[name=accept_pics]) [type=submit]").click()

    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    sent = [message for message in mail.outbox if message.to == [email]]
    assert len(sent) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", sent[0].body)
    assert link is not None
    page.goto(link.group(0).replace("http://testserver", live_server.url))
    page.locator("main form [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    user = User.objects.get(email=email)
    assert user.emailaddress_set.get().verified is True
    assert user.profile.pics_version == "2026-11"

    switch_language(page, "繁體")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    user.refresh_from_db()
    assert user.language == Language.CHINESE

    page.get_by_role("link", name="人性的色彩").click()
    page.wait_for_url(f"{live_server.url}/rounds/{round_.pk}/")
    assert page.locator("h1").inner_text() == "人性的色彩"
    countdown = page.locator("#countdown [data-countdown-text]")
    first = countdown.inner_text()
    assert "天" in first and "小時" in first
    page.wait_for_timeout(1500)
    assert countdown.inner_text() != first
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
