"""Staff pages to set up a round's stages and their criteria, and to move a
stage along (open, close, reopen, finalise).

Each view checks the permission, validates with a form and calls a service in
``judging.services.stage_setup``; the services decide what a stage's state
allows. A refused move is shown as a message with what is in the way.
"""

from functools import wraps

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.pages import (
    error_message,
    hong_kong_time,
    move_up_or_down,
    posted,
)
from judging.enums import StageMode, StageState
from judging.errors import StageError
from judging.forms_stages import (
    CriterionForm,
    ReasonForm,
    ReopenForm,
    StageForm,
    criterion_initial,
    stage_initial,
)
from judging.models import Assignment, Criterion, PanelMember, Score, Stage, StageEntry
from judging.services.reminders import reminder_summary
from judging.services.stage_setup import (
    CRITERIA_ONLY_IN_SETUP,
    EDITABLE_AFTER_SETUP_FIELDS,
    close_stage_now,
    create_stage,
    delete_criterion,
    finalise_stage,
    move_criterion,
    open_stage_now,
    reopen_stage,
    save_criterion,
    stage_warnings,
    update_stage,
)
from judging.services.stages import stage_problems

PERMISSION = "judging.manage_judging"
ROUND = Stage._meta.get_field("round").related_model

# Rounds and stages are no secret to staff: others get "not allowed".
of_round = permission_required(
    PERMISSION, obj=lookup(ROUND.objects.all()), hidden=False
)
of_stage = permission_required(
    PERMISSION,
    obj=lookup(Stage.objects.select_related("round", "previous")),
    hidden=False,
)
of_criterion = permission_required(
    PERMISSION,
    obj=lookup(Criterion.objects.select_related("stage", "stage__round")),
    hidden=False,
)


# Stage form fields by what may change in a stage's state: everything in
# set-up; while open, the names, the closing time and the visibility; once
# closed, the closing time changes only by reopening.
def _editable(stage):
    if stage.state == StageState.SETUP:
        return None
    if stage.state == StageState.OPEN:
        return EDITABLE_AFTER_SETUP_FIELDS
    return tuple(f for f in EDITABLE_AFTER_SETUP_FIELDS if f != "closes_at")


