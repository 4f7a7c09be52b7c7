"""The entrant's pages: enter a work, keep it as a draft, submit it, withdraw it and
print its receipt.

Each view finds the entry and checks it against the person asking (a foreign entry
is a 404, whether it exists or not), validates with a form and calls the services
in ``submissions.services``, which decide what a round and an entry's state allow.
A refusal re-renders the form with what was typed, so nothing is lost.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.decorators import login_required_for_forms
from artsprize.common.form_fields import HONG_KONG
from artsprize.common.pages import posted
from submissions import storage
from submissions.enums import EntryState, FileState, GuardianState, MediaKind
from submissions.errors import EntryError
from submissions.forms_entries import (
    CONSENT_FIELDS,
    ENTRY_FIELDS,
    EntryForm,
    PublicUseForm,
    TeamFormSet,
    WithdrawForm,
    team_initial,
)
from submissions.models import ArtworkFile, Entry, Round
from submissions.rules import entry_is_editable, round_takes_entries
from submissions.selectors import entries_for_entrant, with_thumbnails
from submissions.selectors.credits import public_credit
from submissions.services.completeness import statement_problem, submission_problems
from submissions.services.eligibility import (
    ADULT_AGE,
    eligible_categories,
    entrant_age,
    needs_guardian,
)
from submissions.services.entries import (
    create_entry,
    set_image_description,
    set_team_members,
    submit_entry,
    update_entry,
    withdraw_entry,
)
from submissions.services.file_types import accepted_types
from submissions.services.guardians import resend_guardian_mail
from submissions.services.public_use import (
    NOT_SUBMITTED,
    PUBLIC_USE_FIELDS,
    set_public_uses,
)
from submissions.services.uploads import MIN_PART_SIZE
from submissions.views.files import ROUND_TEXTS, prepare_files

TEAM_PREFIX = "team"


def _time(moment):
    return formats.time_format(timezone.localtime(moment, HONG_KONG), "TIME_FORMAT")


def _warn_of_statement(request, entry):
    """A draft keeps a statement over the word limit; only submitting refuses it."""
    if entry.state != EntryState.DRAFT:
        return
    problem = statement_problem(entry.statement, entry.category)
    if problem:
        messages.warning(
            request,
            _("%(problem)s Shorten it before you submit the entry.")
            % {"problem": problem},
        )


# The entry a URL names, checked against the person asking with the permission each
# view declares: only its entrant, or the caseworker who filed it, reaches it. The
# filer is read only for the entries a caseworker filed, where the page names them.
_ENTRY = Entry.objects.select_related("round", "category", "entrant__profile").defer(
    *(f"round__{name}" for name in ROUND_TEXTS)
)
_entry_in_url = lookup(_ENTRY)
# The same, with what the edit page reads of it fetched at once: the files (with
# their thumbnails) and the team, each read once per request.
_entry_with_parts_in_url = lookup(
    _ENTRY.prefetch_related(
        Prefetch("files", queryset=with_thumbnails(ArtworkFile.objects.all())),
        "team_members",
    )
)
# A submission holds the entry's row, locked as it is found, for the request's one
# transaction: the form, the checks and the submission see the same row, and its
# files and team, read once under the lock. It shows no thumbnail unless it is
# refused (then _files_of reads them).
_entry_to_submit_in_url = lookup(
    _ENTRY.select_for_update(of=("self",)).prefetch_related("files", "team_members")
)


def _artist_of(request, entry):
    """The artist a caseworker is filing for, or None when the entrant is at the
    screen; the pages speak of the artist and lead back to the caseworker's."""
    return entry.entrant if request.user.pk != entry.entrant_id else None


def _entries_page(request, entry):
    artist = _artist_of(request, entry)
    if artist is None:
        return redirect("my_entries")
    return redirect("caseworker:artist", pk=artist.pk)


def _files_of(entry):
    """The entry's files with their thumbnails: those fetched with the entry, or
    read now when they were fetched without them or the entry was read again."""
    fetched = getattr(entry, "_prefetched_objects_cache", {}).get("files")
    if fetched is not None and all(hasattr(file, "thumbs") for file in fetched):
        return list(fetched)
    return list(with_thumbnails(entry.files.all()))


def _image_files(entry):
    return [
        file
        for file in entry.files.all()
        if file.kind == MediaKind.IMAGE and file.state != FileState.REJECTED
    ]


