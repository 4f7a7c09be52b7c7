import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from artsprize.accounts.enums import Role
from artsprize.accounts.models import EntrantProfile
from artsprize.common.mail import send_templated_mail
from submissions.enums import EntryState, FileState, GuardianState, RoundState
from submissions.models import Entry, Round
from submissions.selectors import public_credit
from submissions.services.entries import remind_unsubmitted_drafts
from submissions.services.rounds import open_and_close_due_rounds

logger = logging.getLogger(__name__)


@shared_task(name="submissions.open_and_close_due_rounds")
def open_and_close_due_rounds_task():
    opened, closed = open_and_close_due_rounds()
    if opened or closed:
        logger.info("Rounds opened: %s; closed: %s", opened, closed)


@shared_task(name="submissions.mail_staff_round_state_changed")
def mail_staff_round_state_changed(round_id, old_state, new_state):
    round_ = Round.objects.filter(pk=round_id).first()
    if round_ is None:
        logger.info("Round %s is gone; no mail sent.", round_id)
        return
    staff = (
        get_user_model()
        .objects.filter(Q(groups__name=Role.STAFF) | Q(is_superuser=True))
        .filter(is_active=True)
        .exclude(Q(email__isnull=True) | Q(email=""))
        .distinct()
        .order_by("pk")
    )
    for user in staff:
        # The labels are lazy: each mail renders them in its reader's language.
        send_templated_mail(
            "submissions/mail/round_state_changed",
            to=[user.email],
            language=user.language,
            context={
                "round": round_,
                "old_state": RoundState(old_state).label,
                "new_state": RoundState(new_state).label,
            },
        )


def _entries_url():
    return settings.SITE_URL.rstrip("/") + reverse("my_entries")


def receipt_context(entry):
    """What the receipt mail shows: the reference, the time in Hong Kong, the files."""
    files = list(entry.files.order_by("position", "id"))
    uploading = [
        file
        for file in files
        if file.state == FileState.AWAITING_UPLOAD and entry.round.closes_at is not None
    ]
    return {
        "entry": entry,
        "files": files,
        "uploads_end": (
            entry.round.closes_at
            + datetime.timedelta(minutes=entry.round.upload_grace_minutes)
            if uploading
            else None
        ),
        "guardian_pending": entry.guardian_state == GuardianState.PENDING,
        "entries_url": _entries_url(),
        "credit": public_credit(entry),
    }


