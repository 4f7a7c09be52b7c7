"""The staff page choosing the entries of a stage that follows another: the
ranking of the stage before per category, pre-filled with the top N and
editable, a tie at the cut shown; saving the choice and closing it
(``judging.services.advancing``)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.pages import error_message
from judging.enums import StageMode, StageState
from judging.errors import StageError
from judging.models import Stage
from judging.selectors.advancing import DEFAULT_TOP, MOST_TOP, selection
from judging.selectors.results import DEFAULT_MEASURE
from judging.services.advancing import DECIDED_STATES, close_selection, save_selection
from judging.views.results import MEASURE_LABELS

of_stage = permission_required(
    "judging.manage_judging",
    obj=lookup(Stage.objects.select_related("round", "previous")),
    hidden=False,
)


def _top(value):
    """The N typed for a pre-fill, or None (and whether it was wrong)."""
    if value in (None, ""):
        return None, False
    if value.isdigit() and 1 <= int(value) <= MOST_TOP:
        return int(value), False
    return None, True


def _chosen_ids(request):
    ids = set()
    for value in request.POST.getlist("entry"):
        if not value.isdigit():
            raise StageError(_("The choice sent was not understood."), code="bad_ids")
        ids.add(int(value))
    return ids


def _render(request, stage, *, status=200):
    by = request.GET.get("by")
    if by not in MEASURE_LABELS:
        by = DEFAULT_MEASURE
    top, bad_top = _top(request.GET.get("top"))
    show_all = request.GET.get("all") == "1"
    previous = stage.previous
    categories, prefilled = selection(stage, by=by, top=top, show_all=show_all)
    editable = stage.state == StageState.SETUP and previous.state in DECIDED_STATES
    return render(
        request,
        "judging/manage/selection.html",
        {
            "stage": stage,
            "round": stage.round,
            "previous": previous,
            "section": "selection",
            "categories": categories,
            "prefilled": prefilled,
            "top": top or DEFAULT_TOP,
            "typed_top": request.GET.get("top", ""),
            "bad_top": bad_top,
            "most_top": MOST_TOP,
            "by": by,
            "measures": list(MEASURE_LABELS.items()),
            "show_all": show_all,
            "editable": editable,
            "previous_open": previous.state not in DECIDED_STATES,
            "closed": stage.selection_closed_at is not None,
            "is_criteria": previous.mode == StageMode.CRITERIA,
            "is_vote": previous.mode == StageMode.VOTE,
            "is_ranking": previous.mode == StageMode.RANKING,
        },
        status=status,
    )


@of_stage
def stage_selection(request, stage):
    if stage.previous_id is None:
        raise Http404
    if request.method != "POST":
        return _render(request, stage)
    action = request.POST.get("action")
    try:
        ids = _chosen_ids(request)
        added, removed = save_selection(stage, ids, by=request.user)
        if action == "close":
            closed = close_selection(stage, by=request.user)
    except StageError as error:
        messages.error(request, error_message(error))
        stage.refresh_from_db()
        return _render(request, stage, status=400 if error.code == "bad_ids" else 409)
    stage.refresh_from_db()
    if action == "close":
        if closed:
            messages.success(
                request,
                ngettext(
                    "The selection is closed: %(count)s entry goes to this stage "
                    "and its judges are assigned. Entrants are told nothing until "
                    "the results are published.",
                    "The selection is closed: %(count)s entries go to this stage "
                    "and its judges are assigned. Entrants are told nothing until "
                    "the results are published.",
                    len(ids),
                )
                % {"count": len(ids)},
            )
        else:
            messages.info(request, _("The selection was already closed."))
        return redirect("manage:stage_detail", pk=stage.pk)
    if added or removed:
        text = ngettext(
            "The selection is saved: %(count)s entry (%(added)s added, "
            "%(removed)s removed).",
            "The selection is saved: %(count)s entries (%(added)s added, "
            "%(removed)s removed).",
            len(ids),
        ) % {"count": len(ids), "added": added, "removed": removed}
        if stage.selection_closed_at is None:
            text += " " + _("Close it to assign the judges.")
        messages.success(request, text)
    else:
        messages.info(request, _("The selection is unchanged."))
    return redirect(reverse("manage:stage_selection", args=[stage.pk]))
