"""The public site: home, the round page, privacy and terms, and the security headers
every page sends."""

import datetime
import re
import zoneinfo

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from submissions.enums import RoundState
from submissions.services.rounds import (
    close_round_now,
    open_round_now,
    schedule_round,
)
from tests import factories

pytestmark = pytest.mark.django_db

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")
CHINESE = {"accept-language": "zh-hant"}


def _open_round(by, **fields):
    round_ = factories.make_round(**fields)
    open_round_now(round_, by=by)
    return round_


def _in_chinese(text):
    with translation.override("zh-hant"):
        return translation.gettext(text)


# Home ---------------------------------------------------------------------------


def test_home_lists_open_and_scheduled_rounds_but_not_drafts(client, staff_user):
    open_round = _open_round(staff_user, title_en="Open call")
    scheduled = factories.make_round(title_en="Opening next month")
    schedule_round(scheduled, by=staff_user)
    draft = factories.make_round(title_en="Secret draft")
    closed = _open_round(staff_user, title_en="Finished call")
    close_round_now(closed, by=staff_user)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert list(response.context["open_rounds"]) == [open_round]
    assert list(response.context["upcoming_rounds"]) == [scheduled]
    assert "Open call" in response.text
    assert "Opening next month" in response.text
    assert "Secret draft" not in response.text
    assert "Finished call" not in response.text
    assert f'href="/rounds/{open_round.pk}/"' in response.text
    assert f'href="/rounds/{scheduled.pk}/"' in response.text
    assert f'href="/rounds/{draft.pk}/"' not in response.text


def test_home_says_so_when_no_call_is_open(client):
    response = client.get(reverse("home"))

    assert list(response.context["open_rounds"]) == []
    assert "No call for entries is open at the moment." in response.text
    title = response.text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == "Open calls · Hong Kong Human Rights Arts Prize"


def test_home_shows_a_round_in_chinese(client, staff_user):
    _open_round(staff_user)

    response = client.get(reverse("home"), headers=CHINESE)

    assert '<html lang="zh-Hant-HK">' in response.text
    assert "人性的色彩" in response.text
    assert "共享未來" in response.text
    assert "成人組 — 社區" in response.text
    assert "Colours of Humanity" not in response.text


def _home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries), response


def test_home_queries_do_not_grow_with_the_rounds(client, staff_user):
    _open_round(staff_user)
    scheduled = factories.make_round()
    schedule_round(scheduled, by=staff_user)
    one, response = _home_queries(client)
    assert len(response.context["open_rounds"]) == 1

    for _number in range(19):
        round_ = _open_round(staff_user)
        factories.make_category(round_, name_en="Youth", name_zh_hant="青年組")
        scheduled = factories.make_round()
        schedule_round(scheduled, by=staff_user)
    twenty, response = _home_queries(client)

    assert len(response.context["open_rounds"]) == 20
    assert len(response.context["upcoming_rounds"]) == 20
    assert twenty == one


# The public round page ----------------------------------------------------------


def _deadline():
    """A closing time a few days ahead, at 23:59 Hong Kong time."""
    day = (timezone.now() + datetime.timedelta(days=10)).astimezone(HONG_KONG).date()
    return datetime.datetime(day.year, day.month, day.day, 23, 59, tzinfo=HONG_KONG)


def test_the_round_page_shows_the_deadline_in_hong_kong_time(client, staff_user):
    closes_at = _deadline()
    round_ = _open_round(staff_user, closes_at=closes_at)
    before = int(timezone.now().timestamp())

    response = client.get(reverse("round_detail", args=[round_.pk]))

    after = int(timezone.now().timestamp())
    assert response.status_code == 200
    assert f'<time datetime="{closes_at.isoformat()}">' in response.text
    assert closes_at.isoformat().endswith("T23:59:00+08:00")
    shown = date_format(closes_at, "DATETIME_FORMAT")
    assert f"{shown}</time> (Hong Kong time)" in response.text
    assert "11:59 p.m." in shown
    countdown = re.search(
        r'id="countdown"\s+data-deadline="(\d+)"\s+data-server-now="(\d+)"',
        response.text,
    )
    assert countdown is not None
    deadline, server_now = map(int, countdown.groups())
    assert deadline == int(closes_at.timestamp())
    assert before <= server_now <= after
    assert '<script src="/static/js/countdown.js"></script>' in response.text


