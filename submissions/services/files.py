"""The life of an artwork file: the one function through which its state
changes, and its removal.

A file moves AWAITING_UPLOAD → UPLOADED (its upload completed and checked) or
REJECTED (the object that arrived is not the one announced), then UPLOADED or
FAILED → PROCESSING → READY, REJECTED or FAILED. READY and REJECTED are final:
a file is replaced by a new one, never moved back.
"""

from django.db import transaction
from django.utils import timezone

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.transitions import StateMachine
from submissions import storage
from submissions.enums import FileState
from submissions.errors import FileStateError
from submissions.models import ArtworkFile

FILE_TRANSITIONS = {
    FileState.AWAITING_UPLOAD: {FileState.UPLOADED, FileState.REJECTED},
    FileState.UPLOADED: {FileState.PROCESSING},
    FileState.PROCESSING: {FileState.READY, FileState.REJECTED, FileState.FAILED},
    FileState.FAILED: {FileState.PROCESSING},
    FileState.READY: set(),
    FileState.REJECTED: set(),
}

FILES = StateMachine(
    model=ArtworkFile,
    states=FileState,
    transitions=FILE_TRANSITIONS,
    refuse=FileStateError,
)


def _stamps(move, now):
    """The moment each move records on the file."""
    if move.new == FileState.UPLOADED:
        return {"uploaded_at": now}
    if move.new == FileState.PROCESSING:
        return {"processing_started_at": now}
    if move.new == FileState.READY or (
        move.new == FileState.REJECTED and move.old == FileState.PROCESSING
    ):
        return {"processed_at": now}
    return {}


def set_file_state(
    file,
    new_state,
    *,
    by,
    reason="",
    fields=None,
    data=None,
    only_if=None,
    queue=(),
    on_commit=(),
    verb=None,
    held=False,
    now=None,
):
    """Move ``file`` to ``new_state``; returns the locked row as it is afterwards.

    ``by`` is the entrant or staff member, None for the worker. ``fields`` are the
    other fields that change with the state (size, reason, facts); ``only_if``
    leaves the file as it is, without an error, when another request or run got
    there first; ``queue`` holds the side effects (see ``StateMachine.move``).
    Raises FileStateError for a move the table does not allow.
    """
    now = now or timezone.now()
    return FILES.move(
        file,
        new_state,
        by=by,
        reason=reason,
        only_if=only_if,
        changes=lambda move: {**_stamps(move, now), **(fields or {})},
        data=data,
        queue=queue,
        on_commit=on_commit,
        verb=verb,
        held=held,
    )


def delete_file(file, *, by, reason):
    """Remove a file and everything stored of it: an unfinished upload's parts or
    staged object, the kept original and the derivatives. The removal is audited
    with ``reason``; ``by`` is None for the clean-up."""
    staged = storage.staging_key(file.key)
    if file.upload_id:
        storage.abort_multipart_upload(staged, file.upload_id)
    # A single PUT, or a multipart upload completed a moment ago, left an object;
    # a finished upload left the kept one, and processing its derivatives.
    storage.delete_object(staged)
    storage.delete_object(file.key)
    for key in file.derivatives.values_list("key", flat=True):
        storage.delete_object(key)
    with transaction.atomic():
        record_event(
            actor=by,
            verb=AuditVerb.DELETED,
            obj=file,
            from_state=file.state,
            reason=reason,
            data={"entry": file.entry_id, "key": file.key},
        )
        ArtworkFile.objects.filter(pk=file.pk).delete()
