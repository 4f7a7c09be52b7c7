"""The upload protocol: browsers upload artwork files straight to object storage.

The server starts each upload (choosing the key and the Content-Type), signs the
URLs of its parts one batch at a time, lists the parts the store holds so that an
upload can resume, and completes it after checking the object itself. The bytes
never pass through a web worker. docs/UPLOADS.md describes the protocol.
"""

import datetime
import logging
import math
import uuid

from botocore.exceptions import ClientError
from django.db import transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from submissions import storage
from submissions.enums import EntryState, FileState, MediaKind, RoundState
from submissions.errors import UploadError
from submissions.models import ArtworkFile, Entry
from submissions.rules import (
    entry_finishes_uploads,
    entry_is_editable,
    file_is_changeable,
    is_entrants_side,
)
from submissions.services.file_types import kind_of, sanitise_file_name
from submissions.services.files import delete_file, set_file_state
from submissions.services.processing import queue_processing
from submissions.services.refusals import rejection_message

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
GiB = 1024 * MiB

# S3's smallest part (but the last). A file of up to this size goes as a single
# presigned PUT, which a lost connection makes start again; every larger file goes
# in parts, so that an interrupted upload continues from the parts already stored.
MIN_PART_SIZE = 5 * MiB
# The part size of files larger than one part: cheap to resend on a phone. A file
# between MIN_PART_SIZE and PART_SIZE (most phone photos) goes in parts of
# MIN_PART_SIZE, so that it has two.
PART_SIZE = 8 * MiB
MAX_PARTS = 10_000
MAX_PARTS_PER_SIGNING = 20
# Per person (the entrant, or the caseworker who files): uploads started and not
# finished, and the bytes they announce.
MAX_OPEN_UPLOADS = 6
MAX_BYTES_IN_FLIGHT = 8 * GiB
# An upload untouched for this long is abandoned: it no longer counts against the
# caps, and the clean-up task aborts it.
ABANDONED_AFTER = datetime.timedelta(days=1)

NOT_UPLOADED = _("The file has not reached the store yet. Please upload it again.")


# Checks ----------------------------------------------------------------------


def not_found():
    return UploadError("not_found", _("There is no such entry or file for you."))


def _check_may_change(entry, user):
    if not user.is_authenticated or not is_entrants_side(user, entry):
        raise not_found()


def _check_owner(file, user):
    """Only the person who started an upload signs, lists, completes or cancels it."""
    if file.owner_id != user.pk:
        raise not_found()
    _check_may_change(file.entry, user)


def _check_taking_files(entry, *, user, now, starting):
    """Files may be added while the entry is editable; an upload already started
    (or a refused file's replacement) may finish in the grace window after the
    deadline when the entry was submitted in time."""
    if entry.state == EntryState.WITHDRAWN:
        raise UploadError(
            "entry_withdrawn",
            _("This entry was withdrawn, so files can no longer be added to it."),
        )
    if starting:
        if entry_is_editable(user, entry, now=now):
            return
    elif entry_finishes_uploads(user, entry, now=now):
        return
    if entry.round.state == RoundState.DRAFT:
        raise UploadError(
            "round_not_open", _("This round is not open for entries yet.")
        )
    raise UploadError(
        "round_closed",
        _("The deadline of this round has passed, so files can no longer be uploaded."),
    )


def _check_awaiting(file):
    if file.state != FileState.AWAITING_UPLOAD:
        raise UploadError(
            "not_in_progress",
            _("This upload has already finished or was cancelled."),
        )


def _check_size(size, *, kind, category):
    if size <= 0:
        raise UploadError("empty", _("The file is empty. Please choose another one."))
    limit = category.max_bytes_for(kind)
    if size > limit or math.ceil(size / PART_SIZE) > MAX_PARTS:
        raise UploadError(
            "too_large",
            _(
                "The file is %(size)s; this category takes %(kind)s files of up to "
                "%(limit)s."
            )
            % {
                "size": filesizeformat(size),
                "kind": MediaKind(kind).label,
                "limit": filesizeformat(limit),
            },
        )


