"""The staff's awards page of a round: its award types with their awards and
what each still lacks, the ranking of each category's final stage to give
awards from, citations, and *Decide the round* (``judging.services.awards``).

A refusal keeps what was typed: the form is shown again with the message, 400
for a form that does not validate, 409 for what the round's state or the final
stages refuse.
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.pages import error_message, move_up_or_down, posted
from judging.errors import AwardError
from judging.forms_awards import (
    AwardTypeForm,
    CitationForm,
    GiveAwardForm,
    award_type_initial,
)
from judging.models import Award, AwardType
from judging.selectors.awards import awards_page
from judging.services.awards import (
    create_award_type,
    decide_round,
    decision_problems,
    delete_award_type,
    give_award,
    move_award_type,
    set_citation,
    take_back_award,
    update_award_type,
)
from submissions.enums import RoundState

PERMISSION = "judging.manage_judging"
ROUND = AwardType._meta.get_field("round").related_model

# Rounds and their awards are no secret to staff: others get "not allowed".
of_round = permission_required(
    PERMISSION, obj=lookup(ROUND.objects.all()), hidden=False
)
of_award_type = permission_required(
    PERMISSION,
    obj=lookup(AwardType.objects.select_related("round", "category")),
    hidden=False,
)
of_award = permission_required(
    PERMISSION,
    obj=lookup(Award.objects.select_related("award_type", "award_type__round")),
    hidden=False,
)


def post_only(view):
    """A POST action: a GET (a reloaded URL) goes back to the awards page."""

    @wraps(view)
    def wrapped(request, obj):
        if request.method != "POST":
            return redirect("manage:round_awards", pk=_round_of(obj).pk)
        return view(request, obj)

    return wrapped


def _round_of(obj):
    if isinstance(obj, Award):
        return obj.award_type.round
    if isinstance(obj, AwardType):
        return obj.round
    return obj


def _rank_label(row):
    if not row.rank:
        return "—"
    return f"{row.rank}=" if row.tied else str(row.rank)


def _choices(award_type, rankings):
    """The entries ``award_type`` may go to, grouped by category, from the
    ranking of each finalised final stage."""
    groups = []
    for ranking in rankings:
        if not ranking.finalised:
            continue
        if award_type.category_id not in (None, ranking.category.pk):
            continue
        options = [
            (
                candidate.row.entry_id,
                f"{_rank_label(candidate.row)} · {candidate.reference} · "
                f"{candidate.title}",
            )
            for candidate in ranking.candidates
        ]
        if options:
            groups.append((ranking.category.name, options))
    return groups


def _render(request, round_, *, give_forms=None, status=200):
    types, rankings = awards_page(round_)
    judging = round_.state == RoundState.JUDGING
    give_forms = give_forms or {}
    rows = []
    for row in types:
        form = give_forms.get(row.award_type.pk)
        if form is None and judging and len(row.awards) < row.award_type.places:
            form = GiveAwardForm(
                prefix=f"give-{row.award_type.pk}",
                choices=_choices(row.award_type, rankings),
            )
        rows.append((row, form))
    return render(
        request,
        "judging/manage/awards.html",
        {
            "round": round_,
            "types": rows,
            "rankings": rankings,
            "judging": judging,
            "decided": round_.state in (RoundState.DECIDED, RoundState.PUBLISHED),
            "problems": decision_problems(round_) if judging else [],
        },
        status=status,
    )


@of_round
def round_awards(request, round_):
    return _render(request, round_)


def _render_type_form(request, round_, award_type, form, *, status=200):
    return render(
        request,
        "judging/manage/award_type_form.html",
        {"round": round_, "award_type": award_type, "form": form},
        status=status,
    )


@of_round
def award_type_create(request, round_):
    form = AwardTypeForm(
        posted(request), round_=round_, initial=award_type_initial(AwardType())
    )
    if request.method != "POST":
        return _render_type_form(request, round_, None, form)
    if not form.is_valid():
        return _render_type_form(request, round_, None, form, status=400)
    try:
        award_type = create_award_type(round_, data=form.cleaned_data, by=request.user)
    except AwardError as error:
        messages.error(request, error_message(error))
        return _render_type_form(request, round_, None, form, status=409)
    messages.success(
        request,
        _("Award “%(name)s” added. Give it to an entry below.")
        % {"name": award_type.name},
    )
    return redirect("manage:round_awards", pk=round_.pk)


@of_award_type
def award_type_edit(request, award_type):
    round_ = award_type.round
    form = AwardTypeForm(
        posted(request), round_=round_, initial=award_type_initial(award_type)
    )
    if request.method != "POST":
        return _render_type_form(request, round_, award_type, form)
    if not form.is_valid():
        return _render_type_form(request, round_, award_type, form, status=400)
    try:
        changed = update_award_type(award_type, data=form.cleaned_data, by=request.user)
    except AwardError as error:
        messages.error(request, error_message(error))
        return _render_type_form(request, round_, award_type, form, status=409)
    if changed:
        messages.success(request, _("Changes saved."))
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("manage:round_awards", pk=round_.pk)


@of_award_type
@post_only
def award_type_delete(request, award_type):
    name = award_type.name
    try:
        delete_award_type(award_type, by=request.user)
    except AwardError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Award “%(name)s” removed.") % {"name": name})
    return redirect("manage:round_awards", pk=award_type.round_id)


@of_award_type
@post_only
def award_type_move(request, award_type):
    move_up_or_down(
        request,
        lambda up: move_award_type(award_type, up=up, by=request.user),
        name=award_type.name,
        errors=AwardError,
    )
    return redirect("manage:round_awards", pk=award_type.round_id)


@of_award_type
@post_only
def award_give(request, award_type):
    round_ = award_type.round
    _types, rankings = awards_page(round_)
    form = GiveAwardForm(
        request.POST,
        prefix=f"give-{award_type.pk}",
        choices=_choices(award_type, rankings),
    )
    if not form.is_valid():
        return _render(request, round_, give_forms={award_type.pk: form}, status=400)
    try:
        _award, created = give_award(
            award_type,
            form.cleaned_data["entry"],
            by=request.user,
            citation_en=form.cleaned_data["citation_en"],
            citation_zh_hant=form.cleaned_data["citation_zh_hant"],
        )
    except AwardError as error:
        messages.error(request, error_message(error))
        return _render(request, round_, give_forms={award_type.pk: form}, status=409)
    if created:
        messages.success(
            request, _("Award “%(name)s” given.") % {"name": award_type.name}
        )
    else:
        messages.info(
            request,
            _("“%(name)s” was already given to that entry.")
            % {"name": award_type.name},
        )
    return redirect("manage:round_awards", pk=round_.pk)


@of_award
def award_citation(request, award):
    round_ = award.award_type.round
    form = CitationForm(
        posted(request),
        initial={
            "citation_en": award.citation_en,
            "citation_zh_hant": award.citation_zh_hant,
        },
    )
    context = {"round": round_, "award": award, "form": form}
    if request.method != "POST":
        return render(request, "judging/manage/award_citation.html", context)
    if not form.is_valid():
        return render(
            request, "judging/manage/award_citation.html", context, status=400
        )
    try:
        changed = set_citation(
            award,
            citation_en=form.cleaned_data["citation_en"],
            citation_zh_hant=form.cleaned_data["citation_zh_hant"],
            by=request.user,
        )
    except AwardError as error:
        messages.error(request, error_message(error))
        return render(
            request, "judging/manage/award_citation.html", context, status=409
        )
    if changed:
        messages.success(request, _("Citation saved."))
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("manage:round_awards", pk=round_.pk)


@permission_required(PERMISSION)
def award_take_back(request, pk):
    """Take an award back (POST). A second click, after the first took it
    back, is told so on the awards page."""
    award = (
        Award.objects.select_related("award_type", "award_type__round")
        .filter(pk=pk)
        .first()
    )
    if award is None:
        round_pk = request.POST.get("round", "")
        if request.method == "POST" and round_pk.isdigit():
            round_ = ROUND.objects.filter(pk=int(round_pk)).first()
            if round_ is not None:
                messages.info(request, _("The award was already taken back."))
                return redirect("manage:round_awards", pk=round_.pk)
        raise Http404
    if request.method != "POST":
        return redirect("manage:round_awards", pk=award.award_type.round_id)
    try:
        take_back_award(award, by=request.user)
    except AwardError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(
            request,
            _("Award “%(name)s” taken back.") % {"name": award.award_type.name},
        )
    return redirect("manage:round_awards", pk=award.award_type.round_id)


@of_round
@post_only
def round_decide(request, round_):
    try:
        decided = decide_round(round_, by=request.user)
    except AwardError as error:
        messages.error(request, error_message(error))
        round_.refresh_from_db()
        return _render(request, round_, status=409)
    if decided:
        messages.success(
            request,
            _(
                "The round is decided: its awards no longer change. Publish the "
                "results when they are ready."
            ),
        )
    else:
        messages.info(request, _("The round was already decided."))
    return redirect("manage:round_awards", pk=round_.pk)
