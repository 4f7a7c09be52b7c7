"""Staff pages to set up rounds and their categories and to move rounds along.

Each view checks the permission, validates with a form and calls a service in
``submissions.services.rounds``; the services decide what a round's state allows.
"""

from functools import wraps

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.form_fields import HONG_KONG
from artsprize.common.pages import error_message, hong_kong_time, posted
from submissions.enums import FILE_MEDIA_KINDS, MediaKind, RoundState
from submissions.errors import RoundError
from submissions.forms import (
    CategoryForm,
    CloseRoundForm,
    DeadlineForm,
    RoundForm,
    bytes_to_mb,
)
from submissions.models import Category, Round
from submissions.selectors import rounds_for_staff
from submissions.services.rounds import (
    CATEGORIES_ADDED_IN_DRAFT,
    CATEGORIES_REMOVED_IN_DRAFT,
    CATEGORY_TEXT_FIELDS,
    EDITABLE_ANY_STATE_FIELDS,
    EDITABLE_DRAFT_FIELDS,
    close_round_now,
    create_round,
    delete_category,
    extend_deadline,
    open_round_now,
    reopen_round,
    round_problems,
    save_category,
    schedule_round,
    unschedule_round,
    update_round,
)

# Staff pages: anonymous visitors go to the login page; signed-in non-staff get
# a 403, also for the page of a round (rounds are no secret).
staff_only = permission_required("submissions.manage_rounds")
of_round = permission_required(
    "submissions.manage_rounds",
    obj=lookup(Round.objects.prefetch_related("categories")),
    hidden=False,
)


def action(view):
    """A state action on a round: POST only; a GET (a reloaded or bookmarked URL)
    goes back to the round's page instead of doing anything."""

    @wraps(view)
    def wrapped(request, round_):
        if request.method != "POST":
            return redirect("manage:round_detail", pk=round_.pk)
        return view(request, round_)

    return of_round(wrapped)


def _carry_out(request, round_, *, act, is_done, done_message, already_message):
    """Run a service on a round and say how it went; True if the round is where
    it was asked to be.

    A repeated click finds the round already there: that is said calmly, whether
    the view notices it first or the service refuses because of it.
    """
    if is_done(round_):
        messages.info(request, already_message(round_))
        return True
    try:
        act()
    except RoundError as error:
        round_.refresh_from_db()
        if is_done(round_):
            messages.info(request, already_message(round_))
            return True
        messages.error(request, error_message(error))
        return False
    messages.success(request, done_message(round_))
    return True


def _category_rows(categories):
    rows = []
    for category in categories:
        sizes = [
            (MediaKind(kind).label, bytes_to_mb(category.max_bytes_for(kind)))
            for kind in FILE_MEDIA_KINDS
            if kind in category.media_kinds
        ]
        rows.append({"category": category, "sizes": sizes})
    return rows


def _render_detail(request, round_, **forms):
    state = round_.state
    context = {
        "round": round_,
        "categories": _category_rows(round_.categories.all()),
        "problems": round_problems(round_) if state == RoundState.DRAFT else [],
        "is_draft": state == RoundState.DRAFT,
        "is_open": state == RoundState.OPEN,
        "is_closed": state == RoundState.CLOSED,
    }
    if state == RoundState.OPEN:
        context["close_form"] = CloseRoundForm()
        context["extend_form"] = DeadlineForm(initial={"closes_at": round_.closes_at})
    elif state == RoundState.CLOSED:
        context["reopen_form"] = DeadlineForm()
    context.update(forms)
    return render(request, "submissions/manage/round_detail.html", context)


@staff_only
def round_list(request):
    return render(
        request, "submissions/manage/round_list.html", {"rounds": rounds_for_staff()}
    )


