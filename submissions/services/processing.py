"""Processing of an uploaded original: verify it, sniff its real type, hash it and
make the derivatives that judges and the public see.

A file moves UPLOADED → PROCESSING → READY, REJECTED (the entrant's file is not
acceptable: the original is deleted and the entrant told why) or FAILED (the portal's own
fault: storage down, a tool too slow; it is tried again). Every step is safe to run
twice: derivative keys depend on the file and kind alone, and only the run that
holds the file may finish it.

Runs are identified by their Celery task ID. A message redelivered after its
worker died keeps its ID and carries on; a duplicate queued by the sweeper gets a
new ID and waits until the holding run is past its hard time limit.
"""

import datetime
import hashlib
import logging
import subprocess
import tempfile
import uuid

import magic
from botocore.exceptions import BotoCoreError, ClientError
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue
from submissions import storage
from submissions.enums import DerivativeKind, EntryState, FileState, MediaKind
from submissions.media import audio, documents, images, video
from submissions.media.results import Rejected, SourceUnavailable
from submissions.models import ArtworkFile, Derivative
from submissions.services.files import set_file_state
from submissions.services.refusals import WRONG_TYPE

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
# libmagic recognises every format the portal takes from the first few kilobytes (of a
# recording, those after its tags); HEIC and TIFF need the most (their brand or
# IFD near the start).
SNIFF_BYTES = 8192

# The states a run may take a file from. READY and REJECTED are final,
# AWAITING_UPLOAD has no object yet; PROCESSING only for the run holding it or
# once that run is past its time limit.
CLAIMABLE_STATES = (FileState.UPLOADED, FileState.FAILED)
# How many sweeps may queue files at once, so that a backlog is not doubled.
SWEEP_BATCH = 500
# A file whose runs died this often (killed at the hard time limit, or taking
# its worker down each time) is not queued again: staff see it as failed.
MAX_ATTEMPTS = 3

# What libmagic may call each kind's files. A file of another type is refused
# whatever its name or the browser said.
SNIFFED_TYPES = {
    MediaKind.IMAGE: images.ACCEPTED_TYPES,
    MediaKind.VIDEO: frozenset(
        {
            "video/mp4",
            "video/quicktime",
            "video/webm",
            "video/x-matroska",
            "video/x-m4v",
            "video/3gpp",
        }
    ),
    MediaKind.AUDIO: frozenset(
        {
            "audio/mpeg",
            "audio/x-wav",
            "audio/wav",
            "audio/vnd.wave",
            "audio/flac",
            "audio/x-flac",
            "audio/ogg",
            "application/ogg",
            "audio/x-m4a",
            "audio/mp4",
            # libmagic calls some M4A files by their container's name.
            "video/mp4",
        }
    ),
    MediaKind.DOCUMENT: frozenset({"application/pdf"}),
}


class ProcessingUnavailable(Exception):
    """The portal's own fault (storage unreachable or failing): try again later. The file
    is marked FAILED until the retry takes it."""


def time_limit(kind):
    """The soft time limit of processing one file of ``kind``, in seconds."""
    return settings.PROCESSING_TIME_LIMITS.get(kind, 600)


def hard_time_limit(kind):
    return time_limit(kind) + settings.PROCESSING_GRACE_SECONDS


# Queueing ----------------------------------------------------------------------


def queue_processing(file, *, now=None):
    """Queue ``file`` for processing once the current transaction commits. A
    broker that cannot be reached then does not turn a completed upload into an
    error: the outbox sends the task later. A file whose ``queued_at`` the caller
    saved as ``now`` is not written again."""
    now = now or timezone.now()
    if file.queued_at != now:
        ArtworkFile.objects.filter(pk=file.pk).update(queued_at=now)
        file.queued_at = now
    enqueue(
        "submissions.process_file",
        file.pk,
        soft_time_limit=time_limit(file.kind),
        time_limit=hard_time_limit(file.kind),
    )


def retry_processing(file, *, user):
    """Staff ask for a failed file to be processed again."""
    with transaction.atomic():
        locked = ArtworkFile.objects.select_for_update().get(pk=file.pk)
        if locked.state != FileState.FAILED:
            return False
        record_event(
            actor=user,
            verb=AuditVerb.UPDATED,
            obj=locked,
            reason="processing_retried",
            data={"previous_reason": locked.reason, "attempts": locked.attempts},
        )
        queue_processing(locked)
    return True


