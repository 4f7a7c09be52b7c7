"""Staff pages for processing: the files it could not finish, and a retry."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from artsprize.accounts.permissions import lookup, permission_required
from submissions.enums import FileState
from submissions.models import ArtworkFile
from submissions.services.processing import retry_processing, stuck_files
from submissions.services.refusals import rejection_message
from submissions.views.manage import staff_only

# The most problems one page lists; the oldest first.
PAGE_SIZE = 200


@staff_only
def processing_problems(request):
    now = timezone.now()
    counts = dict(ArtworkFile.objects.values_list("state").annotate(count=Count("pk")))
    failed = list(
        ArtworkFile.objects.filter(state=FileState.FAILED)
        .select_related("entry__round", "entry__category")
        .order_by("updated_at", "pk")[:PAGE_SIZE]
    )
    for file in failed:
        file.status_message = rejection_message(file.reason)
    stuck = list(
        stuck_files(now=now).select_related("entry__round", "entry__category")[
            :PAGE_SIZE
        ]
    )
    return render(
        request,
        "submissions/manage/processing.html",
        {
            "failed": failed,
            "stuck": stuck,
            "counts": [
                (FileState(state).label, counts.get(state, 0))
                for state in (
                    FileState.UPLOADED,
                    FileState.PROCESSING,
                    FileState.READY,
                    FileState.REJECTED,
                    FileState.FAILED,
                )
            ],
        },
    )


@permission_required(
    "submissions.manage_rounds", obj=lookup(ArtworkFile.objects.all()), hidden=False
)
@require_POST
def processing_retry(request, file):
    if retry_processing(file, user=request.user):
        messages.success(
            request,
            _("“%(name)s” is queued to be processed again.")
            % {"name": file.original_name},
        )
    else:
        messages.info(
            request,
            _("“%(name)s” is no longer failed; nothing was queued.")
            % {"name": file.original_name},
        )
    return redirect(_back(request))


def _back(request):
    """Where a retry returns: the staff page the form names (the round's
    dashboard), or the processing page."""
    page = request.POST.get("next", "")
    if page.startswith("/") and url_has_allowed_host_and_scheme(
        page, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return page
    return "manage:processing"


@staff_only
@require_POST
def processing_retry_all(request):
    retried = sum(
        retry_processing(file, user=request.user)
        for file in ArtworkFile.objects.filter(state=FileState.FAILED).order_by("pk")[
            :PAGE_SIZE
        ]
    )
    messages.success(
        request,
        _("%(count)s failed files are queued to be processed again.")
        % {"count": retried},
    )
    return redirect("manage:processing")
