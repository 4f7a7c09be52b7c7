"""Processing of an uploaded original: verify it, sniff its real type, hash it and
make the derivatives that judges and the public see.

Only images are processed so far; files of the other kinds are left as they are.
"""

import hashlib
import tempfile

import magic
from botocore.exceptions import BotoCoreError, ClientError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from submissions import images, storage
from submissions.enums import FileState, MediaKind
from submissions.models import ArtworkFile, Derivative

CHUNK_SIZE = 1024 * 1024
# libmagic recognises every format we take from the first few kilobytes; HEIC
# and TIFF need the most (their brand or IFD near the start).
SNIFF_BYTES = 8192

# The states from which a file may be processed; READY and REJECTED are final,
# AWAITING_UPLOAD has no object yet.
PROCESSABLE_STATES = (FileState.UPLOADED, FileState.PROCESSING, FileState.FAILED)

# What the entrant reads for each rejection, in their language.
REJECTION_MESSAGES = {
    "missing": _("The file did not arrive in our storage. Please upload it again."),
    "empty": _("The file is empty. Please choose the file again and upload it."),
    "too_large": _("The file is larger than this category allows."),
    "kind_not_accepted": _("This category does not take this kind of work."),
    "not_an_image": _(
        "This file is not an image in a format we accept "
        "(JPEG, PNG, WebP, GIF, HEIC or TIFF), whatever its name says."
    ),
    "corrupt": _(
        "The image is damaged or incomplete and cannot be opened. "
        "Please export it again and upload the new file."
    ),
    "too_many_pixels": _(
        "The image has too many pixels for us to process. "
        "Please upload a copy of at most 100 megapixels."
    ),
}


class ProcessingUnavailable(Exception):
    """Our own fault (storage unreachable or failing): try again later. The file's
    state is left as it was."""


def rejection_message(code):
    """The translated text for a rejection reason code."""
    return REJECTION_MESSAGES.get(code, _("The file could not be accepted."))


def process_file(artwork_file):
    """Check an uploaded file and make its derivatives; safe to run again.

    The file ends READY (size, SHA-256 and derivatives saved) or REJECTED with a
    reason code (the original deleted from storage). Files that are already final,
    not uploaded yet, or of a kind not processed yet are returned unchanged.
    Raises ProcessingUnavailable when storage fails.
    """
    file = ArtworkFile.objects.select_related("entry__category").get(pk=artwork_file.pk)
    if file.state not in PROCESSABLE_STATES or file.kind != MediaKind.IMAGE:
        return file
    try:
        return _process_image(file)
    except (BotoCoreError, ClientError) as error:
        raise ProcessingUnavailable(str(error)) from error


def _process_image(file):
    category = file.entry.category
    if file.kind not in category.media_kinds:
        return _reject(file, "kind_not_accepted")
    head = storage.head_object(file.key)
    if head is None:
        return _reject(file, "missing", delete=False)
    size = head["ContentLength"]
    if size == 0:
        return _reject(file, "empty")
    limit = category.max_bytes_for(file.kind)
    if limit is not None and size > limit:
        return _reject(file, "too_large")
    with tempfile.NamedTemporaryFile(suffix=".original") as local:
        sha256, head_bytes, copied = _download(file.key, local)
        if copied == 0:
            return _reject(file, "empty")
        sniffed = magic.from_buffer(head_bytes, mime=True)
        if sniffed not in images.ACCEPTED_TYPES:
            return _reject(file, "not_an_image", data={"sniffed": sniffed})
        try:
            renditions = images.make_renditions(local.name)
        except images.ImageRejected as rejection:
            return _reject(file, rejection.code, data={"sniffed": sniffed})
    for rendition in renditions:
        _store(file, rendition)
    return _finish(
        file,
        to_state=FileState.READY,
        fields={"size": copied, "sha256": sha256, "content_type": sniffed},
        data={"sha256": sha256, "size": copied, "sniffed": sniffed},
    )


def _download(key, destination):
    """Copy the object to ``destination`` a chunk at a time, hashing as it goes:
    a large original is never held in memory whole (django-storages' S3File
    would buffer it in a SpooledTemporaryFile that, by default, never spills to
    disk). Returns the SHA-256, the first bytes for sniffing and the length."""
    body = storage.client().get_object(Bucket=storage.bucket(), Key=key)["Body"]
    digest = hashlib.sha256()
    head = b""
    copied = 0
    try:
        for chunk in body.iter_chunks(CHUNK_SIZE):
            digest.update(chunk)
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
            destination.write(chunk)
            copied += len(chunk)
    finally:
        body.close()
    destination.flush()
    return digest.hexdigest(), head, copied


def _store(file, rendition):
    key = Derivative.key_for(file, rendition.kind)
    storage.client().put_object(
        Bucket=storage.bucket(),
        Key=key,
        Body=rendition.data,
        ContentType=rendition.content_type,
    )
    Derivative.objects.update_or_create(
        artwork_file=file,
        kind=rendition.kind,
        defaults={
            "key": key,
            "width": rendition.width,
            "height": rendition.height,
            "size": len(rendition.data),
            "content_type": rendition.content_type,
        },
    )


def _reject(file, code, *, delete=True, data=None):
    # Storage first: if a deletion fails the state stays as it was, and a retry
    # reaches the same verdict from the same bytes.
    if delete:
        storage.delete_object(file.key)
    for derivative in file.derivatives.all():
        storage.delete_object(derivative.key)
    file.derivatives.all().delete()
    return _finish(
        file,
        to_state=FileState.REJECTED,
        fields={"reason": code},
        data={"reason": code, **(data or {})},
    )


def _finish(file, *, to_state, fields, data):
    """Move the file to its final state once, however many runs get here."""
    with transaction.atomic():
        current = ArtworkFile.objects.select_for_update().get(pk=file.pk)
        if current.state not in PROCESSABLE_STATES:
            return current
        from_state = current.state
        current.state = to_state
        for name, value in fields.items():
            setattr(current, name, value)
        current.save(update_fields=["state", "updated_at", *fields])
        record_event(
            actor=None,
            verb=AuditVerb.STATE_CHANGED,
            obj=current,
            from_state=from_state,
            to_state=to_state,
            reason=fields.get("reason", ""),
            data=data,
        )
    return current
