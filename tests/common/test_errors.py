"""Error pages: friendly, in the visitor's language, with the right status; the 500
page even without a database."""

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from artsprize.common import views
from artsprize.common.views import server_error
from tests import factories

CHINESE = {"accept-language": "zh-hant"}


def _in_chinese(text):
    with translation.override("zh-hant"):
        return translation.gettext(text)


def _post_expired(path, data, *, referer, user=None, headers=None):
    """Post a form whose CSRF token has expired, sent from the page at ``referer``."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client.post(path, data, headers={"referer": referer, **(headers or {})})


def _back_link(href, label):
    return f'<a class="btn btn-primary" href="{href}" id="back-to-form">{label}</a>'


def _assert_error_page(response, status, title, *, lang="en"):
    assert response.status_code == status
    assert [t.name for t in response.templates][:2] == [
        "common/error.html",
        "base.html",
    ]
    assert response.context["title"] == title
    html_lang = "zh-Hant-HK" if lang == "zh-hant" else "en"
    assert f'<html lang="{html_lang}">' in response.text
    assert f'<h1 class="h3">{title}</h1>' in response.text
    assert 'href="/"' in response.text
    with translation.override(lang):
        error = translation.gettext("Error %(status)s") % {"status": status}
    assert f"{error}</p>" in response.text


@pytest.mark.django_db
def test_a_missing_page_is_404_with_the_friendly_page(client):
    response = client.get("/no-such-page/")

    _assert_error_page(response, 404, "Page not found")


@pytest.mark.django_db
def test_a_missing_page_speaks_the_language_of_the_cookie(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"

    response = client.get("/no-such-page/")

    _assert_error_page(response, 404, _in_chinese("Page not found"), lang="zh-hant")


@pytest.mark.django_db
def test_a_missing_round_is_404_in_chinese(client):
    response = client.get(reverse("round_detail", args=[999999]), headers=CHINESE)

    _assert_error_page(response, 404, _in_chinese("Page not found"), lang="zh-hant")


@pytest.mark.django_db
def test_a_refused_page_is_403_with_the_friendly_page(mfa_client):
    client = mfa_client(factories.make_entrant())

    response = client.get(reverse("manage:audit_log"), headers=CHINESE)

    _assert_error_page(response, 403, _in_chinese("Not allowed"), lang="zh-hant")


@pytest.mark.django_db
def test_a_request_for_another_host_is_400_with_the_friendly_page(client, settings):
    settings.ALLOWED_HOSTS = ["portal.example.org"]

    response = client.get("/", headers={"host": "attacker.example", **CHINESE})

    _assert_error_page(response, 400, _in_chinese("Bad request"), lang="zh-hant")


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_friendly_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/"}, headers=CHINESE
    )

    _assert_error_page(response, 403, _in_chinese("Your form expired"), lang="zh-hant")


def _request_whose_user_needs_the_database(rf):
    # This test has no database access: pytest-django fails any query, so the
    # handler must not read the session or the user.
    request = rf.get("/somewhere/")
    request.user = SimpleLazyObject(lambda: pytest.fail("the 500 page read the user"))
    request.session = SimpleLazyObject(
        lambda: pytest.fail("the 500 page read the session")
    )
    return request


def test_the_500_page_renders_without_the_database(rf):
    request = _request_whose_user_needs_the_database(rf)

    response = server_error(request)

    text = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="en">' in text
    assert '<h1 class="h3">Something went wrong</h1>' in text
    assert "Nothing you sent was lost" in text
    assert 'href="/"' in text


def test_the_500_page_speaks_the_visitors_language(rf):
    request = _request_whose_user_needs_the_database(rf)

    with translation.override("zh-hant"):
        response = server_error(request)

    text = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="zh-Hant-HK">' in text
    assert f'<h1 class="h3">{_in_chinese("Something went wrong")}</h1>' in text


def test_the_500_page_falls_back_to_plain_html_when_its_template_fails(
    rf, settings, tmp_path
):
    # A deployment without its static manifest: {% static %} raises.
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        },
    }
    assert storages["staticfiles"].__class__.__name__ == "ManifestStaticFilesStorage"
    request = _request_whose_user_needs_the_database(rf)

    response = server_error(request)

    text = response.content.decode()
    assert response.status_code == 500
    assert text.startswith('<!DOCTYPE html><html lang="en">')
    assert "<h1>Something went wrong</h1>" in text
    assert '<a href="/">Go to the home page</a>' in text


def test_django_uses_these_handlers():
    resolver = get_resolver()

    assert resolver.resolve_error_handler(400) is views.bad_request
    assert resolver.resolve_error_handler(403) is views.permission_denied
    assert resolver.resolve_error_handler(404) is views.page_not_found
    assert resolver.resolve_error_handler(500) is views.server_error


@pytest.mark.django_db(transaction=True)
def test_a_page_with_the_database_down_gets_the_500_page(database_down):
    client = Client(raise_request_exception=False)

    with database_down() as missing:
        response = client.get("/", headers=CHINESE)

    text = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="zh-Hant-HK">' in text
    assert f'<h1 class="h3">{_in_chinese("Something went wrong")}</h1>' in text
    assert missing not in text
    assert "Traceback" not in text


@pytest.mark.django_db
def test_an_expired_form_speaks_the_page_language_and_leads_back_through_log_in(
    settings,
):
    # Every cookie is gone: the language cookie too, and the browser asks in English.
    response = _post_expired(
        "/entries/5/",
        {"page_language": "zh-hant", "needs_sign_in": "1", "statement": "我的創作自述"},
        referer="http://testserver/entries/5/",
        headers={"accept-language": "en"},
    )

    _assert_error_page(response, 403, _in_chinese("Your form expired"), lang="zh-hant")
    assert response.context["message"] == (
        "為保障您的安全，表格未能送出，例如因為您已被登出，或頁面開啟了很長時間。"
        "所有內容均未儲存。"
    )
    assert (
        _back_link(
            "/accounts/login/?next=/entries/5/&amp;session_ended=1", "登入並返回表格"
        )
        in response.text
    )
    assert (
        "<p data-draft-kept hidden>您輸入的內容已保留在此瀏覽器中：返回表格後，"
        "您可以還原。</p>"
    ) in response.text
    assert "/static/js/draft_copy.js" in response.text
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "data", "back_to", "signed_in"),
    [
        (
            "/entries/5/?artist=3",
            {"statement": "Typed."},
            "/entries/new/2/?artist=3",
            True,
        ),
        (
            "/accounts/signup/",
            {"email": "artist@example.org"},
            "/accounts/signup/",
            False,
        ),
    ],
    ids=["of-a-signed-in-person", "that-needs-no-sign-in"],
)
def test_an_expired_form_leads_straight_back(path, data, back_to, signed_in):
    response = _post_expired(
        path,
        data,
        referer=f"http://testserver{back_to}",
        user=factories.make_entrant() if signed_in else None,
    )

    _assert_error_page(response, 403, "Your form expired")
    assert response.context["message"] == (
        "For your security the form could not be sent, for example because you "
        "were logged out or the page was open for a long time. Nothing was saved."
    )
    assert _back_link(back_to, "Go back to the form") in response.text
    assert "django_language" not in response.cookies


@pytest.mark.django_db
def test_an_expired_form_never_links_to_another_site_nor_takes_a_bad_language():
    response = _post_expired(
        "/entries/5/",
        {"page_language": "xx"},
        referer="https://attacker.example/entries/5/",
    )

    _assert_error_page(response, 403, "Your form expired")
    assert 'id="back-to-form"' not in response.text
    assert "attacker" not in response.text
    assert "django_language" not in response.cookies
