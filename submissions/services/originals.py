"""Opening an original file from the staff pages: audited, through a short-lived
URL.

An original is the file as the entrant uploaded it: it may hold the camera, the
place and the author's name, which the copies made for judges and the public
leave out. Staff open one deliberately (to check a work's eligibility, to print
it for the exhibition), one file at a time, and the audit log keeps who, when,
which entry and which of its files.
"""

from pathlib import PurePosixPath

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from submissions import storage
from submissions.errors import OriginalError
from submissions.models import ArtworkFile
from submissions.rules import file_is_downloadable


def file_number(file):
    """The place of ``file`` among its entry's files, from 1, in the order the
    entry's pages list them (by position)."""
    return 1 + (
        ArtworkFile.objects.filter(entry_id=file.entry_id)
        .filter(
            Q(position__lt=file.position) | Q(position=file.position, pk__lt=file.pk)
        )
        .count()
    )


def original_download_name(file, number):
    """The name the original is saved under: the entry and the file's number,
    never the entrant's own file name (``HRAP-2026-0042-2-original.jpg``; a
    draft, which has no reference code yet, goes by its ID)."""
    entry = file.entry
    label = entry.reference or f"entry-{entry.pk}"
    extension = PurePosixPath(file.original_name).suffix.lower()
    return f"{label}-{number}-original{extension}"


def open_original(file, *, by, number=None):
    """A URL that downloads the original of ``file``, valid S3_PRESIGN_SECONDS.

    Only staff who signed in with two-factor authentication may (the
    ``submissions.open_original`` permission), and only while the original is
    in storage (``rules.file_is_downloadable``). The audit event (the entry by
    its reference code, the file's number and ID) is written before the URL is
    made. ``number``: the file's place among its entry's files when the caller
    knows it.
    """
    if by is None or not by.has_perm("submissions.open_original", file):
        raise OriginalError(
            _(
                "Only staff who signed in with two-factor authentication may open "
                "an original file."
            ),
            code="not_allowed",
        )
    if not file_is_downloadable(by, file):
        raise OriginalError(
            _(
                "This file has no original to open: it has not finished uploading "
                "or was not accepted."
            ),
            code="not_available",
        )
    if number is None:
        number = file_number(file)
    record_event(
        actor=by,
        verb=AuditVerb.ORIGINAL_OPENED,
        obj=file.entry,
        data={"file": number, "file_id": file.pk},
    )
    return storage.presign_download(
        file.key,
        filename=original_download_name(file, number),
        content_type=file.content_type,
    )
