"""Staff actions that cannot be undone ask first, in the staff member's language:
dismissing the question leaves everything as it was, accepting it acts. Keyboard
only: the button is reached with Tab and pressed with Enter; the native dialog is
answered like any other."""

import pytest

from artsprize.accounts.enums import Role
from submissions.enums import RoundState
from submissions.models import Round
from submissions.services.rounds import open_round_now
from tests import factories
from tests.e2e.session import share_session, use_language

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, client, live_server, user):
    """Share a two-factor session of a test client with the browser: the sign-in
    steps have their own tests, this one is about the question."""
    factories.sign_in_with_two_factor(client, user)
    share_session(page, live_server, client)


def _press_with_the_keyboard(page, button):
    """Tab from the top of the page to ``button`` and press Enter on it."""
    page.locator("body").focus()
    for _ in range(200):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("The button cannot be reached with the keyboard.")
    page.keyboard.press("Enter")


def _answer(page, *, accept):
    asked = []

    def on_dialog(dialog):
        asked.append((dialog.type, dialog.message))
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", on_dialog)
    return asked


def test_close_now_is_not_taken_when_the_question_is_dismissed(
    live_server, page, client
):
    staff = factories.make_staff()
    round_ = factories.make_round()
    open_round_now(round_, by=staff)
    _sign_in(page, client, live_server, staff)
    detail = f"{live_server.url}/manage/rounds/{round_.pk}/"
    page.goto(detail)
    button = page.get_by_role("button", name="Close now")

    asked = _answer(page, accept=False)
    _press_with_the_keyboard(page, button)
    page.wait_for_timeout(500)

    assert asked == [
        ("confirm", "Close this round now? It stops taking entries at once.")
    ]
    assert page.url == detail
    assert Round.objects.get(pk=round_.pk).state == RoundState.OPEN

    asked = _answer(page, accept=True)
    with page.expect_navigation():
        _press_with_the_keyboard(page, button)

    assert len(asked) == 1
    assert page.url == detail
    assert Round.objects.get(pk=round_.pk).state == RoundState.CLOSED
    assert page.get_by_role("status").inner_text() == (
        "The round is closed: it takes no more entries."
    )


def test_removing_a_role_asks_in_chinese(live_server, page, client):
    staff = factories.make_staff(language="zh-hant")
    judge = factories.make_judge(email=f"judge-{page.viewport_name}@example.org")
    _sign_in(page, client, live_server, staff)
    use_language(page, live_server, "zh-hant")
    page.goto(f"{live_server.url}/manage/people/{judge.pk}/")
    button = page.get_by_role("button", name="移除「評審」角色")

    asked = _answer(page, accept=False)
    button.click()
    page.wait_for_timeout(500)

    assert asked == [("confirm", f"要移除 {judge.email} 的「評審」角色嗎？")]
    assert judge.groups.filter(name=Role.JUDGE).exists() is True

    asked = _answer(page, accept=True)
    with page.expect_navigation():
        button.click()

    assert len(asked) == 1
    assert judge.groups.filter(name=Role.JUDGE).exists() is False
