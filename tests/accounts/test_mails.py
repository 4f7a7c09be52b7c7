"""Every mail of the sign-in machinery is the prize's own: it names the prize, is
signed by it, greets the person (never the host), and comes in their language."""

import datetime
import re
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core import mail
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import reverse

from artsprize.accounts.enums import Language
from tests import factories
from tests.accounts.test_signup import PASSWORD, signup_data

pytestmark = pytest.mark.django_db

ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
OUR_TEMPLATES = Path(settings.BASE_DIR) / "templates"
SIGNATURE = {
    Language.ENGLISH: ["With best wishes,", "Hong Kong Human Rights Arts Prize"],
    Language.CHINESE: ["祝好！", "香港人權藝術獎"],
}
GREETING = {Language.ENGLISH: "Dear Tai,", Language.CHINESE: "Tai 您好："}
AT = datetime.datetime(2026, 3, 4, 5, 6, tzinfo=datetime.UTC)
NOTICE = {
    Language.ENGLISH: [
        "This change was made to your account at the Hong Kong Human Rights Arts "
        "Prize:",
        "",
        None,
        "",
        "If you did not make it, please choose a new password at once and tell the "
        "prize's staff. The change came from:",
        "- IP address: 203.0.113.9",
        "- Browser: Firefox/140.0",
        "- Time: March 4, 2026, 1:06 p.m. (Hong Kong time)",
    ],
    Language.CHINESE: [
        "您在香港人權藝術獎的帳戶有以下變更：",
        "",
        None,
        "",
        "如這項變更並非由您作出，請立即設定新密碼，並通知本獎項的職員。變更來自：",
        "- IP 位址： 203.0.113.9",
        "- 瀏覽器： Firefox/140.0",
        "- 時間： 2026年3月4日 13:06 （香港時間）",
    ],
}


def notice(line_en, line_zh):
    return {
        language: [line if line is not None else text for line in NOTICE[language]]
        for language, text in (
            (Language.ENGLISH, line_en),
            (Language.CHINESE, line_zh),
        )
    }


