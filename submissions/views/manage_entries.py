"""The staff page of an entry: the entry as the public would name it, the
deliberate reveal of who made it, and the originals of its files.

Nothing on the page names the entrant (legal name, e-mail address, phone, the
filing caseworker, the team's names, the original file names) until a staff
member reveals the identity with a reason. The identity is then on that one
response only: never kept in the session, never cached by the browser, and
every reveal is listed on the page from the audit log.
"""

from django.contrib import messages
from django.shortcuts import redirect, render

from artsprize.accounts.permissions import lookup, permission_required
from submissions.blind import JUDGE_COPY_KINDS
from submissions.enums import DerivativeKind, FileState
from submissions.errors import OriginalError
from submissions.forms_identity import RevealForm
from submissions.models import ArtworkFile
from submissions.rules import file_is_downloadable
from submissions.selectors.credits import public_credit
from submissions.selectors.staff_entries import entries_for_staff
from submissions.services.identity import (
    IdentityError,
    identity_reveals,
    reveal_identity,
)
from submissions.services.originals import open_original
from submissions.services.refusals import rejection_message

_entry_in_url = lookup(entries_for_staff())


def _consents(entry):
    return [
        (entry._meta.get_field(name).verbose_name, getattr(entry, name))
        for name in (
            "consent_original",
            "consent_terms",
            "consent_website",
            "consent_social",
            "consent_press",
            "consent_exhibition",
            "consent_auction",
        )
    ]


def _file_rows(request, entry):
    """Each file with its number, its thumbnail and judges' copy, what the
    entrant was told of a refusal, and whether its original may be opened."""
    rows = []
    for number, file in enumerate(entry.files.all(), start=1):
        copies = {(copy.kind, copy.index): copy for copy in file.copies}
        judge_kind = JUDGE_COPY_KINDS.get(file.kind)
        ready = file.state == FileState.READY
        rows.append(
            {
                "file": file,
                "number": number,
                "thumb": copies.get((DerivativeKind.THUMB, 0)) if ready else None,
                "judge_copy": (
                    judge_kind if ready and (judge_kind, 0) in copies else ""
                ),
                "status_message": (
                    rejection_message(file.reason)
                    if file.state in (FileState.REJECTED, FileState.FAILED)
                    and file.reason
                    else ""
                ),
                "has_original": file_is_downloadable(request.user, file),
            }
        )
    return rows


def _render_entry(request, entry, *, form, identity=None, status=200):
    team = list(entry.team_members.all())
    response = render(
        request,
        "submissions/manage/entry_detail.html",
        {
            "entry": entry,
            "credit": public_credit(entry),
            "consents": _consents(entry),
            "files": _file_rows(request, entry),
            "team": team,
            "reveals": identity_reveals(entry),
            "reveal_form": form,
            "identity": identity,
        },
        status=status,
    )
    # An identity is shown once, to the person who asked: no copy of the page
    # is kept by the browser or anything in between.
    response["Cache-Control"] = "no-store"
    return response


@permission_required("submissions.manage_entries", obj=_entry_in_url)
def entry_detail(request, entry):
    return _render_entry(request, entry, form=RevealForm())


@permission_required("submissions.reveal_identity", obj=_entry_in_url)
def entry_reveal(request, entry):
    """POST: reveal who made the entry, with a reason, and show it on the page
    this answers with. A GET (a reloaded or bookmarked URL) goes back to the
    entry's page without revealing anything."""
    if request.method != "POST":
        return redirect("manage:entry_detail", pk=entry.pk)
    form = RevealForm(request.POST)
    if form.is_valid():
        try:
            identity = reveal_identity(
                entry, by=request.user, reason=form.cleaned_data["reason"]
            )
        except IdentityError as error:
            form.add_error("reason", error.message)
        else:
            return _render_entry(request, entry, form=RevealForm(), identity=identity)
    return _render_entry(request, entry, form=form, status=400)


@permission_required(
    "submissions.open_original",
    obj=lookup(ArtworkFile.objects.select_related("entry")),
)
def file_original(request, file):
    """POST: the original of a file, through a short-lived URL, the opening
    audited. A GET goes back to the entry's page."""
    if request.method != "POST":
        return redirect("manage:entry_detail", pk=file.entry_id)
    try:
        url = open_original(file, by=request.user)
    except OriginalError as error:
        messages.error(request, error.message)
        return redirect("manage:entry_detail", pk=file.entry_id)
    response = redirect(url)
    response["Cache-Control"] = "no-store"
    return response
