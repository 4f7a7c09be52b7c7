"""/healthz against the real services, and with each of them unreachable."""

import socket
import time

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from artsprize.common import health, local_s3
from artsprize.common.health import HEALTH_CONNECT_SECONDS, HEALTH_READ_SECONDS
from tests.services import redis_available, redis_url, require

ALL_OK = {"status": "ok", "database": "ok", "broker": "ok", "storage": "ok"}
# Each check is bounded to a few seconds; a closed port must answer well within.
QUICK_SECONDS = 3.0
# A service that takes the connection and never answers costs one read timeout.
HUNG_SECONDS = HEALTH_READ_SECONDS + 2.0


def _closed_port():
    # Nothing listens on a port the OS just handed out and took back.
    return local_s3.free_port()


@pytest.fixture
def silent_port():
    """A port that takes connections and never answers, like a hung service."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def _healthz(client):
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    return response, time.monotonic() - started


def _assert_down(response, service):
    """503, with ``service`` down and every other one ok."""
    assert response.status_code == 503
    assert response.json() == {**ALL_OK, "status": "down", service: "down"}


def _assert_gives_up(client, service):
    """A hung ``service`` is down after one attempt with the health check's
    read timeout, not the client's own timeouts and retries (botocore: 60 s)."""
    response, seconds = _healthz(client)
    _assert_down(response, service)
    assert seconds < HUNG_SECONDS


def _assert_discreet(response, *secrets):
    """The body names services and states only: no reasons, hosts or keys."""
    text = response.content.decode()
    for secret in secrets:
        assert secret not in text
    assert "Traceback" not in text
    assert "Error" not in text
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.smoke
@pytest.mark.django_db
def test_healthz_reports_every_service_ok(client):
    response, _seconds = _healthz(client)

    assert response.status_code == 200
    assert response.json() == ALL_OK
    _assert_discreet(response)


@pytest.mark.django_db
def test_healthz_checks_storage_with_one_client_a_storage_and_sees_it_go_down(
    client, settings, own_s3_server
):
    settings.STORAGES = own_s3_server.storages()
    first, _seconds = _healthz(client)
    made = dict(health._health_clients)

    own_s3_server.stop()
    second, _seconds = _healthz(client)

    assert first.json() == ALL_OK
    assert set(made) == {storages["default"], storages["public"]}
    assert dict(health._health_clients) == made
    _assert_down(second, "storage")


@pytest.mark.django_db
def test_healthz_with_redis_as_the_broker(client, settings):
    url = redis_url()
    require(redis_available(url), "Redis is not reachable (set REDIS_URL)")
    settings.CELERY_BROKER_URL = url

    response, _seconds = _healthz(client)

    assert response.status_code == 200
    assert response.json() == ALL_OK


@pytest.mark.django_db
def test_healthz_is_503_quickly_when_storage_is_down(client, settings, s3_server):
    storages = s3_server.storages()
    dead_endpoint = f"http://127.0.0.1:{_closed_port()}"
    for alias in ("default", "public"):
        storages[alias]["OPTIONS"]["endpoint_url"] = dead_endpoint
    settings.STORAGES = storages

    response, seconds = _healthz(client)

    _assert_down(response, "storage")
    assert seconds < QUICK_SECONDS
    _assert_discreet(response, dead_endpoint, s3_server.secret_key)


@pytest.mark.django_db
def test_healthz_gives_up_on_a_storage_that_does_not_answer(
    client, settings, s3_server, silent_port
):
    storages = s3_server.storages()
    storages["default"]["OPTIONS"]["endpoint_url"] = f"http://127.0.0.1:{silent_port}"
    settings.STORAGES = storages

    _assert_gives_up(client, "storage")


@pytest.mark.django_db
def test_healthz_is_503_when_the_storage_refuses_the_credentials(
    client, settings, s3_server
):
    storages = s3_server.storages()
    storages["default"]["OPTIONS"]["secret_key"] = "not-the-secret"
    settings.STORAGES = storages

    response, _seconds = _healthz(client)

    _assert_down(response, "storage")
    _assert_discreet(response, "not-the-secret", s3_server.access_key)


@pytest.mark.django_db
def test_healthz_is_503_quickly_when_the_redis_broker_is_down(client, settings):
    # What the other checks cost on this machine now (a loaded one is slow):
    # a refused broker adds almost nothing to it, where retrying would add
    # seconds.
    _response, healthy = _healthz(client)
    secret = "broker-password-never-shown"
    settings.CELERY_BROKER_URL = f"redis://:{secret}@127.0.0.1:{_closed_port()}/0"

    response, seconds = _healthz(client)

    _assert_down(response, "broker")
    assert seconds < max(QUICK_SECONDS, healthy + HEALTH_CONNECT_SECONDS)
    _assert_discreet(response, secret)


@pytest.mark.django_db
def test_healthz_gives_up_on_a_broker_that_does_not_answer(
    client, settings, silent_port
):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent_port}/0"

    _assert_gives_up(client, "broker")


@pytest.mark.django_db
def test_healthz_is_503_when_the_filesystem_broker_has_no_folder(
    client, settings, tmp_path
):
    missing = str(tmp_path / "missing")
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": missing,
        "data_folder_out": missing,
        "control_folder": str(tmp_path),
    }

    response, _seconds = _healthz(client)

    _assert_down(response, "broker")
    _assert_discreet(response, missing)


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_database_is_down(client, database_down):
    with database_down() as missing:
        response, seconds = _healthz(client)

    _assert_down(response, "database")
    assert seconds < QUICK_SECONDS
    _assert_discreet(response, missing)


@pytest.mark.django_db
def test_healthz_answers_only_get(client):
    response = client.post(reverse("healthz"))

    assert response.status_code == 405
    assert response["Allow"] == "GET"
