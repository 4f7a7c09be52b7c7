"""Inviting a judge in a real browser: staff send the invitation from the
stage's page by keyboard; the judge opens the link from the mail, in the mail's
language, creates an account and is led to set up their authenticator app."""

import re
import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from judging.models import JudgeInvitation, PanelMember
from tests import factories
from tests.e2e.session import share_session
from tests.judging.invite_fixtures import link_in, make_invite_stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and quiet harbour"


def code_for(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_staff_invite_a_judge_who_creates_an_account_and_sets_up_two_factor(
    live_server, page
):
    stage = make_invite_stage()
    staff = factories.make_staff()
    share_session(page, live_server, factories.sign_in_with_two_factor(Client(), staff))

    page.goto(f"{live_server.url}/manage/stages/{stage.pk}/invitations/")
    assert page.locator("h1").inner_text() == "Invite judges: First round"
    # A wrong address first: the page says so and keeps what was typed.
    page.get_by_label("E-mail address").fill("curator at example")
    page.get_by_label("Language of the invitation").select_option("zh-hant")
    page.get_by_label("Invite as the panel's chair").check()
    page.get_by_label("Invite as the panel's chair").press("Enter")
    page.wait_for_load_state()
    page.reported_errors.clear()  # the 400 of the refused form
    assert page.get_by_label("E-mail address").input_value() == "curator at example"
    assert page.get_by_label("Language of the invitation").input_value() == "zh-hant"
    assert page.get_by_label("Invite as the panel's chair").is_checked()

    page.get_by_label("E-mail address").fill("curator@example.org")
    page.get_by_role("button", name="Send the invitation").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == (
        "The invitation was sent to curator@example.org."
    )
    row = page.locator("tbody tr")
    assert row.count() == 1
    assert "curator@example.org" in row.inner_text()
    invitation = JudgeInvitation.objects.get()
    assert invitation.as_chair

    # The judge, in another browser session, opens the link of the mail.
    link = link_in(mail.outbox[-1])
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{link}")
    assert urlsplit(page.url).query == ""
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert "初選" in page.locator("main").inner_text()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Fjudging%2F$"))
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"

    judge = get_user_model().objects.get(email="curator@example.org")
    member = PanelMember.objects.get(stage=stage)
    assert (member.judge, member.is_chair) == (judge, True)

    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", code_for(secret))
    page.get_by_role("button", name="啟用").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))

    # The link is spent: a second visit says so, in the visitor's language.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{link}")
    page.reported_errors.clear()  # the 410 of the spent link
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert page.get_by_role("alert").inner_text() == (
        "此邀請已被接受：連結只可使用一次。請登入以進入您的評審頁面。"
    )