def _check_caps(entry, files, *, user, size, now, replacing=None):
    """Returns the position the new file takes in the entry, whose files are
    ``files``. A file being replaced does not count: the new one takes its place."""
    category = entry.category
    counted = [file for file in files if file.pk != getattr(replacing, "pk", None)]
    count = sum(file.state != FileState.REJECTED for file in counted)
    last = max((file.position for file in counted), default=None)
    if count >= category.max_files:
        raise UploadError(
            "too_many_files",
            _(
                "This entry already has %(count)s files, the most this category "
                "takes. Remove one to add another."
            )
            % {"count": category.max_files},
        )
    open_uploads = ArtworkFile.objects.filter(
        owner=user,
        state=FileState.AWAITING_UPLOAD,
        updated_at__gte=now - ABANDONED_AFTER,
    ).aggregate(count=Count("pk"), bytes=Sum("declared_size"))
    if (open_uploads["count"] or 0) >= MAX_OPEN_UPLOADS:
        raise UploadError(
            "too_many_uploads",
            _(
                "You have %(count)s uploads in progress. Let them finish, or cancel "
                "one, before you start another."
            )
            % {"count": MAX_OPEN_UPLOADS},
        )
    if (open_uploads["bytes"] or 0) + size > MAX_BYTES_IN_FLIGHT:
        raise UploadError(
            "too_many_bytes",
            _(
                "Your uploads in progress add up to more than %(limit)s. Let them "
                "finish before you start this one."
            )
            % {"limit": filesizeformat(MAX_BYTES_IN_FLIGHT)},
        )
    return 0 if last is None else last + 1


# The protocol ----------------------------------------------------------------


def part_size_for(size):
    """The part size of a file of ``size`` bytes; 0 for a single PUT."""
    if size <= MIN_PART_SIZE:
        return 0
    return MIN_PART_SIZE if size <= PART_SIZE else PART_SIZE


def is_multipart(file):
    return bool(file.upload_id)


def part_count(file):
    if not is_multipart(file):
        return 1
    return math.ceil(file.declared_size / file.part_size)


def part_length(file, number):
    """The exact length of part ``number``: every part is full but the last."""
    if number < part_count(file):
        return file.part_size
    return file.declared_size - file.part_size * (part_count(file) - 1)


def storage_unavailable():
    return UploadError(
        "storage_unavailable",
        _(
            "Our file store cannot be reached just now. What you uploaded is kept: "
            "please press Retry in a moment."
        ),
    )


def _single_url(file):
    return storage.presign(
        "put_object",
        Key=storage.staging_key(file.key),
        ContentType=file.content_type,
        ContentLength=file.declared_size,
    )


def _ticket(file, *, resumed, parts):
    multipart = is_multipart(file)
    return {
        "file": file.pk,
        "name": file.original_name,
        "kind": file.kind,
        "mode": "multipart" if multipart else "single",
        "part_size": file.part_size if multipart else file.declared_size,
        "part_count": part_count(file),
        "url": None if multipart else _single_url(file),
        # The PUT must send exactly these: they are part of the signature.
        "headers": {} if multipart else {"Content-Type": file.content_type},
        "resumed": resumed,
        "parts": parts,
    }


def _touch(file):
    """An upload someone is working on is not abandoned."""
    file.save(update_fields=["updated_at"])


def _expire(file, *, reason):
    """Forget an upload whose multipart upload the store no longer has."""
    delete_file(file, by=None, reason=reason)
    return UploadError(
        "upload_expired",
        _("This upload has expired. Please choose the file again to start over."),
    )


def start_upload(entry, *, user, name, size, declared_type, replaces=None, now=None):
    """Start uploading one file to an entry, or resume the same file's upload.

    ``replaces`` names a file of the entry that processing refused: the new file
    takes its place. A submitted entry's refused file may be replaced during the
    grace window after the deadline, as an upload already started may finish.
    Returns the ticket the browser uploads with (see docs/UPLOADS.md).
    """
    now = now or timezone.now()
    _check_may_change(entry, user)
    if not isinstance(size, int) or isinstance(size, bool):
        raise UploadError("bad_request", _("Give the file's size in bytes."))
    display_name = sanitise_file_name(name)
    kind, content_type = kind_of(display_name, declared_type, category=entry.category)
    _check_size(size, kind=kind, category=entry.category)

    with transaction.atomic():
        # The entry's row is the lock that keeps two tabs from exceeding the
        # category's file count together.
        # Only the entry's row: locking its round too would queue every upload of
        # the round behind each other in the deadline rush. Its round and category,
        # read with ``entry`` in this request, are not read again unless the
        # entry moved to another category meanwhile.
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        locked.round = entry.round
        if locked.category_id == entry.category_id:
            locked.category = entry.category
        # The entry's files, read once under the lock: the one replaced, the
        # upload resumed and the count against the category's cap.
        files = list(locked.files.all())
        replaced = _replaced_file(locked, files, replaces, user=user)
        _check_taking_files(locked, user=user, now=now, starting=replaced is None)
        existing = max(
            (
                file
                for file in files
                if file.owner_id == user.pk
                and file.state == FileState.AWAITING_UPLOAD
                and file.original_name == display_name
                and file.declared_size == size
            ),
            key=lambda file: file.pk,
            default=None,
        )
        if existing is None:
            file = _create_upload(
                locked,
                files,
                user=user,
                name=display_name,
                size=size,
                kind=kind,
                content_type=content_type,
                now=now,
                position=replaced.position if replaced else None,
                replacing=replaced,
            )
            if replaced is not None:
                delete_file(replaced, by=user, reason="replaced")
            return _ticket(file, resumed=False, parts=[])

    if not is_multipart(existing):
        parts = _single_parts(existing)
    else:
        try:
            parts = storage.list_parts(
                storage.staging_key(existing.key), existing.upload_id
            )
        except ClientError as error:
            if not storage.is_missing(error):
                raise
            _expire(existing, reason="upload_gone")
            return start_upload(
                entry,
                user=user,
                name=name,
                size=size,
                declared_type=declared_type,
                replaces=replaces,
                now=now,
            )
    _touch(existing)
    return _ticket(existing, resumed=True, parts=parts)


