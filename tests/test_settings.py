"""The production settings, loaded in a subprocess as a deployment loads them, and
the demo data command that must never run there."""

import io
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.core.management.utils import get_random_secret_key
from django.test import override_settings
from django.urls import reverse

from artsprize.accounts.enums import Role
from artsprize.common.models import AuditEvent
from judging.enums import StageState
from judging.models import Stage
from submissions.enums import EntryState, RoundState, ScreeningState
from submissions.management.commands.load_demo import (
    DEMO_PASSWORD,
    JUDGING_ROUND_TITLE,
)
from submissions.models import Round

BASE_DIR = django_settings.BASE_DIR
# What a deployment's environment shares with the test run: nothing of the test
# run's own settings (DJANGO_SETTINGS_MODULE, DATABASE_URL, what a test fixture
# exported, such as DJANGO_ALLOW_ASYNC_UNSAFE), only what finds programs and files.
SYSTEM_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")

PRODUCTION_SETTINGS = [
    "DEBUG",
    "DEMO_DATA_ALLOWED",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
    "LANGUAGE_COOKIE_SECURE",
    "ALLOWED_HOSTS",
    "S3_ENDPOINT_URL",
]


def _production_env(**changes):
    env = {key: os.environ[key] for key in SYSTEM_VARIABLES if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="artsprize.settings.production",
        SECRET_KEY=get_random_secret_key(),
        S3_ENDPOINT_URL="https://s3.example.org",
        ALLOWED_HOSTS="portal.example.org",
    )
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _run(*args, env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def production():
    """The production settings as a deployment with the usual variables sees them."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = _run("-c", script, env=_production_env())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_deployment_check_passes_under_production_settings():
    result = _run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=_production_env(),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


@pytest.mark.parametrize(
    ("missing", "error"),
    [
        (
            {"SECRET_KEY": None},
            "django.core.exceptions.ImproperlyConfigured: "
            "SECRET_KEY must be set in production.",
        ),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set in production."),
        (
            {"S3_ENDPOINT_URL": None},
            "ImproperlyConfigured: Set S3_ENDPOINT_URL (or S3_USE_AWS=true) to an "
            "object store in production.",
        ),
    ],
    ids=["without-a-secret-key", "with-an-empty-secret-key", "without-an-object-store"],
)
def test_production_refuses_to_start(missing, error):
    result = _run("manage.py", "check", env=_production_env(**missing))

    assert result.returncode == 1
    assert error in result.stderr


def test_production_is_https_only_with_hsts(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["ALLOWED_HOSTS"] == ["portal.example.org"]
    assert production["S3_ENDPOINT_URL"] == "https://s3.example.org"


def test_production_cookies_are_secure_and_host_only(production):
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["LANGUAGE_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert production["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    for prefix in ("SESSION", "CSRF"):
        assert production[f"{prefix}_COOKIE_DOMAIN"] is None
        assert production[f"{prefix}_COOKIE_PATH"] == "/"


def test_production_never_allows_demo_data(production):
    assert production["DEMO_DATA_ALLOWED"] is False


def _as_in_production(production):
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_NAME",
        "LANGUAGE_COOKIE_SECURE",
    ]
    return override_settings(**{name: production[name] for name in names})


@pytest.mark.django_db
def test_production_redirects_http_but_not_the_health_check(client, production):
    with _as_in_production(production):
        page = client.get(reverse("home"))
        health = client.get(reverse("healthz"))
        secure = client.get(reverse("home"), secure=True)

    assert page.status_code == 301
    assert page["Location"] == "https://testserver/"
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert secure.status_code == 200
    assert (
        secure["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )


@pytest.mark.django_db
def test_production_cookies_are_accepted_by_browsers_as_host_cookies(
    client, production
):
    with _as_in_production(production):
        response = client.get(reverse("account_login"), secure=True)

    cookie = response.cookies["__Host-csrftoken"]
    # What a browser requires of a __Host- cookie.
    assert cookie["secure"] is True
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""


# Demo data ------------------------------------------------------------------------


def test_load_demo_refuses_under_production_settings(tmp_path):
    database = tmp_path / "never-created.sqlite3"

    result = _run(
        "manage.py",
        "load_demo",
        env=_production_env(DATABASE_URL=f"sqlite:///{database}"),
    )

    assert result.returncode == 1
    assert (
        "CommandError: Demo data is not allowed with these settings: it prints "
        "passwords." in result.stderr
    )
    assert DEMO_PASSWORD not in result.stdout + result.stderr
    assert not database.exists()


def _load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _people_by_role():
    users = get_user_model().objects.prefetch_related("groups").order_by("email")
    return {
        user.email: sorted(group.name for group in user.groups.all()) for user in users
    }


@pytest.mark.django_db
def test_load_demo_creates_one_open_round_and_its_people():
    output = _load_demo()

    round_ = Round.objects.get(state=RoundState.OPEN)
    assert round_.title_en.startswith("Demo")
    assert round_.title_zh_hant.startswith("示範")
    assert [c.name_en for c in round_.categories.order_by("position")] == [
        "Youth",
        "Adult — trained",
        "Adult — community",
        "Adult — team",
    ]
    assert _people_by_role() == {
        "entrant1@example.org": [],
        "entrant2@example.org": [],
        "judge1@example.org": [Role.JUDGE],
        "judge2@example.org": [Role.JUDGE],
        "staff@example.org": [Role.STAFF],
    }
    assert sorted(
        get_user_model()
        .objects.filter(profile__isnull=False)
        .values_list("email", flat=True)
    ) == ["entrant1@example.org", "entrant2@example.org"]
    assert EmailAddress.objects.filter(verified=True).count() == 5
    staff = get_user_model().objects.get(email="staff@example.org")
    assert staff.check_password(DEMO_PASSWORD)
    assert f"password for all: {DEMO_PASSWORD}" in output
    assert f"/rounds/{round_.pk}/" in output
    for email in ("staff@", "judge1@", "judge2@", "entrant1@", "entrant2@"):
        assert f"{email}example.org" in output
    opened = AuditEvent.objects.for_object(round_).get(to_state=RoundState.OPEN)
    assert opened.actor == staff
    # The round of written works judging starts from: closed, every entry
    # screened eligible and the results released.
    written = Round.objects.get(title_en=JUDGING_ROUND_TITLE)
    assert written.state == RoundState.CLOSED
    assert written.screening_released_at is not None
    assert set(written.entries.values_list("state", "screening")) == {
        (EntryState.SUBMITTED, ScreeningState.ELIGIBLE)
    }
    assert written.entries.count() == 6


@pytest.mark.django_db
def test_load_judging_demo_opens_a_stage_for_the_demo_judges():
    _load_demo()
    out = io.StringIO()
    call_command("load_judging_demo", stdout=out)

    stage, final = Stage.objects.order_by("position", "id")
    assert final.previous == stage and final.state == StageState.SETUP
    assert final.panel.filter(is_chair=True).get().judge.email == "judge1@example.org"
    assert stage.state == StageState.OPEN
    assert stage.round.state == RoundState.JUDGING
    assert sorted(stage.panel.values_list("judge__email", "is_chair")) == [
        ("judge1@example.org", True),
        ("judge2@example.org", False),
    ]
    assert stage.criteria.count() == 3
    assert sorted(
        Counter(stage.assignments.values_list("judge__email", flat=True)).items()
    ) == [("judge1@example.org", 6), ("judge2@example.org", 6)]
    assert "/judging/" in out.getvalue()

    events = AuditEvent.objects.count()
    call_command("load_judging_demo", stdout=io.StringIO())
    assert Stage.objects.count() == 2
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_load_judging_demo_needs_the_demo_first():
    with pytest.raises(CommandError, match="Run load_demo first"):
        call_command("load_judging_demo", stdout=io.StringIO())


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    _load_demo()
    rounds = list(Round.objects.values_list("pk", "state"))
    people = _people_by_role()
    events = AuditEvent.objects.count()

    _load_demo()

    assert list(Round.objects.values_list("pk", "state")) == rounds
    assert _people_by_role() == people
    assert AuditEvent.objects.count() == events


def test_a_secret_key_starting_with_a_dollar_is_taken_as_it_is():
    # django-environ reads "$NAME" as a reference to another variable.
    key = "$" + get_random_secret_key()
    script = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    result = _run("-c", script, env=_production_env(SECRET_KEY=key))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key