def _count(queryset):
    """The number of rows of ``queryset`` (filtered on ``OuterRef("pk")``) as a
    subquery, so that several counts do not multiply each other's rows."""
    return Coalesce(
        Subquery(
            queryset.order_by()
            .values("stage_id")
            .annotate(number=Count("*"))
            .values("number"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _stages_with_counts(stages):
    stage = OuterRef("pk")
    return stages.annotate(
        panel_size=_count(PanelMember.objects.filter(stage=stage)),
        entry_count=_count(StageEntry.objects.filter(stage=stage)),
        assignment_count=_count(Assignment.objects.filter(stage=stage)),
        submitted_count=Coalesce(
            Subquery(
                Score.objects.filter(
                    assignment__stage=stage, submitted_at__isnull=False
                )
                .order_by()
                .values("assignment__stage")
                .annotate(number=Count("*"))
                .values("number"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )


def stage_action(view):
    """A state action on a stage: POST only; a GET (a reloaded URL) goes back
    to the stage's page instead of doing anything."""

    @wraps(view)
    def wrapped(request, stage):
        if request.method != "POST":
            return redirect("manage:stage_detail", pk=stage.pk)
        return view(request, stage)

    return of_stage(wrapped)


def criterion_action(view):
    @wraps(view)
    def wrapped(request, criterion):
        if request.method != "POST":
            return redirect("manage:stage_detail", pk=criterion.stage_id)
        return view(request, criterion)

    return of_criterion(wrapped)


# The round's stages ------------------------------------------------------------


@of_round
def round_stages(request, round_):
    stages = list(
        _stages_with_counts(
            Stage.objects.filter(round=round_)
            .select_related("previous")
            .prefetch_related("categories")
            .order_by("position", "id")
        )
    )
    return render(
        request,
        "judging/manage/stage_list.html",
        {"round": round_, "stages": stages},
    )


def _render_stage_form(request, round_, stage, form):
    return render(
        request,
        "judging/manage/stage_form.html",
        {
            "round": round_,
            "stage": stage,
            "form": form,
            "in_setup": stage is None or stage.state == StageState.SETUP,
        },
    )


@of_round
def stage_create(request, round_):
    defaults = Stage(round=round_)
    form = StageForm(posted(request), round_=round_, initial=stage_initial(defaults))
    if form.is_valid():
        try:
            stage = create_stage(round_, data=form.cleaned_data, by=request.user)
        except StageError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(
                request,
                _("Stage “%(name)s” created. Add its criteria and its panel next.")
                % {"name": stage.name},
            )
            for warning in stage_warnings(stage):
                messages.warning(request, warning)
            return redirect("manage:stage_detail", pk=stage.pk)
    return _render_stage_form(request, round_, None, form)


@of_stage
def stage_edit(request, stage):
    form = StageForm(
        posted(request),
        round_=stage.round,
        stage=stage,
        initial=stage_initial(stage),
        editable=_editable(stage),
    )
    if form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing changed."))
            return redirect("manage:stage_detail", pk=stage.pk)
        try:
            update_stage(stage, data=form.cleaned_data, by=request.user)
        except StageError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, _("Changes saved."))
            for warning in stage_warnings(stage):
                messages.warning(request, warning)
            return redirect("manage:stage_detail", pk=stage.pk)
    return _render_stage_form(request, stage.round, stage, form)


# A stage's page ----------------------------------------------------------------


def _render_detail(request, stage, **forms):
    stage = _stages_with_counts(
        Stage.objects.filter(pk=stage.pk)
        .select_related("round", "previous")
        .prefetch_related("categories")
    ).get()
    state = stage.state
    in_setup = state == StageState.SETUP
    context = {
        "stage": stage,
        "round": stage.round,
        "criteria": list(
            Criterion.objects.filter(stage=stage).order_by("position", "id")
        ),
        "uses_criteria": stage.mode == StageMode.CRITERIA,
        "in_setup": in_setup,
        "is_open": state == StageState.OPEN,
        "is_closed": state == StageState.CLOSED,
        "problems": stage_problems(stage) if in_setup else [],
        "warnings": stage_warnings(stage),
        "now": timezone.now(),
        "reminders": None if in_setup else reminder_summary(stage),
    }
    if state == StageState.OPEN:
        context["close_form"] = ReasonForm(prefix="close")
    elif state == StageState.CLOSED:
        context["reopen_form"] = ReopenForm(prefix="reopen")
        context["finalise_form"] = ReasonForm(prefix="finalise")
    context.update(forms)
    return render(request, "judging/manage/stage_detail.html", context)


@of_stage
def stage_detail(request, stage):
    return _render_detail(request, stage)


def _carry_out(request, stage, *, act, target, done_message, already_message):
    """Run a service on a stage and say how it went; True if the stage is in
    ``target`` afterwards. A second click finds it there and is told calmly."""
    if stage.state == target:
        messages.info(request, already_message)
        return True
    try:
        act()
    except StageError as error:
        stage.refresh_from_db()
        if stage.state == target:
            messages.info(request, already_message)
            return True
        messages.error(request, error_message(error))
        return False
    messages.success(request, done_message(stage))
    return True


@stage_action
def stage_open(request, stage):
    _carry_out(
        request,
        stage,
        act=lambda: open_stage_now(stage, by=request.user),
        target=StageState.OPEN,
        done_message=lambda s: (
            _("The stage is open for scoring until %(closes)s, Hong Kong time.")
            % {"closes": hong_kong_time(s.closes_at)}
        ),
        already_message=_("The stage is already open."),
    )
    return redirect("manage:stage_detail", pk=stage.pk)


@stage_action
def stage_close(request, stage):
    form = ReasonForm(request.POST, prefix="close")
    if not form.is_valid():
        return _render_detail(request, stage, close_form=form)
    done = _carry_out(
        request,
        stage,
        act=lambda: close_stage_now(
            stage, by=request.user, reason=form.cleaned_data["reason"]
        ),
        target=StageState.CLOSED,
        done_message=lambda s: _("The stage is closed: its scores no longer change."),
        already_message=_("The stage is already closed."),
    )
    if not done:
        return _render_detail(request, stage, close_form=form)
    return redirect("manage:stage_detail", pk=stage.pk)


@stage_action
def stage_reopen(request, stage):
    form = ReopenForm(request.POST, prefix="reopen")
    if not form.is_valid():
        return _render_detail(request, stage, reopen_form=form)
    done = _carry_out(
        request,
        stage,
        act=lambda: reopen_stage(
            stage,
            form.cleaned_data["closes_at"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        ),
        target=StageState.OPEN,
        done_message=lambda s: (
            _("The stage is open again until %(closes)s, Hong Kong time.")
            % {"closes": hong_kong_time(s.closes_at)}
        ),
        already_message=_("The stage is already open."),
    )
    if not done:
        return _render_detail(request, stage, reopen_form=form)
    return redirect("manage:stage_detail", pk=stage.pk)


@stage_action
def stage_finalise(request, stage):
    form = ReasonForm(request.POST, prefix="finalise")
    if not form.is_valid():
        return _render_detail(request, stage, finalise_form=form)
    done = _carry_out(
        request,
        stage,
        act=lambda: finalise_stage(
            stage, by=request.user, reason=form.cleaned_data["reason"]
        ),
        target=StageState.FINALISED,
        done_message=lambda s: _("The stage is finalised."),
        already_message=_("The stage is already finalised."),
    )
    if request.POST.get("from") == "deliberation":
        # Staff finalising at the end of a meeting stay on its page.
        return redirect("judging:deliberation", pk=stage.pk)
    if not done:
        return _render_detail(request, stage, finalise_form=form)
    return redirect("manage:stage_detail", pk=stage.pk)


# Criteria ----------------------------------------------------------------------


def _render_criterion_form(request, stage, criterion, form):
    return render(
        request,
        "judging/manage/criterion_form.html",
        {"stage": stage, "round": stage.round, "criterion": criterion, "form": form},
    )


def _save_criterion_form(request, stage, criterion, *, done_text):
    if stage.state != StageState.SETUP:
        messages.error(request, CRITERIA_ONLY_IN_SETUP)
        return redirect("manage:stage_detail", pk=stage.pk)
    initial = criterion_initial(criterion or Criterion())
    form = CriterionForm(posted(request), initial=initial)
    if form.is_valid():
        if criterion is not None and not form.has_changed():
            messages.info(request, _("Nothing changed."))
            return redirect("manage:stage_detail", pk=stage.pk)
        try:
            saved = save_criterion(
                criterion, stage=stage, data=form.cleaned_data, by=request.user
            )
        except StageError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, done_text % {"name": saved.name})
            return redirect("manage:stage_detail", pk=stage.pk)
    return _render_criterion_form(request, stage, criterion, form)


@of_stage
def criterion_create(request, stage):
    return _save_criterion_form(
        request, stage, None, done_text=_("Criterion “%(name)s” added.")
    )


@of_criterion
def criterion_edit(request, criterion):
    return _save_criterion_form(
        request,
        criterion.stage,
        criterion,
        done_text=_("Criterion “%(name)s” saved."),
    )


@permission_required(PERMISSION)
def criterion_delete(request, pk):
    """Remove a criterion (POST). A second click, after the first removed it,
    is told so on the stage's page."""
    criterion = (
        Criterion.objects.select_related("stage", "stage__round").filter(pk=pk).first()
    )
    if criterion is None:
        stage_pk = request.POST.get("stage", "")
        if request.method == "POST" and stage_pk.isdigit():
            stage = Stage.objects.filter(pk=int(stage_pk)).first()
            if stage is not None:
                messages.info(request, _("The criterion was already removed."))
                return redirect("manage:stage_detail", pk=stage.pk)
        raise Http404
    if request.method != "POST":
        return redirect("manage:stage_detail", pk=criterion.stage_id)
    name = criterion.name
    try:
        delete_criterion(criterion, by=request.user)
    except StageError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Criterion “%(name)s” removed.") % {"name": name})
    return redirect("manage:stage_detail", pk=criterion.stage_id)


@criterion_action
def criterion_move(request, criterion):
    move_up_or_down(
        request,
        lambda up: move_criterion(criterion, up=up, by=request.user),
        name=criterion.name,
        errors=StageError,
    )
    return redirect("manage:stage_detail", pk=criterion.stage_id)
