"""The translation check of CI (scripts/check_translations.py), fed small catalogues."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_translations.py"
CATALOGUES = sorted(
    (SCRIPT.parent.parent / "locale" / "zh_Hant" / "LC_MESSAGES").glob("*.po")
)

HEADER = r"""msgid ""
msgstr ""
"Project-Id-Version: test\n"
"PO-Revision-Date: 2026-12-01 12:00+0800\n"
"Last-Translator: test\n"
"Language-Team: test\n"
"Language: zh_Hant\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=1; plural=0;\n"

"""

GOOD = r"""#: templates/base.html:49
msgid "Log in"
msgstr "登入"

msgid "SHA-256"
msgstr "SHA-256"

msgid "%(size)s MB"
msgstr "%(size)s MB"

msgid "%(name)s"
msgstr "%(name)s"

msgid "Write to %(address)s."
msgstr "請寫信至 help@example.org。"

msgid "Images (JPEG, PNG or WebP)"
msgstr "圖像（JPEG、PNG 或 WebP）"

msgid "Use Google Authenticator or FreeOTP."
msgstr "請使用 Google Authenticator 或 FreeOTP。"

msgid "For example submissions.round:3."
msgstr "例如 submissions.round:3。"

msgid "Read the <a href=\"%(url)s\">rules</a>."
msgstr "請閱讀<a href=\"%(url)s\">規則</a>。"

msgctxt "list separator"
msgid ", "
msgstr "、"

msgid "%(count)s file"
msgid_plural "%(count)s files"
msgstr[0] "%(count)s 個檔案"
"""

BAD = r"""msgid "Language"
msgstr "Taal"

msgid "Log in"
msgstr ""
"Inloggen"

msgid "Authenticator secret"
msgstr "Authenticator 驗證器密鑰"

msgid "An authenticator app is not active."
msgstr "authenticator 驗證器應用程式未啟用。"

msgid "Sign up"
msgstr "サインアップ"

msgctxt "button"
msgid "Save"
msgstr "Opslaan"

msgid "%(count)s file"
msgid_plural "%(count)s files"
msgstr[0] "%(count)s files"
"""


def _check(tmp_path, body, name="django.po"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout.splitlines(), path


def test_chinese_messages_codes_names_and_placeholders_pass(tmp_path):
    code, lines, path = _check(tmp_path, GOOD)

    assert (code, lines) == (0, [f"{path}: 11 messages, all translated"])


def test_messages_in_another_language_or_half_translated_fail(tmp_path):
    code, lines, path = _check(tmp_path, BAD)

    assert code == 1
    assert lines == [
        f"{path}: 'Language' → 'Taal' has no Chinese character",
        f"{path}: 'Log in' → 'Inloggen' has no Chinese character",
        f"{path}: 'Authenticator secret' → 'Authenticator 驗證器密鑰' "
        "keeps words that are not Chinese: Authenticator",
        f"{path}: 'An authenticator app is not active.' → "
        "'authenticator 驗證器應用程式未啟用。' "
        "keeps words that are not Chinese: authenticator",
        f"{path}: 'Sign up' → 'サインアップ' has Japanese kana",
        f"{path}: 'Save' → 'Opslaan' has no Chinese character",
        f"{path}: '%(count)s file' → '%(count)s files' has no Chinese character",
    ]


def test_an_untranslated_message_still_fails(tmp_path):
    code, lines, path = _check(tmp_path, GOOD + '\nmsgid "Terms"\nmsgstr ""\n')

    assert code == 1
    assert lines == [f"{path}: 11 translated messages, 1 untranslated message."]


def test_one_bad_catalogue_fails_the_check_of_several(tmp_path):
    good = tmp_path / "good"
    bad = tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    _, _, good_path = _check(good, GOOD)
    _, _, bad_path = _check(bad, BAD)

    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(good_path), str(bad_path)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == f"{good_path}: 11 messages, all translated"


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.name)
def test_the_portals_catalogues_pass(catalogue):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(catalogue)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout
