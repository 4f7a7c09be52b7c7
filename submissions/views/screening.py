"""Staff pages of screening: the queue of a closed round's entries with filters and
bulk decisions, one entry at a time with the keyboard, the release of the results,
and the reason templates. Decisions go through ``services.screening``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.templatetags.portal import colon
from submissions.enums import (
    FileState,
    GuardianState,
    MediaKind,
    RoundState,
    ScreeningState,
)
from submissions.errors import ScreeningError
from submissions.forms_screening import (
    BulkScreeningForm,
    ScreeningDecisionForm,
    ScreeningFilterForm,
    ScreeningReasonForm,
)
from submissions.models import Round, ScreeningReason
from submissions.rules import DOWNLOADABLE_STATES
from submissions.selectors.screening import (
    screening_entries,
    with_details,
    with_flags,
)
from submissions.services.eligibility import age_at, closing_day
from submissions.services.screening import (
    release_screening,
    save_screening_reason,
    screen_entries,
    screening_counts,
    set_content_warning,
    set_screening,
)
from submissions.views.files import prepare_files

PAGE_SIZE = 50
LONG_TEXTS = ("statement", "text_work", "consent_notes")
SHORTCUTS = gettext_lazy(
    "Keyboard, outside the text fields: %(e)s eligible, %(i)s not eligible (with "
    "the reason chosen or written), %(j)s next entry, %(k)s previous entry."
)


def _shortcuts():
    """The keyboard shortcuts of the entry page, each key shown as a key."""
    keys = {name: format_html("<kbd>{}</kbd>", name.upper()) for name in "eijk"}
    return mark_safe(conditional_escape(SHORTCUTS) % keys)  # noqa: S308 (escaped)


of_round = permission_required(
    "submissions.screen_entries",
    obj=lookup(Round.objects.prefetch_related("categories")),
    hidden=False,
)
staff_only = permission_required("submissions.screen_entries")


def _filters(request, round_):
    form = ScreeningFilterForm(request.GET or None, round_=round_)
    return form, form.filters()


def _query(request, *, page=True):
    """The queue's filters (and page) as a query string, to carry along."""
    names = ("category", "screening", "flag", "problems", *(("page",) if page else ()))
    return urlencode(
        {name: request.GET[name] for name in names if request.GET.get(name)}
    )


def _labels():
    """The words of the queue's rows, translated once for a page of rows."""
    return {
        "age": colon(_("Age at the deadline")),
        "consents": colon(_("Consents")),
        "original_terms": _("original work, terms"),
        "incomplete": _("incomplete"),
        "website": _("website"),
        "exhibition": _("exhibition"),
        "guardian": colon(_("Guardian")),
        "filed": colon(_("Filed by a caseworker")),
        "content_warning": _("Content warning"),
        "duplicate": _("Possible duplicate"),
        "typed": _("Typed into the form"),
        "thumbnail": _("Thumbnail"),
    }


def _rows(entries, round_):
    """The entries of a page with their flags, the entrant's age at the round's
    closing date, and the labels of their states (each translated once)."""
    day = closing_day(round_)
    screenings = {state: str(state.label) for state in ScreeningState}
    guardians = {state: str(state.label) for state in GuardianState}
    kinds = {kind: str(kind.label) for kind in MediaKind}
    states = {state: str(state.label) for state in FileState}
    # Addresses of a row, reversed once: the IDs change, not the routes.
    screen_url = reverse("manage:screening_entry", args=[round_.pk, 0])
    thumb_url = reverse("file_view", args=[0, "thumb"])
    for entry in with_flags(entries):
        entry.screen_url = _with_id(screen_url, entry.pk)
        birth = entry.date_of_birth
        entry.age = age_at(birth, day) if birth is not None else None
        entry.screening_label = screenings[entry.screening]
        entry.guardian_label = guardians[entry.guardian_state]
        for file in entry.file_list:
            file.kind_label = kinds[file.kind]
            file.state_label = states[file.state]
            file.thumb_url = _with_id(thumb_url, file.pk)
    return entries


def _with_id(url, pk):
    """``url`` reversed with the ID 0, for the object ``pk``."""
    head, _zero, tail = url.rpartition("/0/")
    return f"{head}/{pk}/{tail}"


def _round_context(round_):
    counts = screening_counts(round_)
    return {
        "round": round_,
        "counts": [(state, counts[state]) for state in ScreeningState],
        "unscreened": counts[ScreeningState.UNSCREENED],
        "total": sum(counts.values()),
        "is_screenable": round_.state == RoundState.CLOSED,
    }


@of_round
def screening_queue(request, round_):
    form, filters = _filters(request, round_)
    # The list shows neither the statement nor the work as text (up to 70,000
    # characters an entry): they are left in the database.
    entries = screening_entries(round_, **filters).defer(*LONG_TEXTS)
    page = Paginator(with_details(entries), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **_round_context(round_),
        "filter_form": form,
        "page": page,
        "entries": _rows(list(page.object_list), round_),
        "bulk_form": BulkScreeningForm(),
        "query": _query(request),
        "filters": _query(request, page=False),
        "labels": _labels(),
    }
    return render(request, "submissions/manage/screening/queue.html", context)


