"""The Celery tasks of entering, each a thin wrapper of a service: primary keys
in, the object read afresh by the service. Services send them through
``artsprize.common.outbox.enqueue`` by their names; nothing imports this module
but Celery."""

import logging

from celery import shared_task

from artsprize.common.outbox import MailTask, OutboxTask
from submissions.services import (
    duplicates,
    notifications,
    privacy,
    processing,
    public_copies,
)
from submissions.services.cleanup import clean_up_uploads, drop_uploads_after_grace
from submissions.services.reminders import remind_unsubmitted_drafts
from submissions.services.retention import purge_files_after_retention
from submissions.services.rounds import open_and_close_due_rounds

logger = logging.getLogger(__name__)

# Storage faults are retried after 30 s, 1, 2, 4 and 8 minutes; after that the
# file stays FAILED and staff retry it from its page.
PROCESSING_RETRIES = 5


# Beat -------------------------------------------------------------------------


@shared_task(name="submissions.open_and_close_due_rounds")
def open_and_close_due_rounds_task():
    opened, closed = open_and_close_due_rounds()
    if opened or closed:
        logger.info("Rounds opened: %s; closed: %s", opened, closed)


@shared_task(name="submissions.remind_unsubmitted_drafts")
def remind_unsubmitted_drafts_task():
    reminded = remind_unsubmitted_drafts()
    if any(reminded.values()):
        logger.info("Deadline reminders queued: %s", reminded)


@shared_task(name="submissions.clean_up_uploads")
def clean_up_uploads_task():
    """Abort uploads abandoned for a day and delete originals no file refers to."""
    result = clean_up_uploads()
    if any(result.values()):
        logger.info(
            "Upload clean-up: %(files)s files, %(uploads)s multipart uploads and "
            "%(objects)s objects removed.",
            result,
        )


@shared_task(name="submissions.drop_uploads_after_grace")
def drop_uploads_after_grace_task():
    told = drop_uploads_after_grace()
    if told:
        logger.info("Unfinished uploads dropped after the grace window: %s", told)


@shared_task(name="submissions.requeue_stuck_files")
def requeue_stuck_files_task():
    requeued = processing.requeue_stuck_files()
    if requeued:
        logger.warning("Files queued again for processing: %s", requeued)


@shared_task(name="submissions.delete_expired_data_archives")
def delete_expired_data_archives_task():
    deleted = privacy.delete_expired_archives()
    if deleted:
        logger.info("Copies of data deleted after they expired: %s", deleted)


@shared_task(name="submissions.purge_files_after_retention")
def purge_files_after_retention_task():
    purged = purge_files_after_retention()
    if purged:
        logger.info("Files purged after their rounds' retention: %s", purged)


# A person's data ----------------------------------------------------------------


@shared_task(name="submissions.build_data_archive", base=OutboxTask)
def build_data_archive_task(archive_id):
    privacy.build_data_archive(archive_id)


@shared_task(name="submissions.delete_entries_waiting_for_publication", base=OutboxTask)
def delete_entries_waiting_for_publication_task(round_id):
    privacy.delete_entries_waiting_for_publication(round_id)


@shared_task(name="submissions.remove_public_copies", base=OutboxTask)
def remove_public_copies_task(entry_id):
    public_copies.remove_public_copies(entry_id)


# Mails --------------------------------------------------------------------------


@shared_task(name="submissions.mail_staff_round_state_changed", base=MailTask)
def mail_staff_round_state_changed(round_id, old_state, new_state):
    notifications.send_round_state_changed(round_id, old_state, new_state)


@shared_task(name="submissions.mail_entry_receipt", base=MailTask)
def mail_entry_receipt(entry_id):
    notifications.send_entry_receipt(entry_id)


@shared_task(name="submissions.mail_guardian_confirmation", base=MailTask)
def mail_guardian_confirmation(entry_id):
    notifications.send_guardian_request(entry_id)


@shared_task(name="submissions.mail_deadline_reminder", base=MailTask)
def mail_deadline_reminder(entry_id, reminder):
    notifications.send_deadline_reminder(entry_id, reminder)


@shared_task(name="submissions.mail_uploads_dropped", base=MailTask)
def mail_uploads_dropped(entry_id, names):
    notifications.send_uploads_dropped(entry_id, names)


@shared_task(name="submissions.mail_file_rejected", base=MailTask)
def mail_file_rejected(file_id):
    notifications.send_file_rejected(file_id)


@shared_task(name="submissions.mail_data_archive_ready", base=MailTask)
def mail_data_archive_ready(archive_id):
    notifications.send_data_archive_ready(archive_id)


@shared_task(name="submissions.mail_account_deleted", base=MailTask)
def mail_account_deleted(address, language, deleted, waiting):
    notifications.send_account_deleted(address, language, deleted, waiting)


@shared_task(name="submissions.mail_results", base=MailTask)
def mail_results(round_id, entrant_id):
    notifications.send_results(round_id, entrant_id)


@shared_task(name="submissions.mail_screening_results", base=MailTask)
def mail_screening_results(round_id, entrant_id):
    notifications.send_screening_results(round_id, entrant_id)


@shared_task(name="submissions.mail_screening_changed", base=MailTask)
def mail_screening_changed(entry_id):
    notifications.send_screening_changed(entry_id)


# Processing -------------------------------------------------------------------


@shared_task(
    name="submissions.process_file",
    base=OutboxTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=PROCESSING_RETRIES,
)
def process_file_task(self, file_id):
    """Process one uploaded file. The message is acknowledged only when the run
    ends, so a worker that dies mid-run leaves it to be delivered again; the run
    keeps its task ID and so carries on with the file it held."""
    try:
        processing.process_file(file_id, run=self.request.id)
    except processing.ProcessingUnavailable as error:
        if self.request.retries >= self.max_retries:
            logger.error("File %s: storage still failing, left FAILED.", file_id)
            return
        countdown = 30 * 2**self.request.retries
        raise self.retry(exc=error, countdown=countdown) from error


# Duplicates -------------------------------------------------------------------


@shared_task(name="submissions.find_file_matches", base=OutboxTask)
def find_file_matches_task(file_id):
    """Record the files of other entries that are the same as a ready file, or
    images similar to it."""
    duplicates.find_file_matches(file_id)