@shared_task(name="submissions.mail_entry_receipt")
def mail_entry_receipt(entry_id):
    """The receipt of a submitted entry, in the entrant's language. An artist filed
    by a caseworker may have no address: the printable receipt page is theirs."""
    entry = (
        Entry.objects.select_related("round", "category", "entrant")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None or entry.state != EntryState.SUBMITTED:
        logger.info("Entry %s is not submitted; no receipt mailed.", entry_id)
        return
    if not entry.entrant.email:
        logger.info("Entry %s: the entrant has no e-mail address.", entry_id)
        return
    send_templated_mail(
        "submissions/mail/entry_receipt",
        to=[entry.entrant.email],
        language=entry.entrant.language,
        context=receipt_context(entry),
    )


def _credit_name(user):
    profile = EntrantProfile.objects.filter(user=user).first()
    return str(profile) if profile else ""


@shared_task(name="submissions.mail_guardian_confirmation")
def mail_guardian_confirmation(entry_id):
    """Ask the guardian of an entrant under 18 to confirm, in the entrant's language
    (the language the family chose for the portal)."""
    from submissions.services.guardians import GUARDIAN_LINK_MAX_AGE, guardian_link

    entry = (
        Entry.objects.select_related("round", "category", "entrant")
        .filter(pk=entry_id)
        .first()
    )
    if (
        entry is None
        or entry.state != EntryState.SUBMITTED
        or entry.guardian_state != GuardianState.PENDING
        or not entry.guardian_email
    ):
        logger.info("Entry %s awaits no guardian; no mail sent.", entry_id)
        return
    language = entry.entrant.language
    send_templated_mail(
        "submissions/mail/guardian_confirmation",
        to=[entry.guardian_email],
        language=language,
        context={
            "entry": entry,
            "credit_name": _credit_name(entry.entrant),
            "confirm_url": guardian_link(entry, language=language),
            "days": GUARDIAN_LINK_MAX_AGE.days,
        },
    )


@shared_task(name="submissions.remind_unsubmitted_drafts")
def remind_unsubmitted_drafts_task():
    reminded = remind_unsubmitted_drafts()
    if any(reminded.values()):
        logger.info("Deadline reminders queued: %s", reminded)


@shared_task(name="submissions.mail_deadline_reminder")
def mail_deadline_reminder(entry_id, reminder):
    """Remind an entrant that a draft is not entered until it is submitted."""
    entry = (
        Entry.objects.select_related("round", "category", "entrant")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None or entry.state != EntryState.DRAFT or not entry.entrant.email:
        logger.info("Entry %s needs no reminder now.", entry_id)
        return
    send_templated_mail(
        "submissions/mail/deadline_reminder",
        to=[entry.entrant.email],
        language=entry.entrant.language,
        context={"entry": entry, "entries_url": _entries_url()},
    )


@shared_task(name="submissions.clean_up_uploads")
def clean_up_uploads_task():
    """Abort uploads abandoned for a day and delete originals no file refers to."""
    from submissions.services.uploads import clean_up_uploads

    result = clean_up_uploads()
    if any(result.values()):
        logger.info(
            "Upload clean-up: %(files)s files, %(uploads)s multipart uploads and "
            "%(objects)s objects removed.",
            result,
        )


@shared_task(name="submissions.drop_uploads_after_grace")
def drop_uploads_after_grace_task():
    from submissions.services.uploads import drop_uploads_after_grace

    told = drop_uploads_after_grace()
    if told:
        logger.info("Unfinished uploads dropped after the grace window: %s", told)


@shared_task(name="submissions.mail_uploads_dropped")
def mail_uploads_dropped(entry_id, names):
    """Tell an entrant, in their language, which files did not finish in time."""
    entry = Entry.objects.select_related("round", "entrant").filter(pk=entry_id).first()
    if entry is None or not entry.entrant.email:
        logger.info("Entry %s: nobody to tell of dropped uploads.", entry_id)
        return
    send_templated_mail(
        "submissions/mail/uploads_dropped",
        to=[entry.entrant.email],
        language=entry.entrant.language,
        context={"entry": entry, "names": names, "entries_url": _entries_url()},
    )


# Processing of uploaded works -----------------------------------------------

# Storage faults are retried after 30 s, 1, 2, 4 and 8 minutes (with jitter);
# after that the file stays FAILED and staff retry it from its page.
PROCESSING_RETRIES = 5


@shared_task(
    name="submissions.process_file",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=PROCESSING_RETRIES,
)
def process_file_task(self, file_id):
    """Process one uploaded file. The message is acknowledged only when the run
    ends, so a worker that dies mid-run leaves it to be delivered again; the run
    keeps its task ID and so carries on with the file it held."""
    from submissions.services.processing import ProcessingUnavailable, process_file

    try:
        process_file(file_id, run=self.request.id)
    except ProcessingUnavailable as error:
        if self.request.retries >= self.max_retries:
            logger.error("File %s: storage still failing, left FAILED.", file_id)
            return
        countdown = 30 * 2**self.request.retries
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task(name="submissions.requeue_stuck_files")
def requeue_stuck_files_task():
    from submissions.services.processing import requeue_stuck_files

    requeued = requeue_stuck_files()
    if requeued:
        logger.warning("Files queued again for processing: %s", requeued)


@shared_task(name="submissions.mail_file_rejected")
def mail_file_rejected(file_id):
    """Tell the entrant of a submitted entry that one of its files was refused,
    why, and until when they may replace it."""
    from submissions.models import ArtworkFile
    from submissions.services.processing import rejection_message
    from submissions.services.uploads import replacement_deadline

    file = (
        ArtworkFile.objects.select_related("entry__round", "entry__entrant")
        .filter(pk=file_id, state=FileState.REJECTED)
        .first()
    )
    if file is None or not file.entry.entrant.email:
        logger.info("File %s: nobody to tell of a rejection.", file_id)
        return
    entrant = file.entry.entrant
    deadline = replacement_deadline(file.entry)
    send_templated_mail(
        "submissions/mail/file_rejected",
        to=[entrant.email],
        language=entrant.language,
        context={
            "entry": file.entry,
            "file": file,
            "reason": rejection_message(file.reason),
            # Past the grace window the file can no longer be replaced.
            "replace_until": deadline
            if deadline and deadline > timezone.now()
            else None,
            "entries_url": _entries_url(),
        },
    )
