"""A judge's pages: their stages, their queue of a stage, one entry (blind) with
its scoring form, the score's autosave and submit, declaring a conflict, and
the panel's scores when the stage's rule shows them.

Every page declares its permission (``judging.rules``): an assignment that is
not the judge's, is conflicted, or whose stage is neither open nor closed is
"not found"; the panel's scores before the stage's rule shows them are "not
allowed". Entries are read through ``submissions.blind`` only.
"""

import json
import zoneinfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from artsprize.accounts.permissions import lookup, permission_required
from judging.enums import StageMode, StageState, Visibility, Vote
from judging.errors import JudgingError, ScoreError
from judging.forms_scoring import ConflictForm, ScoreForm, initial_of
from judging.models import Stage
from judging.rules import stage_is_open
from judging.selectors.judge import (
    FILTERS,
    assignments_for_rules,
    following,
    judge_dashboard,
    judge_entry,
    judge_queue,
    neighbours,
    panel_scores,
    stage_criteria,
)
from judging.services.conflicts import declare_conflict
from judging.services.scoring import save_score
from submissions.blind import NotJudgeable, blind_entry, public_credit_line

SHORTCUTS = gettext_lazy(
    "Keyboard, outside the text fields (%(esc)s leaves a field): %(j)s next work, "
    "%(k)s previous work, %(s)s save the draft, %(f)s go to the scoring form, "
    "%(q)s back to your list."
)
STATE_WORDS = {
    "saved": gettext_lazy("Saved"),
    "saving": gettext_lazy("Saving…"),
    "offline": gettext_lazy(
        "Offline: kept on this device and sent when the connection returns."
    ),
    "replaced": gettext_lazy(
        "Saved. An earlier save from another window was replaced."
    ),
    "failed": gettext_lazy("Not saved: see the fields marked."),
    "closed": gettext_lazy("Not saved: the stage is not open for scoring."),
    "error": gettext_lazy(
        "Not saved yet: what you typed is kept on this device. Reload the page to "
        "try again."
    ),
    "restored": gettext_lazy(
        "Your unsent changes on this device were put back in the form."
    ),
    "submitted": gettext_lazy("Submitted"),
}

use_judging = permission_required("judging.use_judging")
of_stage = permission_required("judging.view_stage", obj=lookup(Stage.objects.all()))
_assignments = assignments_for_rules()
of_assignment = permission_required("judging.view_assignment", obj=lookup(_assignments))
scoring = permission_required(
    "judging.view_assignment", obj=lookup(_assignments), json=True
)
conflict_of = permission_required("judging.declare_conflict", obj=lookup(_assignments))


def _shortcuts():
    keys = {name: format_html("<kbd>{}</kbd>", name.upper()) for name in "jksfq"}
    keys["esc"] = format_html("<kbd>{}</kbd>", "Esc")
    return mark_safe(conditional_escape(SHORTCUTS) % keys)  # noqa: S308 (escaped)


@require_safe
@use_judging
def dashboard(request):
    return render(
        request,
        "judging/judge/dashboard.html",
        {"stages": judge_dashboard(request.user)},
    )


@require_safe
@of_stage
def queue(request, stage):
    which = request.GET.get("show", "all")
    if which not in FILTERS:
        which = "all"
    page, rows = judge_queue(
        request.user, stage, which=which, page=request.GET.get("page")
    )
    filters = [
        ("all", _("All")),
        ("unscored", _("To do")),
        ("scored", _("Scored")),
    ]
    return render(
        request,
        "judging/judge/queue.html",
        {
            "stage": stage,
            "page": page,
            "rows": rows,
            "which": which,
            "filters": filters,
            "query": f"show={which}" if which != "all" else "",
            "states": {
                "unscored": _("To do"),
                "draft": _("Draft"),
                "submitted": _("Submitted"),
            },
        },
    )


def _url(urls, copy):
    return urls.get(copy.id, "") if copy is not None else ""