def _skipped_message(outcome):
    return format_html(
        '{}<ul class="mb-0 mt-2">{}</ul>',
        _("Skipped:"),
        format_html_join(
            "", "<li>{}: {}</li>", ((ref, why) for ref, why in outcome.skipped)
        ),
    )


@require_POST
@of_round
def screening_bulk(request, round_):
    form = BulkScreeningForm(request.POST)
    back = reverse("manage:screening", args=[round_.pk])
    if request.POST.get("query"):
        back = f"{back}?{request.POST['query']}"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    try:
        outcome = screen_entries(
            round_,
            data["entries"],
            data["decision"],
            by=request.user,
            template=data["template"],
            text=data["text"],
        )
    except ScreeningError as error:
        messages.error(request, error.message)
        return redirect(back)
    if outcome.done:
        messages.success(
            request,
            _("%(count)s entries marked “%(decision)s”.")
            % {
                "count": len(outcome.done),
                "decision": ScreeningState(data["decision"]).label,
            },
        )
    if outcome.skipped:
        messages.warning(request, _skipped_message(outcome))
    return redirect(back)


def _neighbours(request, round_, entry):
    """The entries before and after ``entry`` in the queue as filtered."""
    _form, filters = _filters(request, round_)
    ids = list(screening_entries(round_, **filters).values_list("pk", flat=True))
    if entry.pk not in ids:
        return None, None, None, len(ids)
    index = ids.index(entry.pk)
    previous = ids[index - 1] if index else None
    following = ids[index + 1] if index + 1 < len(ids) else None
    return previous, following, index + 1, len(ids)


def _decision_form(entry, data=None):
    return ScreeningDecisionForm(
        data,
        initial={
            "seen": entry.screening,
            "content_warning": entry.content_warning,
            "content_warning_note": entry.content_warning_note,
        },
    )


def _decide(request, entry, form):
    """Save a decision; True when saved. A colleague's decision made meanwhile is
    shown instead of overwritten."""
    data = form.cleaned_data
    try:
        set_screening(
            entry,
            data["decision"],
            by=request.user,
            template=data["template"],
            text=data["text"],
            seen=data["seen"],
        )
        set_content_warning(
            entry,
            warning=data["content_warning"],
            note=data["content_warning_note"],
            by=request.user,
        )
    except ScreeningError as error:
        form.add_error(None, error.message)
        if error.current is not None:
            entry.refresh_from_db()
        return False
    return True


@of_round
def screening_entry(request, round_, entry_pk):
    entries = with_details(screening_entries(round_))
    entry = get_object_or_404(entries, pk=entry_pk)
    previous, following, position, count = _neighbours(request, round_, entry)
    query = _query(request)
    form = _decision_form(entry)
    if request.method == "POST":
        form = _decision_form(entry, request.POST)
        if form.is_valid() and _decide(request, entry, form):
            messages.success(
                request,
                _("%(reference)s: “%(decision)s” saved.")
                % {
                    "reference": entry.reference,
                    "decision": entry.get_screening_display(),
                },
            )
            target = following if request.POST.get("next") and following else entry.pk
            url = reverse("manage:screening_entry", args=[round_.pk, target])
            return redirect(f"{url}?{query}" if query else url)
        entry = get_object_or_404(entries, pk=entry_pk)
        # Keep what was typed, but decide again from what the entry holds now.
        form.data = form.data.copy()
        form.data["seen"] = entry.screening
    _rows([entry], round_)
    prepare_files(entry.file_list, entry)
    context = {
        **_round_context(round_),
        "entry": entry,
        "form": form,
        "previous": previous,
        "following": following,
        "position": position,
        "count": count,
        "query": query,
        "shortcuts": _shortcuts(),
        "original_states": DOWNLOADABLE_STATES,
        "labels": _labels(),
    }
    return render(request, "submissions/manage/screening/entry.html", context)


@require_POST
@of_round
def screening_release(request, round_):
    back = redirect("manage:screening", pk=round_.pk)
    if round_.screening_released_at is not None:
        messages.info(request, _("The screening results were released already."))
        return back
    try:
        release_screening(round_, by=request.user)
    except ScreeningError as error:
        messages.error(request, error.message)
        return back
    messages.success(
        request,
        _(
            "The screening results were released: every entrant is being told by "
            "e-mail, and sees the outcome on their entries page."
        ),
    )
    return back


@staff_only
def reason_list(request):
    return render(
        request,
        "submissions/manage/screening/reasons.html",
        {"reasons": ScreeningReason.objects.all()},
    )


@staff_only
def reason_edit(request, pk=None):
    reason = get_object_or_404(ScreeningReason, pk=pk) if pk else None
    initial = {}
    if reason is not None:
        initial = {
            name: getattr(reason, name)
            for name in ("text_en", "text_zh_hant", "position", "is_active")
        }
    form = ScreeningReasonForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if form.is_valid():
        saved = save_screening_reason(reason, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Reason saved: “%(text)s”.") % {"text": saved.text})
        return redirect("manage:screening_reasons")
    return render(
        request,
        "submissions/manage/screening/reason_form.html",
        {"form": form, "reason": reason},
    )
