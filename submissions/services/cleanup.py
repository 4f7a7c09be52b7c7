"""Housekeeping of uploads: abandoned uploads aborted, objects no file needs
deleted, and uploads still unfinished when a grace window ends dropped (the
entrant told which). Run by beat."""

import itertools

from django.db import transaction
from django.utils import timezone

from artsprize.common.outbox import enqueue
from submissions import storage
from submissions.enums import EntryState, FileState, RoundState
from submissions.models import ArtworkFile, Derivative
from submissions.services.files import delete_file
from submissions.services.uploads import ABANDONED_AFTER


def clean_up_uploads(*, now=None):
    """Abort abandoned uploads and delete objects that no file needs.

    Only what has been left alone for a day (``ABANDONED_AFTER``) is touched, so
    an upload in progress, or an object whose file row is being written, is safe.
    Returns how many uploads, files and objects went.
    """
    now = now or timezone.now()
    cutoff = now - ABANDONED_AFTER
    result = {"files": 0, "uploads": 0, "objects": 0}

    stale = ArtworkFile.objects.filter(
        state=FileState.AWAITING_UPLOAD, updated_at__lt=cutoff
    ).order_by("pk")
    for file in stale.iterator():
        delete_file(file, by=None, reason="abandoned")
        result["files"] += 1

    unfinished = ArtworkFile.objects.filter(state=FileState.AWAITING_UPLOAD)
    needed = set(unfinished.exclude(upload_id="").values_list("upload_id", flat=True))
    # Uploads started before staging keys existed were made under originals/.
    for prefix in (storage.STAGING_PREFIX, storage.ORIGINALS_PREFIX):
        for upload in list(storage.multipart_uploads(prefix)):
            if upload["Initiated"] < cutoff and upload["UploadId"] not in needed:
                storage.abort_multipart_upload(upload["Key"], upload["UploadId"])
                result["uploads"] += 1

    # An original is needed while a file refers to it; a staged object only while
    # its file is still awaiting its upload (a URL replayed after completion may
    # have left one); a derivative while its row exists (a file removed while it
    # was being processed may have left some).
    for prefix, still_needed in (
        (storage.ORIGINALS_PREFIX, ArtworkFile.objects.all()),
        (storage.STAGING_PREFIX, unfinished),
        (storage.DERIVATIVES_PREFIX, Derivative.objects.all()),
    ):
        for page in storage.object_pages(prefix):
            old = {
                item["Key"]: storage.kept_key(item["Key"])
                for item in page
                if item["LastModified"] < cutoff
            }
            referenced = set(
                still_needed.filter(key__in=old.values()).values_list("key", flat=True)
            )
            for key, kept in old.items():
                if kept not in referenced:
                    storage.delete_object(key)
                    result["objects"] += 1
    return result


def drop_uploads_after_grace(*, now=None):
    """Drop the uploads still unfinished when their round's grace window has ended.

    The entrant of a submitted entry is told by mail which files were dropped, so
    that they know what the judges will not see. Returns the ids of the entries
    whose entrants are told.
    """
    now = now or timezone.now()
    unfinished = (
        ArtworkFile.objects.filter(
            state=FileState.AWAITING_UPLOAD, entry__round__closes_at__lt=now
        )
        .select_related("entry__round")
        .order_by("entry_id", "position", "pk")
    )
    due = [
        file
        for file in unfinished
        if file.entry.round.uploads_end_at <= now
        and not (
            file.entry.round.state == RoundState.OPEN
            and file.entry.round.closes_at > now
        )
    ]
    told = []
    for entry_id, files in itertools.groupby(due, key=lambda file: file.entry_id):
        files = list(files)
        # The mail is recorded with the removals it tells of.
        with transaction.atomic():
            for file in files:
                delete_file(file, by=None, reason="grace_window_ended")
            if files[0].entry.state == EntryState.SUBMITTED:
                names = [file.original_name for file in files]
                enqueue("submissions.mail_uploads_dropped", entry_id, names)
                told.append(entry_id)
    return told
