"""Site pages: home, privacy, terms, and the health check."""

import logging

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from submissions.selectors import open_rounds, upcoming_rounds

logger = logging.getLogger(__name__)


def home(request):
    now = timezone.now()
    return render(
        request,
        "artsprize/home.html",
        {
            "open_rounds": open_rounds(now=now),
            "upcoming_rounds": upcoming_rounds(now=now),
            "now": now,
        },
    )


def privacy(request):
    return render(request, "artsprize/privacy.html")


def terms(request):
    return render(request, "artsprize/terms.html")


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker():
    from artsprize.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _check_storage():
    storage = storages["default"]
    storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)


HEALTH_CHECKS = {
    "database": _check_database,
    "broker": _check_broker,
    "storage": _check_storage,
}


@never_cache
@require_GET
def healthz(request):
    """Report whether the database, the broker and object storage answer.

    Returns 503 when any of them does not, so that a load balancer can act on it.
    """
    results = {}
    for name, check in HEALTH_CHECKS.items():
        try:
            check()
        except Exception as error:
            logger.warning("Health check %s failed: %s", name, error)
            results[name] = "down"
        else:
            results[name] = "ok"
    healthy = all(value == "ok" for value in results.values())
    body = {"status": "ok" if healthy else "down", **results}
    if settings.DEBUG:
        body["time"] = timezone.now().isoformat()
    return JsonResponse(body, status=200 if healthy else 503)
