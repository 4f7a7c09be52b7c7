import re

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from artsprize.accounts.enums import Language
from artsprize.settings.cache import cache_config
from tests import factories

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts. Try again later."
WRONG = "The email address and/or password you specified are not correct."


def log_in(client, email, password=factories.PASSWORD, **extra):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, **extra
    )


def test_log_in_and_out(client, entrant_user):
    response = log_in(client, entrant_user.email)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(entrant_user.pk)

    response = client.get(reverse("account_logout"))
    assert response.status_code == 200
    assert client.session["_auth_user_id"] == str(entrant_user.pk)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_says_so_and_keeps_the_address(client, entrant_user):
    response = log_in(client, entrant_user.email, "not my password")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [WRONG]
    assert form["login"].value() == entrant_user.email
    assert f'value="{entrant_user.email}"' in response.text
    assert 'class="alert alert-block alert-danger"' in response.text


def test_repeated_failures_throttle_the_login_even_with_the_right_password(
    client, entrant_user
):
    for _attempt in range(5):
        response = log_in(client, entrant_user.email, "not my password")
        assert response.context["form"].non_field_errors() == [WRONG]

    response = log_in(client, entrant_user.email)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [TOO_MANY]
    assert TOO_MANY in response.text
    assert "_auth_user_id" not in client.session

    # Another account from the same address is not locked out by these failures.
    other = factories.make_entrant()
    response = log_in(client, other.email)
    assert response.status_code == 302


def test_the_throttle_message_is_in_chinese_for_a_chinese_page(client, entrant_user):
    for _attempt in range(6):
        response = log_in(
            client,
            entrant_user.email,
            "not my password",
            headers={"accept-language": "zh-hant"},
        )

    assert response.context["form"].non_field_errors() == [
        "登入嘗試失敗次數過多，請稍後再試。"
    ]


def test_password_reset_by_the_link_in_the_mail(client, entrant_user):
    response = client.post(
        reverse("account_reset_password"), {"email": entrant_user.email.upper()}
    )

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [entrant_user.email]
    link = re.search(
        r"http://testserver(/accounts/password/reset/key/\S+/)", message.body
    )
    assert link is not None

    response = client.get(link.group(1))
    assert response.status_code == 302
    set_password_url = response.url
    response = client.get(set_password_url)
    assert response.status_code == 200
    assert response.context["form"].fields["password1"].label == "New Password"

    new = "another long pass phrase 2026"
    response = client.post(
        set_password_url, {"password1": new, "password2": "something different"}
    )
    assert response.context["form"].errors == {
        "password2": ["You must type the same password each time."]
    }
    response = client.post(set_password_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")

    assert log_in(Client(), entrant_user.email).status_code == 200
    assert log_in(Client(), entrant_user.email, new).status_code == 302


def test_password_reset_mail_is_in_the_account_holders_language(client):
    user = factories.make_entrant(language=Language.CHINESE)

    client.post(reverse("account_reset_password"), {"email": user.email})

    message = mail.outbox[0]
    assert message.subject == "為您的香港人權藝術獎帳戶設定新密碼"
    assert message.body.splitlines()[0] == "Tai 您好："


def test_language_is_applied_at_sign_in(client):
    user = factories.make_entrant(language=Language.CHINESE)

    response = log_in(client, user.email, headers={"accept-language": "en"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [f"已成功以 {user.email} 的身份登入。"]
    page = client.get(reverse("home"), headers={"accept-language": "en"})
    assert '<html lang="zh-Hant-HK">' in page.text


def test_signing_in_works_while_the_cache_is_down(
    client, entrant_user, own_redis, caplog
):
    """The sign-in rate limits live in the cache (CACHE_URL, Redis in production):
    when Redis is down, people still sign in, and the outage is logged."""
    with override_settings(CACHES={"default": cache_config(own_redis.url)}):
        counted = log_in(client, entrant_user.email, "not my password")
        limits = redis.Redis.from_url(own_redis.url).keys("*allauth:rl:*")
        own_redis.stop()
        wrong = log_in(client, entrant_user.email, "not my password")
        response = log_in(client, entrant_user.email)

    assert counted.status_code == 200
    assert limits
    assert wrong.status_code == 200
    assert wrong.context["form"].non_field_errors() == [WRONG]
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(entrant_user.pk)
    assert "The cache cannot be reached" in caplog.text


def _session_copies(url):
    return redis.Redis.from_url(url).keys("*sessions.cached_db*")


def test_a_session_is_read_from_the_cache_and_from_the_database_without_it(
    client, entrant_user, own_redis
):
    """Sessions are kept in the database and read through the cache: a page reads
    no session row while Redis answers, and still knows who is signed in while it
    does not."""
    url = reverse("my_entries")
    with override_settings(CACHES={"default": cache_config(own_redis.url)}):
        log_in(client, entrant_user.email)
        copies = _session_copies(own_redis.url)
        with CaptureQueriesContext(connection) as cached:
            client.get(url)
        own_redis.stop()
        with CaptureQueriesContext(connection) as uncached:
            page = client.get(url)

    assert len(copies) == 1
    session_reads = [
        [query for query in run if '"django_session"' in query["sql"]]
        for run in (cached.captured_queries, uncached.captured_queries)
    ]
    assert [len(reads) for reads in session_reads] == [0, 1]
    assert page.status_code == 200
    assert page.context["user"] == entrant_user


def test_signing_out_removes_the_sessions_copy_from_the_cache(
    client, entrant_user, own_redis
):
    with override_settings(CACHES={"default": cache_config(own_redis.url)}):
        log_in(client, entrant_user.email)
        key = client.session.session_key
        before = _session_copies(own_redis.url)
        client.post(reverse("account_logout"))
        after = _session_copies(own_redis.url)

    assert [copy.decode() for copy in before] == [
        f":1:django.contrib.sessions.cached_db{key}"
    ]
    assert not any(key in copy.decode() for copy in after)
