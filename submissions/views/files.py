"""An entrant's view of their files while and after they are processed: the
status the page polls, and the clean copies (never the original) shown inline."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from artsprize.accounts.permissions import permission_required
from artsprize.common.templatetags.portal_forms import bootstrap_field
from artsprize.common.views import json_endpoint, json_error, method_not_allowed
from submissions import storage
from submissions.blind import JUDGE_COPY_KINDS
from submissions.enums import DerivativeKind, EntryState, FileState, MediaKind
from submissions.forms_entries import DescriptionForm
from submissions.models import ArtworkFile, Derivative
from submissions.rules import entry_is_editable
from submissions.selectors import with_thumbnails
from submissions.services.completeness import submission_problems
from submissions.services.refusals import rejection_message

# How many files one status request may ask about.
MAX_STATUS_FILES = 50
# Derivatives an entrant's pages may show, by the name in the URL.
VIEWABLE_KINDS = {
    DerivativeKind.THUMB,
    DerivativeKind.PREVIEW,
    DerivativeKind.POSTER,
    DerivativeKind.WAVEFORM,
    DerivativeKind.VIDEO,
    DerivativeKind.AUDIO,
    DerivativeKind.PAGE,
    DerivativeKind.DOCUMENT,
}
# The presigned URL behind a redirect lives S3_PRESIGN_SECONDS; the browser may
# keep the redirect for a part of that.
REDIRECT_MAX_AGE = 60


def prepare_files(files, entry):
    """Give each file of ``entry`` (fetched with selectors.with_thumbnails) what
    _file_item.html shows besides the permissions it asks itself."""
    for file in files:
        file.entry = entry
        file.judge_copy = (
            JUDGE_COPY_KINDS.get(file.kind, "") if file.state == FileState.READY else ""
        )
        file.status_message = (
            rejection_message(file.reason)
            if file.state in (FileState.REJECTED, FileState.FAILED) and file.reason
            else ""
        )
    return files


FILE_WITH_ENTRY = ("entry__round", "entry__category", "entry__entrant__profile")
# The round's theme and rules (up to 40,000 characters) are shown on the call for
# entries and to staff, never on an entry's pages, its files or its mails: the
# lookups of an entry or a file leave them out.
ROUND_TEXTS = ("theme_en", "theme_zh_hant", "rules_en", "rules_zh_hant")
FILE_WITHOUT = tuple(f"entry__round__{name}" for name in ROUND_TEXTS)


def page_parts(request, file):
    """What the entry's page shows anew once a file's upload completed, so that it
    asks for nothing more: the file's list item (``html``, as ``file_status``
    gives it); for a draft, what it still needs to be submitted (``checklist``);
    and while the entry may change, an image's description field
    (``description``, empty for other files), which the page adds to the entry's
    form without a save and a reload. ``file``: as the completion left it, with
    the relations ``FILE_WITH_ENTRY`` names, or its primary key to read it."""
    if not isinstance(file, ArtworkFile):
        file = (
            ArtworkFile.objects.select_related(*FILE_WITH_ENTRY)
            .defer(*FILE_WITHOUT)
            .get(pk=file)
        )
    # Only a ready file shows its thumbnail; one just uploaded has none yet.
    file.thumbs = (
        list(with_thumbnails(ArtworkFile.objects.filter(pk=file.pk)).get().thumbs)
        if file.state == FileState.READY
        else []
    )
    entry = file.entry
    prepare_files([file], entry)
    parts = {
        "html": render_to_string(
            "submissions/entries/_file_item.html", {"file": file}, request
        )
    }
    if not entry_is_editable(request.user, entry):
        return parts
    if entry.state == EntryState.DRAFT:
        parts["checklist"] = render_to_string(
            "submissions/entries/_problems.html",
            {"problems": submission_problems(entry)},
            request,
        )
    parts["description"] = ""
    if file.kind == MediaKind.IMAGE and file.state != FileState.REJECTED:
        form = DescriptionForm(file)
        parts["description"] = bootstrap_field(form[form.name])
    return parts


@json_endpoint
def file_status(request):
    """The current state of the asking person's files, each as the list item the
    page shows: ``?file=1&file=2``. Files of other people are left out. Errors are
    JSON, like the upload API's."""
    if request.method != "GET":
        return method_not_allowed("GET")
    if not request.user.is_authenticated:
        return json_error(
            "login_required",
            _("Your session has ended. Please sign in again."),
            status=403,
        )
    ids = [
        int(value)
        for value in request.GET.getlist("file")[:MAX_STATUS_FILES]
        if value.isdigit()
    ]
    files = with_thumbnails(
        ArtworkFile.objects.filter(pk__in=ids).select_related(
            "entry__round", "entry__category"
        )
    )
    answer = []
    for file in files:
        if not request.user.has_perm("submissions.change_entry", file):
            continue
        prepare_files([file], file.entry)
        answer.append(
            {
                "id": file.pk,
                "state": file.state,
                "label": str(file.get_state_display()),
                "html": render_to_string(
                    "submissions/entries/_file_item.html", {"file": file}, request
                ),
            }
        )
    response = JsonResponse({"files": answer})
    response["Cache-Control"] = "no-store"
    return response


def _copy_in_url(kwargs):
    """The clean copy a URL names (``thumb``, ``preview``, ``page-2``...) of a file
    that is ready, or None."""
    kind, _, number = kwargs.pop("name").partition("-")
    if kind not in VIEWABLE_KINDS or (number and not number.isdigit()):
        return None
    return (
        Derivative.objects.select_related("artwork_file__entry")
        .filter(
            artwork_file_id=kwargs.pop("pk"),
            artwork_file__state=FileState.READY,
            kind=kind,
            index=int(number or 0),
        )
        .first()
    )


@require_GET
@permission_required("submissions.view_file_copy", obj=_copy_in_url)
def file_view(request, derivative):
    """A clean copy of a file, shown inline through a short-lived URL. The original
    is only ever a download."""
    response = redirect(
        storage.presign_view(derivative.key, content_type=derivative.content_type)
    )
    response["Cache-Control"] = f"private, max-age={REDIRECT_MAX_AGE}"
    return response
