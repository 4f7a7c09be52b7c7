"""Staff page of a stage's panel: its members, its chair, adding a person who
has the judge role and taking a member off. Invitations by e-mail have their
own page. Changes go through ``judging.services.panels``."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from artsprize.accounts.permissions import lookup, permission_required
from judging.errors import JudgingError
from judging.forms_panels import PanelMemberForm
from judging.models import Assignment, PanelMember, Stage
from judging.services.panels import add_panel_member, remove_panel_member, set_chair

of_stage = permission_required(
    "judging.manage_judging",
    obj=lookup(Stage.objects.select_related("round")),
    hidden=False,
)


def _panel_url(stage):
    return reverse("manage:stage_panel", args=[stage.pk])


def _member(stage, judge_pk):
    return (
        PanelMember.objects.filter(stage=stage, judge_id=judge_pk)
        .select_related("judge")
        .first()
    )


def _render_panel(request, stage, form):
    members = list(
        PanelMember.objects.filter(stage=stage)
        .select_related("judge")
        .order_by("-is_chair", "judge__email", "id")
    )
    loads = dict(
        Assignment.objects.filter(stage=stage)
        .order_by()
        .values_list("judge_id")
        .annotate(number=Count("id"))
    )
    for member in members:
        member.assigned = loads.get(member.judge_id, 0)
    context = {
        "stage": stage,
        "round": stage.round,
        "members": members,
        "form": form,
        "section": "panel",
    }
    return render(request, "judging/manage/panel.html", context)


@of_stage
def stage_panel(request, stage):
    if request.method == "POST":
        form = PanelMemberForm(request.POST, stage=stage)
        if form.is_valid():
            judge = form.cleaned_data["judge"]
            try:
                add_panel_member(
                    stage, judge, by=request.user, chair=form.cleaned_data["chair"]
                )
            except JudgingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(email)s is on the panel.") % {"email": judge.email},
                )
                return redirect(_panel_url(stage))
    else:
        form = PanelMemberForm(stage=stage)
    return _render_panel(request, stage, form)


@require_POST
@of_stage
def panel_chair(request, stage, judge_pk):
    member = _member(stage, judge_pk)
    if member is None:
        messages.error(request, _("This judge is not on the panel."))
        return redirect(_panel_url(stage))
    try:
        set_chair(stage, member.judge, by=request.user)
    except JudgingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(email)s chairs the panel.") % {"email": member.judge.email},
        )
    return redirect(_panel_url(stage))


@require_POST
@of_stage
def panel_remove(request, stage, judge_pk):
    member = _member(stage, judge_pk)
    if member is None:
        # A second click: the judge is already off the panel.
        messages.info(request, _("This judge is not on the panel."))
        return redirect(_panel_url(stage))
    try:
        remove_panel_member(stage, member.judge, by=request.user)
    except JudgingError as error:
        messages.error(request, error.message)
        return redirect(_panel_url(stage))
    assigned = Assignment.objects.filter(stage=stage, judge_id=judge_pk).count()
    if assigned:
        messages.warning(
            request,
            ngettext(
                "%(email)s is off the panel. Their %(count)s assignment stays "
                "until you remove or reassign it on the assignments page.",
                "%(email)s is off the panel. Their %(count)s assignments stay "
                "until you remove or reassign them on the assignments page.",
                assigned,
            )
            % {"email": member.judge.email, "count": assigned},
        )
    else:
        messages.success(
            request,
            _("%(email)s is off the panel.") % {"email": member.judge.email},
        )
    return redirect(_panel_url(stage))