@staff_only
def round_create(request):
    form = RoundForm(
        posted(request),
        initial={"year": timezone.localtime(timezone.now(), HONG_KONG).year},
        editable=EDITABLE_DRAFT_FIELDS,
    )
    if form.is_valid():
        try:
            round_ = create_round(data=form.cleaned_data, by=request.user)
        except RoundError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(
                request,
                _("Round “%(title)s” created. Add its categories next.")
                % {"title": round_},
            )
            return redirect("manage:round_detail", pk=round_.pk)
    return render(
        request, "submissions/manage/round_form.html", {"form": form, "round": None}
    )


@of_round
def round_detail(request, round_):
    return _render_detail(request, round_)


@of_round
def round_edit(request, round_):
    is_draft = round_.state == RoundState.DRAFT
    editable = EDITABLE_DRAFT_FIELDS if is_draft else EDITABLE_ANY_STATE_FIELDS
    form = RoundForm(
        posted(request),
        initial=model_to_dict(round_, fields=editable),
        editable=editable,
        complete=not is_draft,
    )
    if form.is_valid():
        if not is_draft and set(request.POST) & (
            set(EDITABLE_DRAFT_FIELDS) - set(EDITABLE_ANY_STATE_FIELDS)
        ):
            # The round left its draft while the form was open (the schedule opened
            # it, or another staff member did).
            messages.warning(
                request,
                _(
                    "The round is no longer a draft: its dates and numbers were left "
                    "as they were. Only its texts can change here."
                ),
            )
        if not form.changed_values(round_):
            messages.info(request, _("Nothing changed."))
            return redirect("manage:round_detail", pk=round_.pk)
        was_scheduled = round_.is_scheduled
        try:
            round_ = update_round(round_, data=form.cleaned_data, by=request.user)
        except RoundError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, _("Changes saved."))
            if was_scheduled and not round_.is_scheduled:
                messages.warning(
                    request,
                    _(
                        "The round is no longer scheduled, as its dates changed or it "
                        "is no longer complete. Schedule it again when it is ready."
                    ),
                )
            return redirect("manage:round_detail", pk=round_.pk)
    return render(
        request, "submissions/manage/round_form.html", {"form": form, "round": round_}
    )


@action
def round_schedule(request, round_):
    _carry_out(
        request,
        round_,
        act=lambda: schedule_round(round_, by=request.user),
        is_done=lambda r: r.is_scheduled,
        done_message=lambda r: (
            _(
                "The round is scheduled: it opens by itself at %(opens)s, Hong Kong time."
            )
            % {"opens": hong_kong_time(r.opens_at)}
        ),
        already_message=lambda r: (
            _("The round was already scheduled to open at %(opens)s, Hong Kong time.")
            % {"opens": hong_kong_time(r.opens_at)}
        ),
    )
    return redirect("manage:round_detail", pk=round_.pk)


@action
def round_unschedule(request, round_):
    _carry_out(
        request,
        round_,
        act=lambda: unschedule_round(round_, by=request.user),
        is_done=lambda r: not r.is_scheduled,
        done_message=lambda r: _(
            "The round is no longer scheduled: it will not open by itself."
        ),
        already_message=lambda r: _("The round was not scheduled."),
    )
    return redirect("manage:round_detail", pk=round_.pk)


@action
def round_open(request, round_):
    _carry_out(
        request,
        round_,
        act=lambda: open_round_now(round_, by=request.user),
        is_done=lambda r: r.state == RoundState.OPEN,
        done_message=lambda r: (
            _("The round is open for entries until %(closes)s, Hong Kong time.")
            % {"closes": hong_kong_time(r.closes_at)}
        ),
        already_message=lambda r: _("The round is already open."),
    )
    return redirect("manage:round_detail", pk=round_.pk)


@action
def round_close(request, round_):
    form = CloseRoundForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, round_, close_form=form)
    done = _carry_out(
        request,
        round_,
        act=lambda: close_round_now(
            round_, by=request.user, reason=form.cleaned_data["reason"]
        ),
        is_done=lambda r: r.state == RoundState.CLOSED,
        done_message=lambda r: _("The round is closed: it takes no more entries."),
        already_message=lambda r: _("The round is already closed."),
    )
    if not done:
        return _render_detail(request, round_, close_form=form)
    return redirect("manage:round_detail", pk=round_.pk)


