"""The upload API: JSON in and out, for the browser's upload client.

Session authentication; every change is a POST carrying the CSRF token in the
X-CSRFToken header. Errors are ``{"error": code, "message": translated text}``.
Each person may make ``UPLOAD_API_RATE_PER_MINUTE`` calls a minute (120 unless the
setting says otherwise), counted in the cache; while the cache is down the calls
go through. Every error is JSON, also a store that cannot be reached (503
``storage_unavailable``) and what is raised outside these views (see
artsprize.common.views).
"""

import json
import logging
import time
from functools import wraps

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from artsprize.common.selectors import row_or_none
from artsprize.common.views import json_endpoint, json_error, method_not_allowed
from submissions.errors import UploadError
from submissions.models import ArtworkFile, Entry
from submissions.services import uploads
from submissions.views.files import FILE_WITH_ENTRY, FILE_WITHOUT, page_parts

logger = logging.getLogger(__name__)


class _CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check, answering with the reason instead of a page, so
    that the browser's client gets JSON."""

    def _reject(self, request, reason):
        return reason


# The HTTP status of each refusal of the upload services; any other is 400 (the
# request cannot be done as it is).
STATUS = {
    "not_found": 404,
    "too_large": 413,
    "storage_unavailable": 503,
    **dict.fromkeys(
        (
            "already_uploaded",
            "entry_withdrawn",
            "not_in_progress",
            "not_multipart",
            "not_removable",
            "not_replaceable",
            "not_uploaded",
            "parts_mismatch",
            "parts_missing",
            "round_closed",
            "round_not_open",
            "too_many_bytes",
            "too_many_files",
            "too_many_uploads",
            "upload_expired",
        ),
        409,
    ),
}


def _refused(error):
    return json_error(error.code, error.message, status=STATUS.get(error.code, 400))


def _csrf_failure(request):
    return _CsrfCheck(lambda request: None).process_view(request, None, (), {})


def clock():
    """The time the rate limit's windows are counted in, in seconds since the
    epoch; the one place the limit reads the time, so a test can set it."""
    return time.time()


def _count(key):
    """Add one to the counter ``key``, made for the window's first call; the
    count. One write to the cache: a counter that exists is incremented."""
    try:
        return cache.incr(key)
    except ValueError:
        if cache.add(key, 1, timeout=120):
            return 1
        # Another request made it meanwhile.
        return cache.incr(key)


def _over_rate_limit(user):
    """A fixed one-minute window per person. Returns the seconds to wait, or 0.

    A cache that cannot count (its store is down) lets the request through: an
    outage of the cache is no reason to stop uploads.
    """
    limit = settings.UPLOAD_API_RATE_PER_MINUTE
    now = clock()
    key = f"uploads:rate:{user.pk}:{int(now // 60)}"
    try:
        count = _count(key)
    except Exception:
        # Whatever the backend raises when its store is down.
        logger.warning(
            "The upload rate limit could not be counted; the call goes through.",
            exc_info=True,
        )
        return 0
    if count <= limit:
        return 0
    return int(60 - now % 60) + 1


def _json_body(request):
    try:
        data = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        raise UploadError(
            "bad_json", _("The request could not be read. Please try again.")
        )
    return data


def upload_api(method, *, obj, perm="submissions.change_entry"):
    """Wrap an API view: method, sign-in, size, CSRF, rate limit, JSON body, the
    permission ``perm`` on the object ``obj(data, kwargs)`` finds (an entry or a
    file, given to the view; one the person may not reach is refused exactly like
    one that does not exist), errors."""

    def decorator(view):
        @json_endpoint
        @csrf_exempt
        @never_cache
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method != method:
                return method_not_allowed(method)
            if not request.user.is_authenticated:
                return json_error(
                    "login_required",
                    _(
                        "Your session has ended. Please sign in again; your upload "
                        "will continue where it stopped."
                    ),
                    status=403,
                )
            if method == "POST":
                try:
                    # Read before the CSRF check, which reads a form's body too.
                    request.body  # noqa: B018
                except RequestDataTooBig:
                    return json_error(
                        "too_big", _("The request is too large."), status=413
                    )
            if method == "POST" and _csrf_failure(request):
                return json_error(
                    "csrf_failed",
                    _(
                        "The page is out of date. Please reload it; your upload will "
                        "continue where it stopped."
                    ),
                    status=403,
                )
            wait = _over_rate_limit(request.user)
            if wait:
                return json_error(
                    "rate_limited",
                    _(
                        "Too many upload requests in a short time. Please wait a "
                        "minute; your upload will continue."
                    ),
                    status=429,
                    Retry_After=str(wait),
                )
            try:
                data = _json_body(request) if method == "POST" else {}
                target = obj(data, kwargs)
                if target is None or not request.user.has_perm(perm, target):
                    raise uploads.not_found()
                return JsonResponse(view(request, data, target))
            except UploadError as error:
                return _refused(error)
            except (BotoCoreError, ClientError):
                # The store is down or failing: the portal's fault, and worth a retry.
                logger.exception("The file store failed during %s.", request.path)
                return _refused(uploads.storage_unavailable())

        return wrapped

    return decorator


def _integer(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _entry_in_body(data, kwargs):
    pk = _integer(data.get("entry"))
    if pk is None:
        return None
    return row_or_none(Entry.objects.select_related("round", "category").filter(pk=pk))


def _file_in_url(data, kwargs):
    return row_or_none(
        ArtworkFile.objects.select_related("entry__round", "entry__category").filter(
            pk=kwargs["file_pk"]
        )
    )


@upload_api("POST", obj=_entry_in_body)
def upload_start(request, data, entry):
    name = data.get("name")
    size = _integer(data.get("size"))
    declared_type = data.get("type") or ""
    if not isinstance(name, str) or not name.strip():
        raise UploadError("bad_request", _("The file has no name."))
    if not isinstance(declared_type, str):
        raise UploadError("bad_request", _("The file's type could not be read."))
    return uploads.start_upload(
        entry,
        user=request.user,
        name=name,
        size=size,
        declared_type=declared_type,
        replaces=data.get("replaces"),
    )


@upload_api("POST", obj=_file_in_url)
def upload_sign(request, data, file):
    return {
        "urls": uploads.sign_parts(
            file, user=request.user, part_numbers=data.get("parts")
        )
    }


@upload_api("GET", obj=_file_in_url)
def upload_parts(request, data, file):
    return {"parts": uploads.list_parts(file, user=request.user)}


def _file_to_complete(data, kwargs):
    return row_or_none(
        ArtworkFile.objects.select_related(*FILE_WITH_ENTRY)
        .defer(*FILE_WITHOUT)
        .filter(pk=kwargs["file_pk"])
    )


@upload_api("POST", obj=_file_to_complete)
def upload_complete(request, data, file):
    answer = uploads.complete_upload(
        file, user=request.user, parts=data.get("parts") or []
    )
    if data.get("page") is True:
        # The entry's page asks for what it shows anew, to ask nothing more. The
        # file is read again only when another request finished it meanwhile.
        current = file if answer["state"] == file.state else file.pk
        answer.update(page_parts(request, current))
    return answer


@upload_api("POST", obj=_file_in_url)
def upload_abort(request, data, file):
    uploads.abort_upload(file, user=request.user)
    return {"file": file.pk, "state": "aborted"}


@upload_api("POST", obj=_file_in_url)
def upload_remove(request, data, file):
    uploads.remove_file(file, user=request.user)
    return {"file": file.pk, "state": "removed"}


@upload_api("GET", obj=_file_in_url, perm="submissions.view_entry")
def upload_status(request, data, file):
    return uploads.file_answer(file)