# Each mail allauth can send: its context, then per language the subject and the
# lines between the greeting and the signature.
MAILS = {
    "account/email/account_already_exists": (
        {"password_reset_url": "https://prize.example/reset/"},
        {
            Language.ENGLISH: (
                "You already have an account at the Hong Kong Human Rights Arts Prize",
                [
                    "Someone, probably you, tried to sign up for the Hong Kong Human "
                    "Rights Arts Prize with this e-mail address (tai@example.org), but "
                    "it already has an account. If you forgot your password, choose a "
                    "new one here:",
                    "https://prize.example/reset/",
                    "",
                    "If it was not you, you can ignore this mail.",
                ],
            ),
            Language.CHINESE: (
                "您已擁有香港人權藝術獎的帳戶",
                [
                    "有人（可能是您）嘗試以此電郵地址（tai@example.org）登記香港人權"
                    "藝術獎的帳戶，但此地址已有帳戶。如您忘記了密碼，可在此設定新密碼：",
                    "https://prize.example/reset/",
                    "",
                    "如這並非您本人所為，您可不理會此電郵。",
                ],
            ),
        },
    ),
    "account/email/email_confirmation": (
        {"activate_url": "https://prize.example/confirm/abc/"},
        {
            Language.ENGLISH: (
                "Confirm your e-mail address for the Hong Kong Human Rights Arts Prize",
                [
                    "Please confirm that this is your e-mail address for the Hong Kong "
                    "Human Rights Arts Prize. Open this link to confirm it:",
                    "https://prize.example/confirm/abc/",
                    "",
                    "If you did not sign up, you can ignore this mail: the account is "
                    "not used without this confirmation.",
                ],
            ),
            Language.CHINESE: (
                "請確認您在香港人權藝術獎使用的電郵地址",
                [
                    "請確認這是您在香港人權藝術獎使用的電郵地址。請開啟此連結確認：",
                    "https://prize.example/confirm/abc/",
                    "",
                    "如您沒有登記，可不理會此電郵：未經確認的帳戶不會被使用。",
                ],
            ),
        },
    ),
    "account/email/login_code": (
        {"code": "K7Q2ZP"},
        {
            Language.ENGLISH: (
                "Your sign-in code for the Hong Kong Human Rights Arts Prize",
                [
                    "Your sign-in code for the Hong Kong Human Rights Arts Prize is "
                    "below. Enter it in the browser window where you are signing in:",
                    "",
                    "K7Q2ZP",
                    "",
                    "If you did not try to sign in, you can ignore this mail.",
                ],
            ),
            Language.CHINESE: (
                "您的香港人權藝術獎登入碼",
                [
                    "以下是您登入香港人權藝術獎的登入碼。請在您正在登入的瀏覽器視窗中輸入：",
                    "",
                    "K7Q2ZP",
                    "",
                    "如您沒有嘗試登入，可不理會此電郵。",
                ],
            ),
        },
    ),
    "account/email/password_reset_code": (
        {"code": "K7Q2ZP"},
        {
            Language.ENGLISH: (
                "Your code to choose a new password",
                [
                    "Your code to choose a new password for the Hong Kong Human Rights "
                    "Arts Prize is below. Enter it in the browser window where you "
                    "asked for it:",
                    "",
                    "K7Q2ZP",
                    "",
                    "If you did not ask for this, you can ignore this mail: your "
                    "password stays as it is.",
                ],
            ),
            Language.CHINESE: (
                "您設定新密碼的驗證碼",
                [
                    "以下是您為香港人權藝術獎帳戶設定新密碼的驗證碼。請在您提出要求的"
                    "瀏覽器視窗中輸入：",
                    "",
                    "K7Q2ZP",
                    "",
                    "如您沒有提出此要求，可不理會此電郵：您的密碼不會改變。",
                ],
            ),
        },
    ),
    "account/email/password_reset_key": (
        {"password_reset_url": "https://prize.example/reset/key/"},
        {
            Language.ENGLISH: (
                "Choose a new password for the Hong Kong Human Rights Arts Prize",
                [
                    "Someone, probably you, asked to choose a new password for your "
                    "account at the Hong Kong Human Rights Arts Prize. To choose it, "
                    "open this link:",
                    "https://prize.example/reset/key/",
                    "",
                    "If you did not ask for this, you can ignore this mail: your "
                    "password stays as it is.",
                ],
            ),
            Language.CHINESE: (
                "為您的香港人權藝術獎帳戶設定新密碼",
                [
                    "有人（可能是您）要求為您在香港人權藝術獎的帳戶設定新密碼。請開啟此"
                    "連結設定：",
                    "https://prize.example/reset/key/",
                    "",
                    "如您沒有提出此要求，可不理會此電郵：您的密碼不會改變。",
                ],
            ),
        },
    ),
    "account/email/unknown_account": (
        {"signup_url": "https://prize.example/signup/"},
        {
            Language.ENGLISH: (
                "No account at the Hong Kong Human Rights Arts Prize for this address",
                [
                    "Someone, probably you, asked for a new password for an account at "
                    "the Hong Kong Human Rights Arts Prize with this e-mail address "
                    "(tai@example.org), but no account uses it. To enter works in the "
                    "prize, you can sign up here:",
                    "https://prize.example/signup/",
                    "",
                    "If it was not you, you can ignore this mail.",
                ],
            ),
            Language.CHINESE: (
                "此電郵地址沒有香港人權藝術獎的帳戶",
                [
                    "有人（可能是您）要求為使用此電郵地址（tai@example.org）的香港人權"
                    "藝術獎帳戶設定新密碼，但沒有帳戶使用此地址。如欲參加本獎項，您可在"
                    "此登記：",
                    "https://prize.example/signup/",
                    "",
                    "如這並非您本人所為，您可不理會此電郵。",
                ],
            ),
        },
    ),
}
NOTIFICATIONS = {
    "account/email/email_changed": (
        {"from_email": "old@example.org", "to_email": "tai@example.org"},
        ("Your e-mail address was changed", "您的電郵地址已更改"),
        (
            "Your e-mail address was changed from old@example.org to tai@example.org.",
            "您的電郵地址已由 old@example.org 更改為 tai@example.org。",
        ),
    ),
    "account/email/email_confirm": (
        {},
        ("Your e-mail address was confirmed", "您的電郵地址已獲確認"),
        ("Your e-mail address was confirmed.", "您的電郵地址已獲確認。"),
    ),
    "account/email/email_deleted": (
        {"deleted_email": "old@example.org"},
        (
            "An e-mail address was removed from your account",
            "您的帳戶已移除一個電郵地址",
        ),
        (
            "The e-mail address old@example.org was removed from your account.",
            "電郵地址 old@example.org 已從您的帳戶中移除。",
        ),
    ),
    "account/email/password_changed": (
        {},
        ("Your password was changed", "您的密碼已更改"),
        ("Your password was changed.", "您的密碼已更改。"),
    ),
    "account/email/password_reset": (
        {},
        ("Your password was reset", "您的密碼已重設"),
        ("Your password was reset.", "您的密碼已重設。"),
    ),
    "account/email/password_set": (
        {},
        ("A password was set for your account", "您的帳戶已設定密碼"),
        ("A password was set for your account.", "您的帳戶已設定密碼。"),
    ),
    "mfa/email/recovery_codes_generated": (
        {},
        ("New recovery codes were made", "已產生新的備用代碼"),
        (
            "New recovery codes were made for two-factor authentication; the old ones "
            "no longer work.",
            "雙重認證已產生新的備用代碼；舊的備用代碼已失效。",
        ),
    ),
    "mfa/email/totp_activated": (
        {},
        ("Two-factor authentication was turned on", "雙重認證已開啟"),
        (
            "An authenticator app was set up for two-factor authentication.",
            "已為雙重認證設定驗證器應用程式。",
        ),
    ),
    "mfa/email/totp_deactivated": (
        {},
        ("Two-factor authentication was turned off", "雙重認證已關閉"),
        (
            "The authenticator app was removed: two-factor authentication is off.",
            "驗證器應用程式已移除：雙重認證已關閉。",
        ),
    ),
    "mfa/email/webauthn_added": (
        {},
        ("A security key was added to your account", "您的帳戶已加入一個安全金鑰"),
        ("A security key was added.", "已加入一個安全金鑰。"),
    ),
    "mfa/email/webauthn_removed": (
        {},
        ("A security key was removed from your account", "您的帳戶已移除一個安全金鑰"),
        ("A security key was removed.", "已移除一個安全金鑰。"),
    ),
}
for _prefix, (_context, _subjects, _lines) in NOTIFICATIONS.items():
    _bodies = notice(*_lines)
    MAILS[_prefix] = (
        {
            "timestamp": AT,
            "ip": "203.0.113.9",
            "user_agent": "Firefox/140.0",
            **_context,
        },
        {
            Language.ENGLISH: (_subjects[0], _bodies[Language.ENGLISH]),
            Language.CHINESE: (_subjects[1], _bodies[Language.CHINESE]),
        },
    )