def _single_parts(file):
    """A single PUT that arrived, although its answer was lost, as its one part:
    it need not be sent again."""
    head = storage.head_object(storage.staging_key(file.key))
    if head is None or head["ContentLength"] != file.declared_size:
        return []
    return [{"number": 1, "etag": head["ETag"], "size": head["ContentLength"]}]


def _replaced_file(entry, files, replaces, *, user):
    """The file of ``files`` (the entry's) that ``replaces`` names."""
    if replaces is None:
        return None
    replaced = (
        next(
            (
                file
                for file in files
                if file.pk == replaces and file.state != FileState.AWAITING_UPLOAD
            ),
            None,
        )
        if isinstance(replaces, int) and not isinstance(replaces, bool)
        else None
    )
    if replaced is None:
        raise UploadError(
            "not_replaceable",
            _("This entry has no such file to replace."),
        )
    replaced.entry = entry
    _check_changeable(replaced, user=user, code="not_replaceable")
    return replaced


def _check_changeable(file, *, user, code):
    if not file_is_changeable(user, file):
        raise UploadError(
            code,
            _(
                "The accepted files of a submitted entry stay as they are. You may "
                "still add files until the deadline."
            ),
        )


def _create_upload(
    entry, files, *, user, name, size, kind, content_type, now, position, replacing=None
):
    next_position = _check_caps(
        entry, files, user=user, size=size, now=now, replacing=replacing
    )
    position = next_position if position is None else position
    key = f"{storage.ORIGINALS_PREFIX}{entry.round_id}/{uuid.uuid4().hex}"
    part_size = part_size_for(size)
    multipart = bool(part_size)
    upload_id = (
        storage.create_multipart_upload(
            storage.staging_key(key), content_type=content_type
        )
        if multipart
        else ""
    )
    try:
        file = ArtworkFile.objects.create(
            entry=entry,
            owner=user,
            position=position,
            kind=kind,
            key=key,
            original_name=name,
            content_type=content_type,
            declared_size=size,
            upload_id=upload_id,
            part_size=part_size,
        )
        record_event(
            actor=user,
            verb=AuditVerb.CREATED,
            obj=file,
            to_state=file.state,
            data={
                "entry": entry.pk,
                "kind": kind,
                "declared_size": size,
                "mode": "multipart" if multipart else "single",
            },
        )
    except Exception:
        if upload_id:
            storage.abort_multipart_upload(storage.staging_key(key), upload_id)
        raise
    return file


def _parsed_part_numbers(file, part_numbers):
    if not isinstance(part_numbers, list) or not part_numbers:
        raise UploadError(
            "bad_request", _("Say which parts of the file to sign, by number.")
        )
    if len(part_numbers) > MAX_PARTS_PER_SIGNING:
        raise UploadError(
            "too_many_parts",
            _("Ask for at most %(count)s part addresses at a time.")
            % {"count": MAX_PARTS_PER_SIGNING},
        )
    count = part_count(file)
    numbers = []
    for number in part_numbers:
        if (
            not isinstance(number, int)
            or isinstance(number, bool)
            or not 1 <= number <= count
        ):
            raise UploadError(
                "bad_part_number",
                _("This file has parts 1 to %(count)s only.") % {"count": count},
            )
        if number not in numbers:
            numbers.append(number)
    return numbers


