"""Staff pages of a stage's assignments and conflicts of interest: making the
assignments in set-up, the coverage of each entry with its judges, single
changes (add, remove, reassign), and setting or lifting conflicts. Every change
goes through ``judging.services``; a refusal is shown on the page again with
what was typed."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from artsprize.accounts.permissions import lookup, permission_required
from judging.enums import StageState
from judging.errors import JudgingError
from judging.forms_panels import (
    AssignForm,
    ConflictForm,
    LiftConflictForm,
    RemoveAssignmentForm,
    panel_judges,
)
from judging.models import Assignment, Conflict, Stage, StageEntry
from judging.selectors.coverage import (
    SHOWS,
    coverage_page,
    covered_entries,
    entries_below_minimum,
    stage_conflicts_page,
)
from judging.services.assignment import (
    CHANGEABLE_STATES,
    add_assignment,
    make_assignments,
    reassign,
    remove_assignment,
)
from judging.services.conflicts import lift_conflict, set_conflict
from submissions.blind import blind_entries

of_stage = permission_required(
    "judging.manage_judging",
    obj=lookup(Stage.objects.select_related("round")),
    hidden=False,
)

SHOW_LABELS = {
    "all": gettext_lazy("All entries"),
    "below": gettext_lazy("Below the minimum of judges"),
    "conflicts": gettext_lazy("With conflicts"),
}


def _assignments_url(stage, query=""):
    url = reverse("manage:stage_assignments", args=[stage.pk])
    return f"{url}?{query}" if query else url


def _conflicts_url(stage):
    return reverse("manage:stage_conflicts", args=[stage.pk])


def _show(value):
    return value if value in SHOWS else "all"


def _query(data):
    """The coverage filter and page of ``data`` (a request's GET, or the query
    a form carried along), as a query string of those two only."""
    if isinstance(data, str):
        data = QueryDict(data)
    kept = {}
    if _show(data.get("show")) != "all":
        kept["show"] = data["show"]
    page = data.get("page", "")
    if page.isdigit():
        kept["page"] = page
    return urlencode(kept)


def _warn_below_minimum(request, stage):
    """After a change: a warning when entries have fewer judges whose scores
    count than the stage's minimum, with a link to them."""
    below = entries_below_minimum(stage)
    if not below:
        return
    text = ngettext(
        "%(count)s entry has fewer judges whose scores count than the minimum "
        "of %(minimum)s.",
        "%(count)s entries have fewer judges whose scores count than the minimum "
        "of %(minimum)s.",
        below,
    ) % {"count": below, "minimum": stage.min_judges}
    messages.warning(
        request,
        format_html(
            '{} <a class="alert-link" href="{}">{}</a>',
            text,
            _assignments_url(stage, "show=below"),
            _("Add or reassign judges"),
        ),
    )


def _render_assignments(request, stage, *, failed=None):
    show = _show(request.GET.get("show") or (failed or {}).get("show"))
    page_number = request.GET.get("page") or (failed or {}).get("page")
    page = coverage_page(stage, show=show, page=page_number)
    query = _query({"show": show, "page": str(page.number)})
    context = {
        "stage": stage,
        "round": stage.round,
        "section": "assignments",
        "page": page,
        "rows": page.object_list,
        "panel": list(panel_judges(stage)),
        "below": entries_below_minimum(stage),
        "entries_count": StageEntry.objects.filter(stage=stage).count(),
        "assignments_count": Assignment.objects.filter(stage=stage).count(),
        "is_setup": stage.state == StageState.SETUP,
        "can_change": stage.state in CHANGEABLE_STATES,
        "show": show,
        "shows": [
            (
                key,
                SHOW_LABELS[key],
                _assignments_url(stage, "" if key == "all" else f"show={key}"),
            )
            for key in SHOWS
        ],
        "query": query,
        "failed": failed,
    }
    return render(request, "judging/manage/assignments.html", context)


