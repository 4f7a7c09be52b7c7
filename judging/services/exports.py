"""Exporting a stage's scores and rankings for staff: every export is audited.

``export_stage`` checks who asks, counts the rows, writes the audit event
(``exported``: the kind, the format, the number of rows, and for the rankings
of a criteria stage the measure that ranks and the disagreement threshold)
and returns the export (``artsprize.common.exports.Export``), whose rows are
read a chunk at a time as the file is written (``selectors.exports``).
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.exports import FORMATS, Export
from judging.enums import StageMode
from judging.errors import JudgingError
from judging.selectors import exports as rows
from judging.selectors.aggregation import MEASURES
from judging.selectors.results import DEFAULT_MEASURE, DEFAULT_THRESHOLD


def export_stage(
    stage,
    *,
    by,
    kind,
    file_format,
    measure=DEFAULT_MEASURE,
    threshold=DEFAULT_THRESHOLD,
):
    """Audit an export of ``stage`` by ``by`` and return it (``Export``).

    ``kind``: ``rows.SCORES`` (every submitted score, conflicted ones marked)
    or ``rows.RANKINGS`` (each category ranked as the results page ranks it,
    by ``measure`` with disagreements above ``threshold`` in a criteria
    stage). Staff who passed two-factor sign-in only
    (``judging.manage_judging``). Raises JudgingError (not allowed, unknown
    kind, format or measure).
    """
    if by is None or not by.has_perm("judging.manage_judging", stage):
        raise JudgingError(
            _(
                "Only staff who signed in with two-factor authentication may "
                "export a stage's scores."
            ),
            code="not_allowed",
        )
    if kind not in rows.KINDS or file_format not in FORMATS or measure not in MEASURES:
        raise JudgingError(_("There is no such export."), code="unknown_export")
    data = {"kind": kind, "format": file_format}
    ranks_by_measure = kind == rows.RANKINGS and stage.mode == StageMode.CRITERIA
    if ranks_by_measure:
        data.update(by=measure, above=threshold)
    with transaction.atomic():
        count = (
            rows.count_scores(stage)
            if kind == rows.SCORES
            else rows.count_ranked(stage)
        )
        record_event(
            actor=by,
            verb=AuditVerb.EXPORTED,
            obj=stage,
            data={**data, "rows": count},
        )
    name = f"HRAP-{stage.round.year}-stage-{stage.pk}-{kind}"
    if kind == rows.SCORES:
        columns = rows.score_columns(stage)
        chunks = rows.score_chunks(stage)
        sheet = _("Scores by judge")
    else:
        columns = rows.ranking_columns(stage)
        chunks = rows.ranking_chunks(stage, by=measure, threshold=threshold)
        sheet = _("Rankings")
        if ranks_by_measure:
            name = f"{name}-{measure}"
    return Export(
        file_format=file_format,
        columns=columns,
        chunks=chunks,
        filename=f"{name}.{file_format}",
        sheet=str(sheet),
    )