def _files(entry, urls):
    """Each file of ``entry`` with the URLs of its copies, for the page."""
    files = []
    for file in entry.files:
        image = file.judge_copy or file.thumbnail
        files.append(
            {
                "file": file,
                "url": _url(urls, file.judge_copy),
                "image": image,
                "image_url": _url(urls, image),
                "thumb_url": _url(urls, file.thumbnail),
                "poster_url": _url(urls, file.poster),
                "pages": [(page, _url(urls, page)) for page in file.pages],
                "page_count": file.page_count or len(file.pages),
            }
        )
    return files


def _own_rows(stage, found):
    """The judge's score as kept, ``(label, value)`` by the stage's mode, for a
    stage that no longer takes scores."""
    score = found.score
    if score is None:
        return []
    if stage.mode == StageMode.VOTE:
        return [(_("Your vote"), Vote(score.vote).label if score.vote else "—")]
    if stage.mode == StageMode.RANKING:
        return [(_("Place"), score.rank or "—")]
    rows = [
        (criterion.name, found.values.get(criterion.pk, "—"))
        for criterion in found.criteria
    ]
    if score.total is not None:
        rows.append((_("Weighted score"), score.total))
    return rows


def _panel_visible(stage, score):
    """Whether the page links to the panel's scores. The page is the judge's own
    assignment (its permission checked that): what is left of
    ``judging.view_panel_scores`` is the stage's rule, read here from what the
    page has, without a query. The panel page asks the permission itself."""
    if stage.visibility == Visibility.NEVER:
        return False
    if stage.state in (StageState.CLOSED, StageState.FINALISED):
        return True
    return (
        stage.visibility == Visibility.AFTER_OWN
        and score is not None
        and score.submitted_at is not None
    )


def _entry_context(request, assignment, form=None):
    try:
        found = judge_entry(assignment)
    except NotJudgeable:
        raise Http404 from None
    stage = assignment.stage
    errors = form.non_field_errors() if form is not None else []
    if form is None or stage.state != StageState.OPEN:
        # A closed stage shows the score as it was kept, not what was sent.
        form = ScoreForm(
            initial=initial_of(found.score, found.values, found.criteria),
            stage=stage,
            criteria=found.criteria,
        )
    score = found.score
    return {
        "own_rows": _own_rows(stage, found) if stage.state != StageState.OPEN else [],
        "assignment": assignment,
        "stage": stage,
        "entry": found.entry,
        "files": _files(found.entry, found.urls),
        "score": score,
        "version": score.version if score else 0,
        "form": form,
        "errors": errors,
        "can_score": stage_is_open(request.user, assignment),
        "around": neighbours(assignment),
        "shortcuts": _shortcuts(),
        "show_work": (not found.entry.content_warning)
        or request.GET.get("show") == "work",
        "state_words": STATE_WORDS,
        "panel_visible": _panel_visible(stage, score),
        "is_ranking": stage.mode == StageMode.RANKING,
        # A stage staff made not blind shows the name the artist chose for the
        # public, nothing more.
        "credit": None if stage.blind else public_credit_line(assignment.entry_id),
    }


@require_safe
@cache_control(private=True, no_store=True)
@of_assignment
def entry(request, assignment):
    return render(
        request, "judging/judge/entry.html", _entry_context(request, assignment)
    )


def _json_data(request):
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("data", {}), dict):
        return None
    return body


def _answer(saved):
    state = "replaced" if saved.replaced else "saved"
    return {
        "version": saved.version,
        "replaced": saved.replaced,
        "submitted": saved.submitted,
        "state": state,
        "message": str(STATE_WORDS[state]),
        "saved_at": date_format(
            timezone.localtime(saved.score.saved_at, timezone=_HONG_KONG),
            "H:i",
        ),
    }


_HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")


def _problems(error):
    return {field: str(message) for field, message in error.problems}