def stuck_files(*, now=None):
    """Files whose processing was lost: queued long ago and still waiting, or
    held by a run that is past its hard time limit (its worker died)."""
    now = now or timezone.now()
    requeue_before = now - datetime.timedelta(
        seconds=settings.PROCESSING_REQUEUE_AFTER_SECONDS
    )
    waiting = Q(state=FileState.UPLOADED) & (
        Q(queued_at__isnull=True) | Q(queued_at__lt=requeue_before)
    )
    abandoned = Q()
    for kind in MediaKind.values:
        if kind == MediaKind.TEXT:
            continue
        abandoned |= Q(
            state=FileState.PROCESSING,
            kind=kind,
            processing_started_at__lt=now
            - datetime.timedelta(seconds=hard_time_limit(kind)),
        ) & (Q(queued_at__isnull=True) | Q(queued_at__lt=requeue_before))
    abandoned |= Q(state=FileState.PROCESSING, processing_started_at__isnull=True)
    return ArtworkFile.objects.filter(waiting | abandoned).order_by("queued_at", "pk")


def requeue_stuck_files(*, now=None):
    """Queue again every file whose processing was lost, and give up on one whose
    runs died MAX_ATTEMPTS times. With the filesystem broker (a message is gone
    once read) this is the only recovery from a worker that died; with Redis it
    is usually sooner than the redelivery. Returns the IDs queued."""
    now = now or timezone.now()
    files = list(stuck_files(now=now)[:SWEEP_BATCH])
    queued = []
    with transaction.atomic():
        for file in files:
            if file.state == FileState.PROCESSING and file.attempts >= MAX_ATTEMPTS:
                _fail(file, file.processing_run, "timed_out")
                continue
            queue_processing(file, now=now)
            queued.append(file.pk)
    return queued


# Processing --------------------------------------------------------------------


def process_file(artwork_file, *, run=None):
    """Check an uploaded file and make its derivatives; safe to run again.

    ``artwork_file`` is a file or its primary key; ``run`` the Celery task ID.
    The file ends READY (size, SHA-256, facts and derivatives saved), REJECTED
    with a reason code (the original deleted from storage) or, for the portal's own faults
    that are not worth retrying at once, FAILED. Raises ProcessingUnavailable
    when storage fails (the file is then FAILED until the retry takes it), and
    lets a database error through (the file stays PROCESSING for the retry).
    Returns the file as it is afterwards.
    """
    pk = getattr(artwork_file, "pk", artwork_file)
    run = run or uuid.uuid4().hex
    file = _claim(pk, run)
    if file is None:
        return ArtworkFile.objects.filter(pk=pk).first()
    try:
        with tempfile.TemporaryDirectory(prefix="artsprize-") as workdir:
            return _process(file, run, workdir)
    except Rejected as rejection:
        return _reject(file, run, rejection.code, data=rejection.data)
    except (BotoCoreError, ClientError, SourceUnavailable) as error:
        # The message of a tool's failure may hold the presigned URL: keep it out.
        _fail(file, run, "storage_unavailable", data={"error": type(error).__name__})
        raise ProcessingUnavailable(type(error).__name__) from None
    except (SoftTimeLimitExceeded, subprocess.TimeoutExpired):
        logger.warning("Processing file %s took too long.", pk)
        return _fail(file, run, "timed_out")
    except (OperationalError, InterfaceError):
        # The database restarted under the run. Once it is back, marking the
        # file failed would leave it to staff: the task retries instead, and
        # the run (same task ID) takes up the file it still holds.
        raise
    except Exception:
        # A bug or a tool failing in an unforeseen way: never a crashed
        # worker; staff see the failure and can retry it.
        logger.exception("Processing file %s failed.", pk)
        return _fail(file, run, "internal_error")


