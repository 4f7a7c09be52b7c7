"""Staff exports of a round's data, as CSV or XLSX, written as they are read.

CSV goes out as it is written (``StreamingHttpResponse``), a chunk of rows at a
time, UTF-8 with a byte order mark so that Excel reads Chinese right, every text
cell that a spreadsheet would take for a formula made plain text. XLSX is
written by XlsxWriter in its constant-memory mode (a row at a time, to a
temporary file) and sent from that file (``FileResponse``). Either way the
server holds one chunk of rows at a time, however large the round.
"""

import csv
import io
import tempfile

import xlsxwriter
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.errors import DomainError
from submissions.errors import ExportError
from submissions.forms_exports import IdentityExportForm
from submissions.models import Round
from submissions.selectors import exports as rows
from submissions.services.exports import CSV, XLSX, export_round

of_round = permission_required(
    "submissions.export_round", obj=lookup(Round.objects.all()), hidden=False
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A text cell starting with one of these is a formula to a spreadsheet (or
# becomes one when edited); a leading apostrophe keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMN_WIDTH = 20


def plain_cell(value):
    """A CSV cell: numbers as they are, None empty, text that a spreadsheet
    would run as a formula behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)


def csv_stream(export):
    """The bytes of ``export`` as CSV, one piece a chunk of rows: the first
    piece is the byte order mark, the headings and the first chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(export.columns)
    for chunk in export.chunks:
        for row in chunk:
            writer.writerow([plain_cell(value) for value in row])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        # No rows: the headings alone.
        yield buffer.getvalue().encode("utf-8")


def _sheet_name(kind):
    return _("Files") if kind == rows.FILES else _("Entries")


def xlsx_file(export):
    """``export`` written as XLSX into a temporary file (deleted when closed),
    positioned at its start."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        workbook = xlsxwriter.Workbook(
            handle,
            {
                "constant_memory": True,
                # Text stays text: never a formula, a link or a number.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet(_sheet_name(export.kind))
        sheet.set_column(0, len(export.columns) - 1, COLUMN_WIDTH)
        sheet.freeze_panes(1, 0)
        bold = workbook.add_format({"bold": True})
        for column, heading in enumerate(export.columns):
            sheet.write_string(0, column, heading, bold)
        number = 0
        for chunk in export.chunks:
            for row in chunk:
                number += 1
                for column, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    if isinstance(value, str):
                        sheet.write_string(number, column, value)
                    else:
                        sheet.write_number(number, column, value)
        workbook.close()
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def export_response(export):
    if export.file_format == CSV:
        response = StreamingHttpResponse(
            csv_stream(export), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    else:
        response = FileResponse(
            xlsx_file(export),
            as_attachment=True,
            filename=export.filename,
            content_type=XLSX_TYPE,
        )
    # Personal data: not kept by the browser or anything between.
    response["Cache-Control"] = "no-store, private"
    return response


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