@of_stage
def stage_assignments(request, stage):
    return _render_assignments(request, stage)


def _back(request, stage):
    return redirect(_assignments_url(stage, _query(request.POST.get("query", ""))))


def _failed(request, *, message, **values):
    query = QueryDict(_query(request.POST.get("query", "")))
    return {
        "message": message,
        "show": query.get("show"),
        "page": query.get("page"),
        **values,
    }


@require_POST
@of_stage
def assignments_make(request, stage):
    try:
        summary = make_assignments(stage, by=request.user)
    except JudgingError as error:
        messages.error(request, error.message)
        return redirect(_assignments_url(stage))
    messages.success(
        request,
        ngettext(
            "%(assignments)s assignment made: %(entries)s entries, %(judges)s judges.",
            "%(assignments)s assignments made: %(entries)s entries, %(judges)s judges.",
            summary.assignments,
        )
        % {
            "assignments": summary.assignments,
            "entries": summary.entries,
            "judges": summary.judges,
        },
    )
    if summary.short:
        messages.warning(
            request,
            ngettext(
                "%(count)s entry has fewer judges than asked, for conflicts of "
                "interest or a small panel.",
                "%(count)s entries have fewer judges than asked, for conflicts of "
                "interest or a small panel.",
                summary.short,
            )
            % {"count": summary.short},
        )
    _warn_below_minimum(request, stage)
    return redirect(_assignments_url(stage))


def _entry_assignments(stage, entry_id):
    return list(
        Assignment.objects.filter(stage=stage, entry_id=entry_id)
        .order_by("judge__email")
        .values_list("pk", "judge__email")
    )


@require_POST
@of_stage
def assignment_assign(request, stage):
    """Add a judge to an entry, or put one in place of another."""
    panel = list(panel_judges(stage))
    entry_id = request.POST.get("entry", "")
    entry_assignments = (
        _entry_assignments(stage, int(entry_id)) if entry_id.isdigit() else []
    )
    form = AssignForm(request.POST, panel=panel, entry_assignments=entry_assignments)

    def refused(message):
        failed = _failed(
            request,
            message=message,
            action="assign",
            entry=int(entry_id) if entry_id.isdigit() else None,
            judge=request.POST.get("judge", ""),
            replace=request.POST.get("replace", ""),
        )
        return _render_assignments(request, stage, failed=failed)

    if not form.is_valid():
        if "entry" in form.errors:
            return refused(_("Choose an entry of the stage."))
        return refused(_("Choose a judge of the panel."))
    data = form.cleaned_data
    judge = next(judge for judge in panel if judge.pk == data["judge"])
    try:
        if data["replace"]:
            assignment = Assignment.objects.select_related("stage").get(
                stage=stage, pk=data["replace"]
            )
            reassign(assignment, judge, by=request.user)
            done = _("%(email)s now scores %(reference)s in place of %(former)s.")
        else:
            add_assignment(stage, judge, data["entry"], by=request.user)
            done = _("%(email)s now scores %(reference)s.")
    except Assignment.DoesNotExist:
        return refused(_("This assignment no longer exists."))
    except JudgingError as error:
        return refused(error.message)
    former = dict(entry_assignments).get(data["replace"], "")
    messages.success(
        request,
        done
        % {
            "email": judge.email,
            "reference": _reference(stage, data["entry"]),
            "former": former,
        },
    )
    _warn_below_minimum(request, stage)
    return _back(request, stage)


def _reference(stage, entry_id):
    found = blind_entries(round_id=stage.round_id, entry_ids=[entry_id])
    return found[0].reference if found else "—"