def _entry_forms(request, entry, data=None):
    """The entry's form and, when it has or may have a team, the team's formset."""
    form = EntryForm(
        data,
        categories=eligible_categories(entry.round, entrant=entry.entrant)
        or [entry.category],
        category=entry.category,
        needs_guardian=needs_guardian(entry),
        filed_by_caseworker=bool(entry.filed_by_id),
        image_files=_image_files(entry),
        entrant=entry.entrant,
        on_behalf=request.user.pk != entry.entrant_id,
        initial={
            "category": entry.category_id,
            **{name: getattr(entry, name) for name in ENTRY_FIELDS},
        },
    )
    if entry.state != EntryState.DRAFT:
        # The services keep a submitted entry in its category; the form shows so.
        form.fields["category"].disabled = True
    members = team_initial(entry)
    formset = None
    if entry.category.allows_teams or members:
        formset = TeamFormSet(data, prefix=TEAM_PREFIX, initial=members)
    return form, formset


def _locked_message(entry):
    if entry.state == EntryState.WITHDRAWN:
        return _("This entry was withdrawn: it can no longer be changed.")
    if entry.round.closes_at and entry.round.closes_at <= timezone.now():
        return _("The deadline has passed: the entry can no longer be changed.")
    return _("This round is not taking entries now: the entry cannot be changed.")


def _checklist(entry, editable):
    """What a draft still needs to be submitted; nothing for any other entry."""
    if entry.state == EntryState.DRAFT and editable:
        return submission_problems(entry)
    return []


def _render_entry(
    request, entry, form, formset, *, problems=None, title=None, checklist=False
):
    """The edit page. ``problems`` (a refusal's) replace what is missing to submit;
    ``checklist`` says that they are what is missing to submit, as after a refused
    submission."""
    editable = entry_is_editable(request.user, entry)
    # A refused post keeps showing what was typed, to be copied elsewhere.
    if not editable and not form.is_bound:
        form.lock()
        if formset is not None:
            for member_form in formset:
                for field in member_form.fields.values():
                    field.disabled = True
    if problems is None:
        problems = _checklist(entry, editable)
        checklist = True
    checklist_url = ""
    if checklist and entry.state == EntryState.DRAFT and editable:
        checklist_url = reverse("entry_edit", args=[entry.pk]) + "?part=checklist"
    files = prepare_files(_files_of(entry), entry)
    return render(
        request,
        "submissions/entries/entry_form.html",
        {
            "round": entry.round,
            "entry": entry,
            "artist": _artist_of(request, entry),
            "form": form,
            "team_formset": formset,
            "files": files,
            "problems": problems,
            "problems_title": title,
            "checklist_url": checklist_url,
            "editable": editable,
            "can_replace": any(
                file.state == FileState.REJECTED
                and request.user.has_perm("submissions.replace_file", file)
                for file in files
            ),
            "locked_message": "" if editable else _locked_message(entry),
            "can_submit": editable and entry.state == EntryState.DRAFT,
            "can_resend_guardian": entry.state == EntryState.SUBMITTED
            and entry.guardian_state == GuardianState.PENDING,
            "resumable_above": MIN_PART_SIZE,
            "accepted_types": accepted_types(entry.category),
        },
    )


def _render_refusal(request, entry, form, formset, error, *, title, checklist=False):
    """The edit page after a service refused: what was typed, and the reasons
    under ``title`` when the refusal lists them."""
    return _render_entry(
        request,
        entry,
        form,
        formset,
        problems=error.problems,
        title=title if error.problems else None,
        checklist=checklist,
    )


def _save(request, entry, form, formset, *, held=False):
    """Save what the form holds through the services; EntryError if one refuses.

    The entry's fields, its team and the images' descriptions are saved one after
    the other, so a refusal of one keeps what was saved before it. ``held``:
    ``entry`` is the row the request's transaction has locked.
    """
    data = form.entry_data()
    data["category"] = form.cleaned_data["category"]
    update_entry(entry, data=data, by=request.user, held=held)
    if formset is not None:
        members = formset.members()
        if members != team_initial(entry):
            set_team_members(entry, members=members, by=request.user, held=held)
    for file, alt_text in form.changed_alt_texts():
        set_image_description(file, alt_text=alt_text, by=request.user, held=held)


@login_required
def my_entries(request):
    now = timezone.now()
    items = [
        {
            "entry": entry,
            "files": prepare_files(list(entry.files.all()), entry),
            "editable": entry_is_editable(request.user, entry, now=now),
            "withdrawable": entry.state != EntryState.WITHDRAWN,
        }
        for entry in entries_for_entrant(request.user)
    ]
    return render(request, "submissions/entries/my_entries.html", {"items": items})


def _cannot_enter(request, round_, reason, *, show_profile_link=False, artist=None):
    return render(
        request,
        "submissions/entries/cannot_enter.html",
        {
            "round": round_,
            "reason": reason,
            "show_profile_link": show_profile_link,
            "artist": artist,
        },
    )