def test_the_round_page_speaks_both_languages(client, staff_user, settings):
    round_ = _open_round(staff_user, closes_at=_deadline())
    url = reverse("round_detail", args=[round_.pk])

    english = client.get(url)
    by_header = client.get(url, headers=CHINESE)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    by_cookie = client.get(url)

    assert '<h1 class="h2">Colours of Humanity</h1>' in english.text
    assert "Entry is free." in english.text
    for chinese in (by_header, by_cookie):
        assert '<html lang="zh-Hant-HK">' in chinese.text
        assert '<h1 class="h2">人性的色彩</h1>' in chinese.text
        assert "免費參加。" in chinese.text
        assert "成人組 — 社區" in chinese.text
        assert _in_chinese("(Hong Kong time)") in chinese.text
        assert f'data-label-days="{_in_chinese("days")}"' in chinese.text


def test_a_draft_round_is_not_found_by_the_public(client):
    round_ = factories.make_round(title_en="Secret draft")

    response = client.get(reverse("round_detail", args=[round_.pk]))

    assert response.status_code == 404
    assert response.context["title"] == "Page not found"
    assert "Secret draft" not in response.text


def test_a_draft_round_is_not_found_by_an_entrant(mfa_client):
    round_ = factories.make_round(title_en="Secret draft")
    client = mfa_client(factories.make_entrant())

    response = client.get(reverse("round_detail", args=[round_.pk]))

    assert response.status_code == 404
    assert "Secret draft" not in response.text


def test_staff_see_a_draft_round_as_a_preview(mfa_client, staff_user):
    round_ = factories.make_round(title_en="Secret draft")
    client = mfa_client(staff_user)

    response = client.get(reverse("round_detail", args=[round_.pk]))

    assert response.status_code == 200
    assert response.context["round"] == round_
    assert round_.state == RoundState.DRAFT
    assert "This is a preview of a draft round. Only staff can see it." in (
        response.text
    )
    assert '<h1 class="h2">Secret draft</h1>' in response.text
    # A draft takes no entries: no countdown to a deadline.
    assert 'id="countdown"' not in response.text


# Privacy and terms ---------------------------------------------------------------


def test_the_privacy_page_shows_the_collection_statement(client):
    response = client.get(reverse("privacy"))

    assert response.status_code == 200
    assert [t.name for t in response.templates][:3] == [
        "artsprize/privacy.html",
        "base.html",
        "artsprize/pics.html",
    ]
    assert '<h1 class="h2">Personal Information Collection Statement</h1>' in (
        response.text
    )
    assert f"Version {django_settings.PICS_VERSION}" in response.text


def test_the_terms_page_renders_in_both_languages(client):
    english = client.get(reverse("terms"))
    chinese = client.get(reverse("terms"), headers=CHINESE)

    assert english.status_code == 200
    assert '<h1 class="h2">Terms of use</h1>' in english.text
    assert f'<h1 class="h2">{_in_chinese("Terms of use")}</h1>' in chinese.text
    assert '<html lang="zh-Hant-HK">' in chinese.text


def test_every_page_links_privacy_and_terms(client):
    response = client.get(reverse("home"))

    assert '<a href="/privacy/">Privacy</a>' in response.text
    assert '<a href="/terms/">Terms</a>' in response.text


# Security headers and the Content-Security-Policy --------------------------------

PUBLIC_PAGES = [
    "/",
    "/privacy/",
    "/terms/",
    "/rounds/{round}/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/no-such-page/",
    "/healthz",
]
STAFF_PAGES = [
    "/manage/",
    "/manage/rounds/{round}/",
    "/manage/audit/",
    "/manage/people/",
    "/accounts/profile/",
]


def _csp(response):
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_secure_headers(response):
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    for values in csp.values():
        assert "'unsafe-inline'" not in values
        assert "'unsafe-eval'" not in values
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _assert_no_inline_code(response):
    # The policy would block them in the browser: the page must not need them.
    if not response["Content-Type"].startswith("text/html"):
        return
    text = response.content.decode()
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", text) == []
    assert re.findall(r"\sstyle=", text) == []
    assert re.findall(r"\son[a-z]+=", text) == []
    assert "javascript:" not in text


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_send_the_security_headers(client, staff_user, path):
    round_ = _open_round(staff_user)

    response = client.get(path.format(round=round_.pk))

    assert response.status_code == (404 if path == "/no-such-page/" else 200)
    _assert_secure_headers(response)
    _assert_no_inline_code(response)


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_send_the_security_headers(mfa_client, staff_user, path):
    round_ = _open_round(staff_user)
    client = mfa_client(staff_user)

    response = client.get(path.format(round=round_.pk))

    assert response.status_code == 200
    _assert_secure_headers(response)
    _assert_no_inline_code(response)


def test_error_pages_send_the_security_headers(client, mfa_client):
    not_found = client.get("/no-such-page/")
    refused = mfa_client(factories.make_entrant()).get("/manage/audit/")

    assert (not_found.status_code, refused.status_code) == (404, 403)
    for response in (not_found, refused):
        _assert_secure_headers(response)
        _assert_no_inline_code(response)
