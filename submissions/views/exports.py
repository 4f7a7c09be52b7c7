"""Staff exports of a round's data, as CSV or XLSX, written as they are read
(``artsprize.common.exports``: CSV streamed, XLSX in XlsxWriter's
constant-memory mode), so that the server holds one chunk of rows at a time,
however large the round.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.errors import DomainError
from artsprize.common.exports import CSV, XLSX, export_response
from submissions.errors import ExportError
from submissions.forms_exports import IdentityExportForm
from submissions.models import Round
from submissions.selectors import exports as rows
from submissions.services.exports import export_round

of_round = permission_required(
    "submissions.export_round", obj=lookup(Round.objects.all()), hidden=False
)


def _page(request, round_, form):
    return render(
        request,
        "submissions/manage/round_exports.html",
        {
            "round": round_,
            "form": form,
            "downloads": [
                (rows.ENTRIES, _("Entries"), CSV),
                (rows.ENTRIES, _("Entries"), XLSX),
                (rows.FILES, _("Files"), CSV),
                (rows.FILES, _("Files"), XLSX),
            ],
        },
    )


@of_round
def round_exports(request, round_):
    return _page(request, round_, IdentityExportForm())


@of_round
def export_download(request, round_, kind, file_format):
    """An export without identity: the entries or the files manifest."""
    if kind == rows.ENTRIES_WITH_IDENTITY:
        raise Http404
    try:
        export = export_round(
            round_, by=request.user, kind=kind, file_format=file_format
        )
    except ExportError as error:
        raise Http404 from error
    return export_response(export)


@of_round
def export_with_identity(request, round_):
    """The entries with who made them: posted with the reason, audited with it."""
    if request.method != "POST":
        return redirect("manage:round_exports", pk=round_.pk)
    form = IdentityExportForm(request.POST)
    if not form.is_valid():
        return _page(request, round_, form)
    try:
        export = export_round(
            round_,
            by=request.user,
            kind=rows.ENTRIES_WITH_IDENTITY,
            file_format=form.cleaned_data["file_format"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        form.add_error("reason", error.message)
        return _page(request, round_, form)
    return export_response(export)
