"""A person's data: asking for a copy, fetching it, and deleting the account.
The pages hang off the account's own pages; a caseworker asks for the copy of an
artist they registered from the artist's page (views/caseworker.py)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from artsprize.accounts.permissions import lookup, permission_required
from submissions.enums import EntryState, RoundState
from submissions.errors import PrivacyError
from submissions.forms_privacy import DeleteAccountForm
from submissions.models import DataArchive
from submissions.services.privacy import (
    ARCHIVE_LIFETIME,
    archive_download_url,
    archive_is_available,
    archives_of,
    delete_account,
    request_data_archive,
)

may_request = permission_required("submissions.request_data_archive")
may_delete = permission_required("submissions.delete_own_account")
of_archive = permission_required(
    "submissions.download_data_archive",
    obj=lookup(
        DataArchive.objects.select_related("person__profile"),
        url_kwarg="uuid",
        field="uuid",
    ),
)


@may_request
def your_data(request):
    return render(
        request,
        "submissions/privacy/your_data.html",
        {
            "archives": archives_of(request.user, requested_by=request.user),
            "days": ARCHIVE_LIFETIME.days,
        },
    )


@may_request
@require_POST
def archive_request(request):
    try:
        request_data_archive(request.user, by=request.user)
    except PrivacyError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Your copy is being prepared. We will e-mail you a link when it is "
                "ready, usually within a few minutes."
            ),
        )
    return redirect("your_data")


@of_archive
def archive_download(request, archive):
    """Send the person to a short-lived URL of their copy; a copy still being
    prepared, or expired, gets a page that says so."""
    url = archive_download_url(archive)
    if url is not None:
        response = redirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    expired = not archive.in_preparation and not archive_is_available(archive)
    return render(
        request,
        "submissions/privacy/archive_unavailable.html",
        {"archive": archive, "expired": expired},
        status=410 if expired else 409,
    )


def _entries_summary(user):
    """How many entries deleting the account removes at once, and how many wait
    for their round's results."""
    at_once = waiting = 0
    for state, round_state in user.entries.values_list("state", "round__state"):
        if state == EntryState.DRAFT or round_state == RoundState.PUBLISHED:
            at_once += 1
        else:
            waiting += 1
    return at_once, waiting


@may_delete
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            deletion = delete_account(request.user)
        except PrivacyError as error:
            messages.error(request, error.message)
        else:
            logout(request)
            if deletion.waiting:
                messages.success(
                    request,
                    _(
                        "Your account was deleted. Entries waiting for their "
                        "round's results are deleted when the results are "
                        "published. We sent you an e-mail saying what was deleted."
                    ),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Your account and everything it held were deleted. We sent "
                        "you an e-mail saying so."
                    ),
                )
            return redirect("home")
    at_once, waiting = _entries_summary(request.user)
    return render(
        request,
        "submissions/privacy/account_delete.html",
        {"form": form, "at_once": at_once, "waiting": waiting},
        status=400 if form.is_bound else 200,
    )
