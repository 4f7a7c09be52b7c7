"""Staff exports written as they are read, as CSV or XLSX: the one writer of
every export of the portal (a round's entries and files, a stage's scores and
rankings).

An export (``Export``) is its headings, its rows a chunk at a time, the name of
its file and of its sheet. CSV goes out as it is written
(``StreamingHttpResponse``), a chunk of rows at a time, UTF-8 with a byte order
mark so that Excel reads Chinese right, every text cell that a spreadsheet
would take for a formula made plain text. XLSX is written by XlsxWriter in its
constant-memory mode (a row at a time, to a temporary file) and sent from that
file (``FileResponse``). Either way the server holds one chunk of rows at a
time, however large the export.

A cell is text, a number or None (empty).
"""

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A text cell starting with one of these is a formula to a spreadsheet (or
# becomes one when edited); a leading apostrophe keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMN_WIDTH = 20
# What Excel refuses in the name of a sheet, and its longest name.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


@dataclass(frozen=True)
class Export:
    """An export ready to be written: its ``file_format`` (CSV or XLSX), its
    headings, its rows a chunk at a time (a generator of lists of tuples, in
    the order of the headings: read it once), the name of its file
    (``HRAP-2026-entries.csv``, ASCII) and the name of its sheet in XLSX."""

    file_format: str
    columns: tuple[str, ...]
    chunks: Iterator[list[tuple]]
    filename: str
    sheet: str


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


def sheet_name(name):
    """``name`` as Excel takes it for a sheet: without ``[]:*?/\\``, at most
    31 characters."""
    name = SHEET_NAME_FORBIDDEN.sub(" ", str(name)).strip()
    return name[:SHEET_NAME_LENGTH] or "Sheet1"


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
        sheet = workbook.add_worksheet(sheet_name(export.sheet))
        sheet.set_column(0, max(len(export.columns) - 1, 0), COLUMN_WIDTH)
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
    """The response that downloads ``export``: CSV streamed, XLSX from its
    temporary file; kept by neither the browser nor anything between."""
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