def _change_deadline(request, round_, *, service, form_name, done_text, already_text):
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, round_, **{form_name: form})
    closes_at = form.cleaned_data["closes_at"]
    done = _carry_out(
        request,
        round_,
        act=lambda: service(
            round_, closes_at, by=request.user, reason=form.cleaned_data["reason"]
        ),
        is_done=lambda r: r.state == RoundState.OPEN and r.closes_at == closes_at,
        done_message=lambda r: done_text % {"closes": hong_kong_time(r.closes_at)},
        already_message=lambda r: (
            already_text % {"closes": hong_kong_time(r.closes_at)}
        ),
    )
    if not done:
        return _render_detail(request, round_, **{form_name: form})
    return redirect("manage:round_detail", pk=round_.pk)


@action
def round_extend(request, round_):
    return _change_deadline(
        request,
        round_,
        service=extend_deadline,
        form_name="extend_form",
        done_text=_("The deadline is now %(closes)s, Hong Kong time."),
        already_text=_("The deadline is already %(closes)s, Hong Kong time."),
    )


@action
def round_reopen(request, round_):
    return _change_deadline(
        request,
        round_,
        service=reopen_round,
        form_name="reopen_form",
        done_text=_("The round is open again until %(closes)s, Hong Kong time."),
        already_text=_("The round is already open until %(closes)s, Hong Kong time."),
    )


def _category_form(request, round_, category):
    is_draft = round_.state == RoundState.DRAFT
    return CategoryForm(
        posted(request),
        category=category,
        editable=None if is_draft else CATEGORY_TEXT_FIELDS,
        complete=not is_draft,
    )


def _render_category_form(request, round_, category, form):
    return render(
        request,
        "submissions/manage/category_form.html",
        {
            "round": round_,
            "category": category,
            "form": form,
            "is_draft": round_.state == RoundState.DRAFT,
        },
    )


def _save_category_form(request, round_, category, *, done_text):
    """Save the category form through the service; the round's page on success,
    the form again (with what was typed) otherwise."""
    existing = category if category.pk else None
    form = _category_form(request, round_, category)
    if form.is_valid():
        if existing and not form.changed_values(category):
            messages.info(request, _("Nothing changed."))
            return redirect("manage:round_detail", pk=round_.pk)
        try:
            save_category(category, data=form.cleaned_data, by=request.user)
        except RoundError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, done_text % {"name": category})
            return redirect("manage:round_detail", pk=round_.pk)
    return _render_category_form(request, round_, existing, form)


@of_round
def category_create(request, round_):
    if round_.state != RoundState.DRAFT:
        messages.error(request, CATEGORIES_ADDED_IN_DRAFT)
        return redirect("manage:round_detail", pk=round_.pk)
    return _save_category_form(
        request,
        round_,
        Category(round=round_),
        done_text=_("Category “%(name)s” added."),
    )


@of_round
def category_edit(request, round_, category_pk):
    category = get_object_or_404(Category, pk=category_pk, round=round_)
    return _save_category_form(
        request, round_, category, done_text=_("Category “%(name)s” saved.")
    )


@of_round
def category_delete(request, round_, category_pk):
    category = Category.objects.filter(pk=category_pk, round=round_).first()
    if category is None:
        if request.method == "POST":
            # A second click on "Remove", after the first removed it.
            messages.info(request, _("The category was already removed."))
            return redirect("manage:round_detail", pk=round_.pk)
        raise Http404
    if round_.state != RoundState.DRAFT:
        messages.error(request, CATEGORIES_REMOVED_IN_DRAFT)
        return redirect("manage:round_detail", pk=round_.pk)
    if request.method == "POST":
        name = str(category)
        try:
            delete_category(category, by=request.user)
        except RoundError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(
                request, _("Category “%(name)s” removed.") % {"name": name}
            )
        return redirect("manage:round_detail", pk=round_.pk)
    return render(
        request,
        "submissions/manage/category_confirm_delete.html",
        {"round": round_, "category": category},
    )