def _entrant_for(request):
    """Whom a new entry is for: the signed-in entrant, or, for a caseworker, an
    artist they registered (``?artist=<pk>``)."""
    artist_id = request.GET.get("artist", "")
    if not artist_id:
        return request.user
    artist = (
        get_user_model().objects.select_related("profile").filter(pk=artist_id).first()
        if artist_id.isascii() and artist_id.isdigit()
        else None
    )
    if artist is None or not request.user.has_perm("accounts.file_for_artist", artist):
        raise Http404
    return artist


@login_required_for_forms
@permission_required(
    "submissions.view_round",
    obj=lookup(Round.objects.prefetch_related("categories"), url_kwarg="round_pk"),
)
def entry_create(request, round_):
    entrant = _entrant_for(request)
    if not round_takes_entries(request.user, round_):
        return _cannot_enter(
            request, round_, _("This round is not taking entries now.")
        )
    age = entrant_age(round_, entrant=entrant)
    if age is None:
        return _cannot_enter(
            request,
            round_,
            _(
                "To enter a work, your account needs an entrant profile with your "
                "date of birth."
            ),
            show_profile_link=True,
        )
    categories = eligible_categories(round_, entrant=entrant)
    if not categories and entrant != request.user:
        return _cannot_enter(
            request,
            round_,
            _(
                "None of this round's categories is open to the artist: their age at "
                "the deadline does not fit the categories' age limits."
            ),
            artist=entrant,
        )
    if not categories:
        return _cannot_enter(
            request,
            round_,
            _(
                "None of this round's categories is open to you: your age at the "
                "deadline does not fit their age limits."
            ),
        )
    form = EntryForm(
        posted(request),
        categories=categories,
        needs_guardian=age < ADULT_AGE,
        entrant=entrant,
        on_behalf=entrant != request.user,
        initial={"category": categories[0].pk} if len(categories) == 1 else {},
    )
    if form.is_valid():
        data = form.entry_data()
        try:
            entry = create_entry(
                round_,
                entrant=entrant,
                category=form.cleaned_data["category"],
                data=data,
                by=request.user,
            )
        except EntryError as error:
            messages.error(request, error.message)
            return _render_new(
                request, round_, form, problems=error.problems, entrant=entrant
            )
        messages.success(
            request,
            _(
                "Draft saved at %(time)s (Hong Kong time). Now add the files of your work."
            )
            % {"time": _time(entry.created_at)},
        )
        _warn_of_statement(request, entry)
        return redirect("entry_edit", pk=entry.pk)
    return _render_new(request, round_, form, entrant=entrant)


def _render_new(request, round_, form, *, problems=None, entrant):
    return render(
        request,
        "submissions/entries/entry_form.html",
        {
            "round": round_,
            "entry": None,
            "artist": entrant if entrant != request.user else None,
            "form": form,
            "team_formset": None,
            "problems": problems,
            "problems_title": _("The draft could not be saved:") if problems else None,
            "editable": True,
            "can_submit": False,
        },
    )


@login_required_for_forms
@permission_required("submissions.change_entry", obj=_entry_with_parts_in_url)
def entry_edit(request, entry):
    if request.method != "POST" and request.GET.get("part") == "checklist":
        return render(
            request,
            "submissions/entries/_problems.html",
            {"problems": _checklist(entry, entry_is_editable(request.user, entry))},
        )
    form, formset = _entry_forms(request, entry, posted(request))
    if request.method != "POST":
        return _render_entry(request, entry, form, formset)
    if not entry_is_editable(request.user, entry):
        messages.error(request, _locked_message(entry))
        return redirect("entry_edit", pk=entry.pk)
    if not (form.is_valid() and (formset is None or formset.is_valid())):
        return _render_entry(request, entry, form, formset)
    try:
        _save(request, entry, form, formset)
    except EntryError as error:
        messages.error(request, error.message)
        return _render_refusal(
            request, entry, form, formset, error, title=_("Not saved:")
        )
    if entry.state == EntryState.SUBMITTED:
        text = _(
            "Changes saved at %(time)s (Hong Kong time). The entry stays submitted."
        )
    else:
        text = _("Draft saved at %(time)s (Hong Kong time).")
    messages.success(request, text % {"time": _time(timezone.now())})
    _warn_of_statement(request, entry)
    return redirect("entry_edit", pk=entry.pk)


