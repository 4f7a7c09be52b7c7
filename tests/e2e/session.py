"""Cookies that put the browser where a test starts: signed in, in a language. The
sign-in pages have tests of their own."""

from django.conf import settings
from django.test import Client


def share_session(page, live_server, client):
    """Give the browser the session of a signed-in test client."""
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def use_language(page, live_server, language):
    page.context.add_cookies(
        [
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": language,
                "url": live_server.url,
            }
        ]
    )


def sign_in(page, live_server, user, language=None):
    client = Client()
    client.force_login(user)
    share_session(page, live_server, client)
    if language:
        use_language(page, live_server, language)


def switch_language(page, label):
    """Press the language button named ``label``; on a phone it is in the collapsed
    menu."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        # While the menu slides open its buttons are partly hidden and a click
        # may land beside them: wait until it is open.
        page.locator(".navbar-collapse.show").wait_for()
    # The button posts a form: wait for the page it leads to, not for the
    # current one, which has long finished loading.
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()
    page.wait_for_load_state()