def _score_json(request, assignment):
    body = _json_data(request)
    if body is None:
        return JsonResponse(
            {"error": "bad_request", "message": _("The score could not be read.")},
            status=400,
        )
    data = {str(key): value for key, value in body.get("data", {}).items()}
    try:
        saved = save_score(
            assignment,
            data=data,
            base_version=body.get("base_version"),
            by=request.user,
            submit=body.get("submit") is True,
        )
    except ScoreError as error:
        status = 409 if error.code in ("stage_not_open", "conflicted") else 400
        return JsonResponse(
            {
                "error": error.code,
                "message": str(error.message),
                "problems": _problems(error),
            },
            status=status,
        )
    return JsonResponse(_answer(saved))


def _score_form(request, assignment):
    """The form post of a page without JavaScript (or its "Submit score")."""
    criteria = stage_criteria(assignment.stage_id)
    form = ScoreForm(request.POST, stage=assignment.stage, criteria=criteria)
    submit = "submit" in request.POST
    try:
        saved = save_score(
            assignment,
            data=form.data_for_service(),
            base_version=request.POST.get("base_version"),
            by=request.user,
            submit=submit,
            criteria=criteria,
        )
    except ScoreError as error:
        for field, message in error.problems:
            if field in form.fields:
                form.add_error(field, message)
        form.add_error(None, error.message)
        context = _entry_context(request, assignment, form=form)
        status = 409 if error.code in ("stage_not_open", "conflicted") else 200
        return render(request, "judging/judge/entry.html", context, status=status)
    if saved.replaced:
        messages.warning(request, STATE_WORDS["replaced"])
    if not submit:
        messages.success(request, _("Draft saved."))
        return redirect("judging:entry", assignment.pk)
    messages.success(request, _("Score submitted."))
    after = following(assignment) if request.POST.get("next") else None
    return redirect("judging:entry", after or assignment.pk)


@require_POST
@scoring
def score(request, assignment):
    if request.content_type == "application/json":
        return _score_json(request, assignment)
    try:
        return _score_form(request, assignment)
    except NotJudgeable:  # Re-showing the page of an entry no longer judged.
        raise Http404 from None


@conflict_of
def conflict(request, assignment):
    try:
        reference = blind_entry(assignment.entry_id).reference
    except NotJudgeable:
        raise Http404 from None
    form = ConflictForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        around = neighbours(assignment)
        following = around.following or around.previous
        try:
            declare_conflict(
                assignment, reason=form.cleaned_data["reason"], by=request.user
            )
        except JudgingError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(
                request,
                _(
                    "Conflict declared: %(reference)s has left your list. The "
                    "prize's staff see your declaration and its reason."
                )
                % {"reference": reference},
            )
            if following is not None:
                return redirect("judging:entry", following)
            return redirect("judging:queue", assignment.stage_id)
    return render(
        request,
        "judging/judge/conflict.html",
        {
            "assignment": assignment,
            "stage": assignment.stage,
            "reference": reference,
            "form": form,
        },
    )


@require_safe
@of_assignment
def panel(request, assignment):
    if not request.user.has_perm("judging.view_panel_scores", assignment):
        raise PermissionDenied
    try:
        reference = blind_entry(assignment.entry_id).reference
    except NotJudgeable:
        raise Http404 from None
    stage = assignment.stage
    criteria = list(stage.criteria.order_by("position", "id"))
    scores = panel_scores(assignment)
    rows = [
        {
            "label": _("Judge %(letter)s") % {"letter": item.label},
            "score": item.score,
            "values": [item.values.get(criterion.pk) for criterion in criteria],
        }
        for item in scores
    ]
    return render(
        request,
        "judging/judge/panel.html",
        {
            "assignment": assignment,
            "stage": stage,
            "reference": reference,
            "criteria": criteria,
            "rows": rows,
            "entry_url": reverse("judging:entry", args=[assignment.pk]),
        },
    )
