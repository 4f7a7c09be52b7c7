"""Whether the services the portal needs answer: the database, the Celery broker
and object storage. Used by /healthz."""

import logging
import os
import time
import weakref

from botocore.config import Config
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection

logger = logging.getLogger(__name__)

# A load balancer calls the health check every few seconds and gives up on a slow
# answer: each check fails fast instead of waiting for a service that does not
# answer, and is tried once, without the retries the normal clients make.
HEALTH_CONNECT_SECONDS = 2
HEALTH_READ_SECONDS = 2


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker():
    from artsprize.celery import app

    # Read from the settings rather than the Celery app's cached configuration, so
    # that the check follows the settings the process runs with.
    url = settings.CELERY_BROKER_URL
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    if url.startswith("filesystem://"):
        # The filesystem transport "connects" to anything: what it needs is its
        # folders, writable by this process. Celery makes them when its
        # configuration is first read (artsprize/celery.py), which a web process
        # may not have done before its first task.
        app.conf.broker_transport_options  # noqa: B018
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = options.get(key)
            if folder and not os.access(folder, os.W_OK | os.X_OK):
                raise OSError(f"Broker folder {key} is missing or not writable.")
        return
    options.update(
        socket_connect_timeout=HEALTH_CONNECT_SECONDS,
        socket_timeout=HEALTH_READ_SECONDS,
    )
    with app.connection_for_write(
        url=url, connect_timeout=HEALTH_CONNECT_SECONDS, transport_options=options
    ) as conn:
        conn.ensure_connection(max_retries=0, timeout=HEALTH_CONNECT_SECONDS)
        # Opening a channel makes the Redis transport send a PING.
        conn.default_channel  # noqa: B018


# One client a storage, made at its first check: making a client reads botocore's
# service models (a few hundred milliseconds), too much for a check every few
# seconds. A storage built anew (other settings) gets a client of its own.
_health_clients = weakref.WeakKeyDictionary()


def _health_client(storage):
    client = _health_clients.get(storage)
    if client is None:
        config = storage.client_config.merge(
            Config(
                connect_timeout=HEALTH_CONNECT_SECONDS,
                read_timeout=HEALTH_READ_SECONDS,
                retries={"total_max_attempts": 1},
            )
        )
        # A client of its own: the storage's shared one retries with backoff.
        # _create_session keeps the storage's own way of finding credentials.
        client = storage._create_session().client(
            "s3",
            region_name=storage.region_name,
            use_ssl=storage.use_ssl,
            endpoint_url=storage.endpoint_url,
            config=config,
            verify=storage.verify,
        )
        _health_clients[storage] = client
    return client


def _check_storage():
    for alias in ("default", "public"):
        storage = storages[alias]
        _health_client(storage).head_bucket(Bucket=storage.bucket_name)


HEALTH_CHECKS = {
    "database": _check_database,
    "broker": _check_broker,
    "storage": _check_storage,
}


def check_services():
    """Run every check; return ``{"database": "ok" | "down", ...}``.

    A failure is logged with its reason and reported only as "down": the reason may
    name hosts or credentials.
    """
    results = {}
    for name, check in HEALTH_CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:
            logger.warning(
                "Health check %s failed after %.1f s: %s: %s",
                name,
                time.monotonic() - started,
                type(error).__name__,
                error,
            )
            results[name] = "down"
        else:
            results[name] = "ok"
    return results