def _claim(pk, run):
    now = timezone.now()
    with transaction.atomic():
        file = (
            ArtworkFile.objects.select_for_update(of=("self",))
            .select_related("entry__category")
            .filter(pk=pk)
            .first()
        )
        if file is None or not _may_take(file, run, now):
            return None
        fields = {"processing_run": run, "attempts": file.attempts + 1}
        if file.state == FileState.PROCESSING:
            # The run holding the file carries on (a redelivered message), or
            # takes over from one past its time limit: the state does not move.
            file.processing_run = run
            file.processing_started_at = now
            file.attempts += 1
            file.save(
                update_fields=[
                    "processing_run",
                    "processing_started_at",
                    "attempts",
                    "updated_at",
                ]
            )
        else:
            # Recorded as an update: the state changes of a file's log are the
            # outcomes of its processing, one however often it runs.
            set_file_state(
                file,
                FileState.PROCESSING,
                by=None,
                fields=fields,
                data={"run": run, "attempt": fields["attempts"]},
                verb=AuditVerb.UPDATED,
                held=True,
                now=now,
            )
    return file


def _may_take(file, run, now):
    if file.state in CLAIMABLE_STATES:
        return True
    if file.state != FileState.PROCESSING:
        return False
    if file.processing_run == run or file.processing_started_at is None:
        return True
    return file.processing_started_at < now - datetime.timedelta(
        seconds=hard_time_limit(file.kind)
    )


def _process(file, run, workdir):
    # The upload's staged object, which the completion copied to file.key.
    storage.delete_leftover(storage.staging_key(file.key))
    category = file.entry.category
    if file.kind not in category.media_kinds:
        raise Rejected("kind_not_accepted")
    head = storage.head_object(file.key)
    if head is None:
        return _reject(file, run, "missing", delete=False)
    size = head["ContentLength"]
    if size == 0:
        raise Rejected("empty")
    limit = category.max_bytes_for(file.kind)
    if limit is not None and size > limit:
        raise Rejected("too_large")
    # Tell what the file is from its first bytes before fetching the rest.
    sniffed = _sniff(file, size)
    if sniffed not in SNIFFED_TYPES[file.kind]:
        raise Rejected(WRONG_TYPE[file.kind], sniffed=sniffed)

    if file.kind == MediaKind.VIDEO:
        # ffmpeg reads the original from storage with range requests: a poster
        # frame needs a few megabytes of a gigabyte, and the playable copy is
        # streamed. The hash is computed on a second, streaming read.
        source = storage.presign_worker_read(
            file.key, seconds=hard_time_limit(file.kind)
        )
        processed = video.make_derivatives(source, workdir)
        sha256, copied = _hash(file.key)
    else:
        local = f"{workdir}/original"
        with open(local, "wb") as destination:
            sha256, copied = _hash(file.key, destination)
        if copied == 0:
            raise Rejected("empty")
        processed = _MAKERS[file.kind](local, workdir)

    keys = set()
    for derivative in processed.derivatives:
        keys.add(_store(file, derivative))
    _delete_other_derivatives(file, keys)
    facts = {
        "size": copied,
        "sha256": sha256,
        "content_type": sniffed,
        "width": processed.width,
        "height": processed.height,
        "duration": processed.duration,
        "page_count": processed.page_count,
        "media_details": processed.details,
        "perceptual_hash": processed.perceptual_hash,
    }
    return _finish(
        file,
        run,
        to_state=FileState.READY,
        fields={**facts, "reason": ""},
        data={"sha256": sha256, "size": copied, "sniffed": sniffed},
        queue=[lambda move: _queue_match_finding(move.obj)],
    )


def _sniff(file, size):
    """The type libmagic tells from the first bytes of the file. The tags before
    a recording's sound (ID3 with a cover picture or lyrics) can fill far more
    than those bytes, so for audio the bytes after them are read instead, with
    one more ranged GET for each tag; a file that is only tags is empty there."""
    start = 0
    head = storage.read_range(file.key, SNIFF_BYTES)
    if file.kind == MediaKind.AUDIO:
        for _ in range(audio.MAX_LEADING_TAGS):
            length = audio.leading_tag_length(head)
            if not length:
                break
            start += length
            head = (
                storage.read_range(file.key, SNIFF_BYTES, start=start)
                if start < size
                else b""
            )
    return magic.from_buffer(head, mime=True)