def sign_parts(file, *, user, part_numbers, now=None):
    """Presigned PUT URLs for parts of a multipart upload, each bound to the file's
    key, upload ID, part number and exact part length."""
    now = now or timezone.now()
    _check_owner(file, user)
    _check_awaiting(file)
    if not is_multipart(file):
        raise UploadError(
            "not_multipart",
            _("This file goes up in one piece; it has no parts to sign."),
        )
    _check_taking_files(file.entry, user=user, now=now, starting=False)
    numbers = _parsed_part_numbers(file, part_numbers)
    urls = {
        str(number): storage.presign(
            "upload_part",
            Key=storage.staging_key(file.key),
            UploadId=file.upload_id,
            PartNumber=number,
            ContentLength=part_length(file, number),
        )
        for number in numbers
    }
    _touch(file)
    return urls


def list_parts(file, *, user):
    """The parts of an upload that the store already holds, for resuming."""
    _check_owner(file, user)
    _check_awaiting(file)
    if not is_multipart(file):
        return _single_parts(file)
    try:
        return storage.list_parts(storage.staging_key(file.key), file.upload_id)
    except ClientError as error:
        if storage.is_missing(error):
            raise _expire(file, reason="upload_gone") from error
        raise


def _normalised_etag(etag):
    return str(etag or "").strip().strip('"')


def _check_client_parts(client_parts, stored):
    """The browser's list must agree with the store's; the store's list is the one
    used to complete."""
    if not isinstance(client_parts, list):
        raise UploadError("bad_request", _("List the parts you uploaded."))
    for part in client_parts:
        number = part.get("number") if isinstance(part, dict) else None
        etag = part.get("etag") if isinstance(part, dict) else None
        if not isinstance(number, int):
            number = None
        if number not in stored or (
            etag and _normalised_etag(etag) != _normalised_etag(stored[number]["etag"])
        ):
            raise UploadError(
                "parts_mismatch",
                _(
                    "Part %(number)s is not stored as your browser reports it. Please "
                    "upload that part again."
                )
                % {"number": "?" if number is None else number},
            )


def _reject(file, reason, *, user, size=None):
    return set_file_state(
        file,
        FileState.REJECTED,
        by=user,
        reason=reason,
        fields={"reason": reason, "size": size},
        data=lambda move: {"declared_size": move.obj.declared_size, "size": size},
        only_if=lambda locked: locked.state == FileState.AWAITING_UPLOAD,
    )


def _refusal(file):
    return UploadError(file.reason, rejection_message(file.reason))


def _outcome(file):
    """The answer to a completion, the same however often it is asked."""
    if file.state == FileState.REJECTED:
        raise _refusal(file)
    return file_answer(file)


def file_answer(file):
    """A file as the upload API tells of it."""
    return {
        "file": file.pk,
        "state": file.state,
        "reason": file.reason,
        "message": str(rejection_message(file.reason)) if file.reason else "",
        "name": file.original_name,
        "size": file.size,
    }


def complete_upload(file, *, user, parts=(), now=None):
    """Finish an upload and check the object the store holds before accepting it.

    The browser uploaded to the file's staging key; the checked object is copied
    server-side to ``file.key``, which no URL was ever signed for. The staged
    object is left to the processing that the completion queues, which deletes it
    first: the request does only what its answer depends on. Completing twice
    gives the same answer. A file whose object
    is not the size that was announced, or over the limit, is rejected and its
    object deleted.
    """
    now = now or timezone.now()
    _check_owner(file, user)
    if file.state != FileState.AWAITING_UPLOAD:
        return _outcome(file)
    _check_taking_files(file.entry, user=user, now=now, starting=False)

    if is_multipart(file):
        finished = _complete_multipart(file, user=user, client_parts=parts)
        if finished is not None:
            return _outcome(finished)

    staged = storage.staging_key(file.key)
    head = storage.head_object(staged)
    if head is None:
        finished = _finished_meanwhile(file)
        if finished is not None:
            return _outcome(finished)
        raise UploadError("not_uploaded", NOT_UPLOADED)
    size = head["ContentLength"]
    reason = ""
    if size > file.entry.category.max_bytes_for(file.kind):
        reason = "too_large"
    elif size != file.declared_size:
        reason = "size_mismatch"
    if reason:
        storage.delete_object(staged)
        return _outcome(_reject(file, reason, user=user, size=size))

    try:
        copied = storage.copy_object(staged, file.key, etag=head["ETag"], size=size)
    except ClientError as error:
        finished = _finished_meanwhile(file)
        if finished is not None:
            return _outcome(finished)
        if storage.is_missing(error):
            raise UploadError("not_uploaded", NOT_UPLOADED) from error
        raise
    if copied != head["ETag"]:
        # A copy with the staged object's ETag (the hash of its bytes, for an
        # object sent in one PUT) holds those bytes; any other is measured.
        kept = storage.head_object(file.key)
        if kept is None or kept["ContentLength"] != size:
            # The store did not copy the object whole. The staged object is
            # still there: completing again copies it again.
            logger.error("Copying the upload of file %s to its key failed.", file.pk)
            raise storage_unavailable()

    locked = set_file_state(
        file,
        FileState.UPLOADED,
        by=user,
        # Saved with the move, so that queueing it writes nothing more.
        fields={"size": size, "queued_at": now},
        data={"size": size},
        only_if=lambda current: current.state == FileState.AWAITING_UPLOAD,
        queue=[lambda move: queue_processing(move.obj, now=now)],
        now=now,
    )
    return _outcome(locked)


