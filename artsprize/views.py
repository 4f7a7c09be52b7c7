"""Site pages: home, privacy, terms, and the health check."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from artsprize.common.health import check_services
from artsprize.common.pages import public_page
from artsprize.news.selectors import latest_posts
from submissions.selectors import open_rounds, upcoming_rounds


@public_page
def home(request):
    now = timezone.now()
    return render(
        request,
        "artsprize/home.html",
        {
            "open_rounds": open_rounds(now=now),
            "upcoming_rounds": upcoming_rounds(now=now),
            "latest_posts": latest_posts(),
            "now": now,
        },
    )


@public_page
def privacy(request):
    return render(request, "artsprize/privacy.html")


@public_page
def terms(request):
    return render(request, "artsprize/terms.html")


@never_cache
@require_GET
def healthz(request):
    """Report whether the database, the broker and object storage answer.

    Returns 503 when any of them does not, so that a load balancer can act on it.
    The body names only the services and "ok" or "down", never a reason.
    """
    results = check_services()
    healthy = all(value == "ok" for value in results.values())
    body = {"status": "ok" if healthy else "down", **results}
    return JsonResponse(body, status=200 if healthy else 503)
