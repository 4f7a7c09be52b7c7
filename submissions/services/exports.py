"""Exporting a round's data for staff: every export is audited.

``export_round`` checks who asks, counts the rows, writes the audit event
(``exported``: the kind, the format, the number of rows, and for the export with
identity the reason staff gave) and returns the rows to be written, read a chunk
at a time as the file is sent (``selectors.exports``). The export with identity
reads who made the entries through the reader of ``services.identity``, only
after its event is written.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from artsprize.common import exports
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.exports import FORMATS
from submissions.errors import ExportError
from submissions.selectors import exports as rows
from submissions.services.identity import check_reason, read_identities


@dataclass(frozen=True)
class Export(exports.Export):
    """An export of a round (``artsprize.common.exports.Export``) with its
    ``kind`` and how many rows it had when it was audited."""

    kind: str
    row_count: int


def export_round(round_, *, by, kind, file_format, reason=""):
    """Audit an export of ``round_`` by ``by`` and return it (``Export``).

    Staff who passed two-factor sign-in only (``submissions.export_round``). The
    export with identity (``ENTRIES_WITH_IDENTITY``) needs a reason of at most
    2,000 characters; its event is written before any identity is read. Raises
    ExportError (not allowed, unknown kind or format) or IdentityError (the
    reason).
    """
    if by is None or not by.has_perm("submissions.export_round", round_):
        raise ExportError(
            _(
                "Only staff who signed in with two-factor authentication may "
                "export a round's data."
            ),
            code="not_allowed",
        )
    if kind not in rows.KINDS or file_format not in FORMATS:
        raise ExportError(_("There is no such export."), code="unknown_export")
    identities = None
    data = {"kind": kind, "format": file_format}
    if kind == rows.ENTRIES_WITH_IDENTITY:
        reason = check_reason(
            reason,
            missing_message=_("Give the reason for exporting who made the entries."),
        )
        identities = read_identities
    else:
        reason = ""
    with transaction.atomic():
        count = rows.count_rows(round_, kind)
        record_event(
            actor=by,
            verb=AuditVerb.EXPORTED,
            obj=round_,
            reason=reason,
            data={**data, "rows": count},
        )
    return Export(
        kind=kind,
        file_format=file_format,
        columns=rows.columns(kind),
        chunks=rows.export_chunks(round_, kind, identities=identities),
        row_count=count,
        filename=f"HRAP-{round_.year}-{kind}.{file_format}",
        sheet=str(_("Files") if kind == rows.FILES else _("Entries")),
    )
