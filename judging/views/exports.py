"""Staff exports of a stage's results: every submitted score, and each
category's ranking, as CSV (streamed) or XLSX, written by
``artsprize.common.exports`` from the rows of ``judging.selectors.exports``.
The permission is the results pages' own (``judging.manage_judging``)."""

from django.http import Http404

from artsprize.common.exports import export_response
from judging.errors import JudgingError
from judging.selectors.results import DEFAULT_MEASURE
from judging.services.exports import export_stage
from judging.views.results import MEASURE_LABELS, _threshold, of_stage


@of_stage
def stage_export(request, stage, kind, file_format):
    """The stage's ``kind`` ("scores" or "rankings") as ``file_format``; the
    rankings ranked by ``?by=`` with disagreements above ``?above=``, as the
    results page reads them (its defaults for anything else)."""
    by = request.GET.get("by")
    if by not in MEASURE_LABELS:
        by = DEFAULT_MEASURE
    threshold, _bad = _threshold(request.GET.get("above"))
    try:
        export = export_stage(
            stage,
            by=request.user,
            kind=kind,
            file_format=file_format,
            measure=by,
            threshold=threshold,
        )
    except JudgingError as error:
        raise Http404 from error
    return export_response(export)