# The sign-up variant of the confirmation is the same mail.
MAILS["account/email/email_confirmation_signup"] = MAILS[
    "account/email/email_confirmation"
]


def allauth_mail_prefixes():
    return sorted(
        str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_message.txt")
        for folder in ("account/email", "mfa/email")
        for path in (ALLAUTH_TEMPLATES / folder).glob("*_message.txt")
        if not path.name.startswith("base_")
    )


def lines_of_the_mail(subject):
    """The lines of the one mail sent, once its subject is checked."""
    [message] = mail.outbox
    assert message.subject == subject
    return message.body.splitlines()


def test_every_mail_allauth_can_send_is_the_prizes_own():
    """A new allauth mail fails here until the portal words it."""
    prefixes = allauth_mail_prefixes()

    assert sorted(MAILS) == prefixes
    for prefix in prefixes:
        for part in ("message", "subject"):
            origin = Path(get_template(f"{prefix}_{part}.txt").origin.name)
            assert origin.is_relative_to(OUR_TEMPLATES), origin
    for base in ("base_message", "base_notification"):
        origin = Path(get_template(f"account/email/{base}.txt").origin.name)
        assert origin.is_relative_to(OUR_TEMPLATES), origin


@pytest.mark.parametrize("language", [Language.ENGLISH, Language.CHINESE])
@pytest.mark.parametrize("prefix", sorted(MAILS))
def test_each_account_mail_in_english_and_chinese(prefix, language):
    user = factories.make_entrant(email="tai@example.org", language=language)
    context, expected = MAILS[prefix]
    subject, lines = expected[language]
    request = RequestFactory().get("/", headers={"host": "127.0.0.1:8000"})
    request.user = user

    with allauth_context.request_context(request):
        get_adapter(request).send_mail(prefix, user.email, dict(context))

    [message] = mail.outbox
    assert message.to == ["tai@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == subject
    assert message.body.splitlines() == [
        GREETING[language],
        "",
        *lines,
        "",
        *SIGNATURE[language],
    ]
    assert "127.0.0.1" not in message.body


def test_the_verification_mail_at_sign_up_is_the_prizes_own(client):
    client.post(reverse("account_signup"), signup_data())

    lines = lines_of_the_mail(
        "Confirm your e-mail address for the Hong Kong Human Rights Arts Prize"
    )
    assert lines[:3] == [
        "Dear Tai,",
        "",
        "Please confirm that this is your e-mail address for the Hong Kong Human "
        "Rights Arts Prize. Open this link to confirm it:",
    ]
    assert re.fullmatch(r"http://testserver/accounts/confirm-email/\S+/", lines[3])
    assert lines[-2:] == SIGNATURE[Language.ENGLISH]
    assert "Hello from" not in "\n".join(lines)
    assert "testserver!" not in "\n".join(lines)


def test_the_verification_mail_at_sign_up_in_chinese(client):
    client.post(reverse("account_signup"), signup_data(language=Language.CHINESE))

    lines = lines_of_the_mail("請確認您在香港人權藝術獎使用的電郵地址")
    assert lines[:3] == [
        "Tai 您好：",
        "",
        "請確認這是您在香港人權藝術獎使用的電郵地址。請開啟此連結確認：",
    ]
    assert lines[-2:] == SIGNATURE[Language.CHINESE]


def test_an_address_that_has_an_account_is_greeted_by_its_owner(client):
    factories.make_entrant(email="tai@example.org", language=Language.CHINESE)

    client.post(reverse("account_signup"), signup_data(email="Tai@Example.org"))

    assert lines_of_the_mail("您已擁有香港人權藝術獎的帳戶")[0] == "Tai 您好："


def test_a_reset_for_an_unknown_address_is_in_the_asking_language(client):
    client.post(
        reverse("account_reset_password"),
        {"email": "nobody@example.org"},
        headers={"accept-language": "zh-hant"},
    )

    lines = lines_of_the_mail("此電郵地址沒有香港人權藝術獎的帳戶")
    assert lines[0] == "您好："
    assert lines[-2:] == SIGNATURE[Language.CHINESE]


def test_changing_the_password_is_told_by_mail(client):
    user = factories.make_entrant(email="tai@example.org")
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": factories.PASSWORD,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        headers={"user-agent": "Firefox/140.0"},
    )

    assert response.status_code == 302
    lines = lines_of_the_mail("Your password was changed")
    assert lines[:5] == [
        "Dear Tai,",
        "",
        "This change was made to your account at the Hong Kong Human Rights Arts "
        "Prize:",
        "",
        "Your password was changed.",
    ]
    assert lines[7:9] == ["- IP address: 127.0.0.1", "- Browser: Firefox/140.0"]
    assert lines[-2:] == SIGNATURE[Language.ENGLISH]
    assert Client().login(email="tai@example.org", password=PASSWORD)


def test_the_portals_own_mails_are_signed_by_the_prize():
    for path in sorted(OUR_TEMPLATES.glob("*/mail/*_message.txt")):
        assert (
            path.read_text()
            .rstrip()
            .endswith('{% include "common/mail/signature.txt" %}')
        ), path