def _finished_meanwhile(file):
    """The file, if another request finished (or rejected) its upload a moment
    ago; None while it is still awaiting its upload."""
    current = ArtworkFile.objects.filter(pk=file.pk).first()
    if current is None:
        raise not_found()
    return None if current.state == FileState.AWAITING_UPLOAD else current


def _complete_multipart(file, *, user, client_parts):
    """Complete with the store's own part list. Returns the file if it was
    rejected or finished by another request meanwhile, else None."""
    staged = storage.staging_key(file.key)
    try:
        stored = {
            part["number"]: part for part in storage.list_parts(staged, file.upload_id)
        }
    except ClientError as error:
        if not storage.is_missing(error):
            raise
        # Another request completed it a moment ago, or it was aborted.
        finished = _finished_meanwhile(file)
        if finished is not None:
            return finished
        if storage.head_object(staged) is not None:
            return None
        raise _expire(file, reason="upload_gone") from error

    count = part_count(file)
    if any(
        number > count or part["size"] != part_length(file, number)
        for number, part in stored.items()
    ):
        # The store took a part of another length than the one signed: it does
        # not check signed lengths, and the browser lied about the size.
        storage.abort_multipart_upload(staged, file.upload_id)
        return _reject(
            file,
            "size_mismatch",
            user=user,
            size=sum(p["size"] for p in stored.values()),
        )
    missing = [number for number in range(1, count + 1) if number not in stored]
    if missing:
        raise UploadError(
            "parts_missing",
            _(
                "Not every part of the file has arrived: %(missing)s of %(count)s "
                "are missing. Please upload them and try again."
            )
            % {"missing": len(missing), "count": count},
        )
    _check_client_parts(client_parts, stored)
    try:
        storage.complete_multipart_upload(
            staged, file.upload_id, [stored[number] for number in range(1, count + 1)]
        )
    except ClientError as error:
        if not storage.is_missing(error):
            raise
        if storage.head_object(staged) is None:
            finished = _finished_meanwhile(file)
            if finished is not None:
                return finished
            raise _expire(file, reason="upload_gone") from error
    return None


def abort_upload(file, *, user):
    """Cancel an upload: the store drops its parts or object and the file is
    removed from the entry. A rejected file may be removed the same way."""
    _check_owner(file, user)
    if file.state not in {FileState.AWAITING_UPLOAD, FileState.REJECTED}:
        raise UploadError(
            "already_uploaded",
            _("This file has finished uploading; it can no longer be cancelled."),
        )
    delete_file(file, by=user, reason="aborted")


def remove_file(file, *, user, now=None):
    """Remove a file from its entry, whoever uploaded it, by anyone who may change
    the entry: its original, any staged object and its derivatives are deleted
    and the removal is audited. The file no longer counts toward the category's
    limit. Every file of a draft may be removed until the deadline; a file that
    processing refused at any time; an unfinished upload is cancelled.
    """
    now = now or timezone.now()
    _check_may_change(file.entry, user)
    if file.state == FileState.AWAITING_UPLOAD:
        abort_upload(file, user=user)
        return
    with transaction.atomic():
        # Locked as a start is, so that a removal and a replacement of the same
        # file do not cross.
        entry = (
            Entry.objects.select_for_update(of=("self",))
            .select_related("round")
            .get(pk=file.entry_id)
        )
        file = entry.files.filter(pk=file.pk).first()
        if file is None:
            raise not_found()
        if file.state != FileState.REJECTED:
            file.entry = entry
            _check_changeable(file, user=user, code="not_removable")
            _check_taking_files(entry, user=user, now=now, starting=False)
        delete_file(file, by=user, reason="removed")
