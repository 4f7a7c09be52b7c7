"""The deliberation page of a stage, at /judging/stages/<id>/deliberation/:
the ranked list of each category with every counted score, comment and flag,
large enough for a shared screen in a meeting. Staff and the chair of a
closed stage see the whole list and record the panel's decisions; other
judges of the panel see how it ranked their own works, as the stage's rule
allows (``judging.rules``)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.pages import error_message, posted
from judging.enums import StageMode, StageState
from judging.errors import StageError
from judging.forms_stages import DecisionNoteForm, ReasonForm
from judging.models import Stage
from judging.selectors.deliberation import decision_notes, deliberation_page
from judging.selectors.results import DEFAULT_MEASURE, DEFAULT_THRESHOLD
from judging.services.decisions import note_decision
from judging.views.results import MEASURE_LABELS

of_stage = permission_required(
    "judging.view_deliberation", obj=lookup(Stage.objects.select_related("round"))
)


def _render(request, stage, *, note_form=None, status=200):
    categories = list(stage.categories.order_by("position", "id"))
    chosen = request.GET.get("category", "")
    category = next(
        (item for item in categories if str(item.pk) == chosen),
        categories[0] if categories else None,
    )
    by = request.GET.get("by")
    if stage.mode != StageMode.CRITERIA or by not in MEASURE_LABELS:
        by = DEFAULT_MEASURE
    whole = request.user.has_perm("judging.view_whole_ranking", stage)
    may_note = request.user.has_perm("judging.note_decision", stage)
    is_staff = request.user.has_perm("judging.manage_judging", stage)
    screen = request.GET.get("screen") == "1"
    page = rows = criteria = None
    if category is not None:
        page, rows, criteria = deliberation_page(
            stage,
            viewer=request.user,
            whole=whole,
            category_id=category.pk,
            by=by,
            threshold=DEFAULT_THRESHOLD,
            page=request.GET.get("page")
            if request.GET.get("page", "").isdigit()
            else None,
        )
    kept = {"category": category.pk if category else "", "by": by}
    if screen:
        kept["screen"] = "1"
    return render(
        request,
        "judging/judge/deliberation.html",
        {
            "stage": stage,
            "round": stage.round,
            "categories": categories,
            "category": category,
            "by": by,
            "measures": list(MEASURE_LABELS.items()),
            "measure_label": MEASURE_LABELS[by],
            "threshold": DEFAULT_THRESHOLD,
            "page": page,
            "rows": rows or [],
            "criteria": criteria or [],
            "whole": whole,
            "screen": screen,
            "query": urlencode(kept),
            "screen_query": urlencode({**kept, "screen": "0" if screen else "1"}),
            "notes": decision_notes(stage) if whole else [],
            "note_form": note_form or (DecisionNoteForm() if may_note else None),
            "finalise_form": ReasonForm(prefix="finalise")
            if is_staff and stage.state == StageState.CLOSED
            else None,
            "is_staff": is_staff,
            "is_criteria": stage.mode == StageMode.CRITERIA,
            "is_vote": stage.mode == StageMode.VOTE,
            "is_ranking": stage.mode == StageMode.RANKING,
        },
        status=status,
    )


@of_stage
def deliberation(request, stage):
    data = posted(request)
    if data is None:
        return _render(request, stage)
    if not request.user.has_perm("judging.note_decision", stage):
        messages.error(
            request,
            _("Decisions are noted by the chair or staff while the stage is closed."),
        )
        return _render(request, stage, status=403)
    form = DecisionNoteForm(data)
    if not form.is_valid():
        return _render(request, stage, note_form=form, status=400)
    try:
        note_decision(stage, text=form.cleaned_data["text"], by=request.user)
    except StageError as error:
        messages.error(request, error_message(error))
        stage.refresh_from_db()
        return _render(request, stage, note_form=form, status=409)
    messages.success(request, _("The decision is recorded."))
    url = reverse("judging:deliberation", args=[stage.pk])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}#decisions" if query else f"{url}#decisions")