_MAKERS = {
    MediaKind.IMAGE: lambda path, workdir: images.make_derivatives(
        path, fingerprint=True
    ),
    MediaKind.AUDIO: audio.make_derivatives,
    MediaKind.DOCUMENT: documents.make_derivatives,
}


def fingerprint_stored_image(file):
    """The perceptual hash of a ready image processed before hashes were taken,
    read from its original or, when that is gone or unreadable, its preview
    (which gives the same hash within a few bits). "" when neither can be read."""
    keys = [file.key]
    keys += file.derivatives.filter(kind=DerivativeKind.PREVIEW).values_list(
        "key", flat=True
    )
    with tempfile.TemporaryDirectory(prefix="artsprize-") as workdir:
        local = f"{workdir}/image"
        for key in keys:
            if storage.head_object(key) is None:
                continue
            with open(local, "wb") as destination:
                _hash(key, destination)
            try:
                return images.fingerprint_file(local)
            except Rejected:
                continue
    return ""


def _hash(key, destination=None):
    """Read the object a chunk at a time, hashing as it goes, and copy it to
    ``destination`` if given: a large original is never held in memory whole
    (django-storages' S3File would buffer it in a SpooledTemporaryFile that, by
    default, never spills to disk). Returns the SHA-256 and the length."""
    body = storage.client().get_object(Bucket=storage.bucket(), Key=key)["Body"]
    digest = hashlib.sha256()
    copied = 0
    try:
        for chunk in body.iter_chunks(CHUNK_SIZE):
            digest.update(chunk)
            if destination is not None:
                destination.write(chunk)
            copied += len(chunk)
    finally:
        body.close()
    return digest.hexdigest(), copied


def _store(file, derivative):
    key = Derivative.key_for(
        file, derivative.kind, derivative.extension, derivative.index
    )
    if derivative.path:
        storage.put_file(key, derivative.path, content_type=derivative.content_type)
        size = _file_size(derivative.path)
    else:
        storage.put_bytes(key, derivative.data, content_type=derivative.content_type)
        size = len(derivative.data)
    Derivative.objects.update_or_create(
        artwork_file=file,
        kind=derivative.kind,
        index=derivative.index,
        defaults={
            "key": key,
            "width": derivative.width,
            "height": derivative.height,
            "size": size,
            "content_type": derivative.content_type,
        },
    )
    return key


def _file_size(path):
    with open(path, "rb") as handle:
        return handle.seek(0, 2)


def _delete_other_derivatives(file, keep=()):
    """Remove derivatives a previous run made that this one did not (a replaced
    tool version may make fewer pages), from storage first."""
    for derivative in file.derivatives.exclude(key__in=keep):
        storage.delete_object(derivative.key)
        derivative.delete()


def _reject(file, run, code, *, delete=True, data=None):
    # Storage first: if a deletion fails the file is marked FAILED and a retry
    # reaches the same verdict from the same bytes.
    if delete:
        storage.delete_object(file.key)
    _delete_other_derivatives(file)
    return _finish(
        file,
        run,
        to_state=FileState.REJECTED,
        fields={"reason": code},
        data={"reason": code, **(data or {})},
        queue=[lambda move: _tell_entrant_of_rejection(move.obj)],
    )


def _queue_match_finding(file):
    """Once the file is ready, look for the same file or a similar image in
    other entries (services.duplicates)."""
    enqueue("submissions.find_file_matches", file.pk)


def _tell_entrant_of_rejection(file):
    """An entrant whose entry is already submitted may not be watching the page:
    tell them by mail, so that they can replace the file while they still may."""
    if file.entry.state == EntryState.SUBMITTED:
        enqueue("submissions.mail_file_rejected", file.pk)


def _fail(file, run, code, *, data=None):
    return _finish(
        file,
        run,
        to_state=FileState.FAILED,
        fields={"reason": code},
        data={"reason": code, **(data or {})},
    )


def _finish(file, run, *, to_state, fields, data, queue=()):
    """Move the file from PROCESSING to its outcome, if this run still holds it."""
    return set_file_state(
        file,
        to_state,
        by=None,
        reason=fields.get("reason", ""),
        fields=fields,
        data=data,
        only_if=lambda current: (
            current.state == FileState.PROCESSING and current.processing_run == run
        ),
        queue=queue,
    )