@require_POST
@of_stage
def assignment_remove(request, stage, assignment_pk):
    assignment = (
        Assignment.objects.filter(stage=stage, pk=assignment_pk)
        .select_related("stage", "judge")
        .first()
    )
    if assignment is None:
        # A second click: the assignment is gone already.
        messages.info(request, _("This assignment has been removed already."))
        return _back(request, stage)
    form = RemoveAssignmentForm(request.POST)

    def refused(message):
        failed = _failed(
            request,
            message=message,
            action="remove",
            entry=assignment.entry_id,
            assignment=assignment.pk,
            reason=request.POST.get("reason", ""),
        )
        return _render_assignments(request, stage, failed=failed)

    if not form.is_valid():
        return refused(" ".join(form.errors["reason"]))
    try:
        remove_assignment(
            assignment, by=request.user, reason=form.cleaned_data["reason"]
        )
    except JudgingError as error:
        return refused(error.message)
    messages.success(
        request,
        _("%(email)s no longer scores %(reference)s.")
        % {
            "email": assignment.judge.email,
            "reference": _reference(stage, assignment.entry_id),
        },
    )
    _warn_below_minimum(request, stage)
    return _back(request, stage)


# --- Conflicts -----------------------------------------------------------------


def _render_conflicts(request, stage, form, *, lift_failed=None):
    context = {
        "stage": stage,
        "round": stage.round,
        "section": "conflicts",
        "form": form,
        "page": stage_conflicts_page(stage, page=request.GET.get("page")),
        "below": entries_below_minimum(stage),
        "below_url": _assignments_url(stage, "show=below"),
        "lift_failed": lift_failed,
    }
    return render(request, "judging/manage/conflicts.html", context)


@of_stage
def stage_conflicts(request, stage):
    if request.method != "POST":
        return _render_conflicts(request, stage, ConflictForm(stage=stage))
    form = ConflictForm(request.POST, stage=stage)
    if form.is_valid():
        judge = form.cleaned_data["judge"]
        try:
            set_conflict(
                stage,
                judge,
                form.entry_id,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except JudgingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The conflict of %(email)s with %(reference)s is recorded.")
                % {
                    "email": judge.email,
                    "reference": _reference(stage, form.entry_id),
                },
            )
            _warn_entry_below_minimum(request, stage, form.entry_id)
            return redirect(_conflicts_url(stage))
    return _render_conflicts(request, stage, form)


def _warn_entry_below_minimum(request, stage, entry_id):
    row = covered_entries(stage).filter(entry_id=entry_id).values("counted").first()
    if row is not None and row["counted"] < stage.min_judges:
        messages.warning(
            request,
            format_html(
                '{} <a class="alert-link" href="{}">{}</a>',
                _(
                    "This entry now has %(count)s judges whose scores count, fewer "
                    "than the minimum of %(minimum)s."
                )
                % {"count": row["counted"], "minimum": stage.min_judges},
                _assignments_url(stage, "show=below"),
                _("Add or reassign judges"),
            ),
        )
    else:
        _warn_below_minimum(request, stage)


@require_POST
@of_stage
def conflict_lift(request, stage, conflict_pk):
    conflict = (
        Conflict.objects.filter(
            pk=conflict_pk,
            entry_id__in=StageEntry.objects.filter(stage=stage).values("entry_id"),
        )
        .select_related("judge")
        .first()
    )
    if conflict is None:
        messages.info(request, _("This conflict has been lifted already."))
        return redirect(_conflicts_url(stage))
    form = LiftConflictForm(request.POST)
    if not form.is_valid():
        lift_failed = {
            "conflict": conflict.pk,
            "message": " ".join(form.errors["reason"]),
            "reason": request.POST.get("reason", ""),
        }
        return _render_conflicts(
            request,
            stage,
            ConflictForm(stage=stage),
            lift_failed=lift_failed,
        )
    lift_conflict(
        conflict, stage=stage, by=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        _(
            "The conflict of %(email)s is lifted: their assignment of the entry "
            "counts again."
        )
        % {"email": conflict.judge.email},
    )
    _warn_below_minimum(request, stage)
    return redirect(_conflicts_url(stage))
