import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests import factories
from tests.e2e.session import switch_language

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WRONG_CODE_IN_CHINESE = (
    "這個代碼未被接受。請確認手機的時間準確（設定為自動更新），然後輸入應用程式顯示"
    "的最新代碼：代碼每 30 秒更新一次。"
)


def code_for(secret, *, step=0):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def shown_secret(page):
    return page.locator("#authenticator_secret").input_value()


def switch_to_chinese(page):
    switch_language(page, "繁體")


def test_a_new_staff_member_scans_reloads_switches_language_and_sets_up(
    live_server, page
):
    staff = factories.make_staff()
    page.goto(f"{live_server.url}/accounts/login/?next=/manage/")
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)/"))
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", factories.PASSWORD)
        page.locator("main form [type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Fmanage%2F$"))

    scanned = shown_secret(page)
    page.reload()
    assert shown_secret(page) == scanned
    switch_to_chinese(page)
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert shown_secret(page) == scanned

    page.fill("input[name=code]", code_for(scanned, step=-10))
    page.get_by_role("button", name="啟用").click()
    page.wait_for_load_state()
    assert page.get_by_text(WRONG_CODE_IN_CHINESE).is_visible()
    assert shown_secret(page) == scanned
    assert not Authenticator.objects.filter(user=staff).exists()

    page.fill("input[name=code]", code_for(scanned))
    page.get_by_role("button", name="啟用").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/\?next=%2Fmanage%2F$"))
    totp = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    assert totp.wrap().validate_code(code_for(scanned))
    page.goto(f"{live_server.url}/manage/")
    assert page.url == f"{live_server.url}/manage/"