@login_required_for_forms
@transaction.atomic
@permission_required("submissions.change_entry", obj=_entry_to_submit_in_url)
def entry_submit(request, entry):
    """Save what the form holds, then submit, in one transaction that locks the
    entry once. A second click waits for the first, finds the entry submitted and
    shows its receipt; a refusal shows the form with the reasons, and keeps what
    was saved before it."""
    if request.method != "POST":
        return redirect("entry_edit", pk=entry.pk)
    if entry.state == EntryState.SUBMITTED:
        messages.info(request, _("This entry has already been submitted."))
        return redirect("entry_receipt", pk=entry.pk)
    if entry.state == EntryState.WITHDRAWN:
        messages.error(request, _locked_message(entry))
        return redirect("my_entries")
    form, formset = _entry_forms(request, entry, request.POST)
    if not entry_is_editable(request.user, entry):
        # Nothing may be saved after the deadline; the service says why the draft
        # stays a draft, and the form still shows what was typed.
        return _submit(request, entry, form, formset, act=_submit_held)
    if not (form.is_valid() and (formset is None or formset.is_valid())):
        messages.error(
            request,
            _("The entry was not submitted: please correct the fields marked below."),
        )
        return _render_entry(request, entry, form, formset)

    def save_and_submit(entry, *, by):
        _save(request, entry, form, formset, held=True)
        submit_entry(entry, by=by, held=True)

    return _submit(request, entry, form, formset, act=save_and_submit)


def _submit_held(entry, *, by):
    submit_entry(entry, by=by, held=True)


def _submit(request, entry, form, formset, *, act):
    """Run ``act`` (which submits); show the receipt, or the form with why not."""
    try:
        act(entry, by=request.user)
    except EntryError as error:
        entry.refresh_from_db()
        if entry.state == EntryState.SUBMITTED:
            messages.info(request, _("This entry has already been submitted."))
            return redirect("entry_receipt", pk=entry.pk)
        messages.error(request, error.message)
        return _render_refusal(
            request,
            entry,
            form,
            formset,
            error,
            title=_("To submit this entry, it still needs:"),
            checklist=True,
        )
    messages.success(
        request,
        _("Your entry was submitted. Its reference is %(reference)s.")
        % {"reference": entry.reference},
    )
    return redirect("entry_receipt", pk=entry.pk)


@permission_required("submissions.change_entry", obj=_entry_in_url)
def entry_withdraw(request, entry):
    if entry.state == EntryState.WITHDRAWN:
        messages.info(request, _("This entry has already been withdrawn."))
        return _entries_page(request, entry)
    form = WithdrawForm(posted(request))
    if form.is_valid():
        try:
            withdraw_entry(entry, by=request.user, reason=form.cleaned_data["reason"])
        except EntryError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The entry “%(title)s” was withdrawn.")
                % {"title": entry.title or _("(untitled)")},
            )
            return _entries_page(request, entry)
    return render(
        request,
        "submissions/entries/withdraw.html",
        {"entry": entry, "artist": _artist_of(request, entry), "form": form},
    )


@permission_required("submissions.change_entry", obj=_entry_in_url)
def entry_public_use(request, entry):
    if entry.state != EntryState.SUBMITTED:
        messages.info(request, str(NOT_SUBMITTED))
        return redirect("entry_edit", pk=entry.pk)
    initial = {name: getattr(entry, name) for name in PUBLIC_USE_FIELDS}
    form = PublicUseForm(posted(request), initial=initial)
    if form.is_valid():
        try:
            changed = set_public_uses(entry, data=form.cleaned_data, by=request.user)
        except EntryError as error:
            messages.error(request, error.message)
        else:
            if changed:
                messages.success(request, _("The public use of the work is saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return _entries_page(request, entry)
    return render(
        request,
        "submissions/entries/public_use.html",
        {"entry": entry, "artist": _artist_of(request, entry), "form": form},
    )


@permission_required("submissions.change_entry", obj=_entry_in_url)
def entry_receipt(request, entry):
    if entry.state != EntryState.SUBMITTED:
        messages.info(
            request, _("A receipt is given once the entry has been submitted.")
        )
        return redirect("entry_edit", pk=entry.pk)
    consents = [
        Entry._meta.get_field(name).verbose_name
        for name in CONSENT_FIELDS
        if getattr(entry, name)
    ]
    return render(
        request,
        "submissions/entries/receipt.html",
        {
            "entry": entry,
            "artist": _artist_of(request, entry),
            "files": entry.files.order_by("position", "id"),
            "team_members": entry.team_members.all(),
            "consents": consents,
            "credit": public_credit(entry),
        },
    )


@permission_required("submissions.change_entry", obj=_entry_in_url)
def entry_guardian_resend(request, entry):
    if request.method == "POST":
        try:
            resend_guardian_mail(entry, by=request.user)
        except EntryError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The confirmation e-mail was sent to %(email)s again.")
                % {"email": entry.guardian_email},
            )
    return redirect("entry_edit", pk=entry.pk)


@permission_required(
    "submissions.download_file",
    obj=lookup(ArtworkFile.objects.select_related("entry")),
)
def file_download(request, artwork_file):
    """An original file, from storage, as a download (never shown as a page)."""
    return redirect(
        storage.presign_download(
            artwork_file.key,
            filename=artwork_file.original_name,
            content_type=artwork_file.content_type,
        )
    )
