"""The mails of entering: each function is what one mail task does, in the
recipient's language. Each reads the object afresh and sends nothing when what
caused the mail no longer holds (an entry withdrawn, a draft submitted)."""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from artsprize.accounts.models import EntrantProfile
from artsprize.accounts.selectors import staff_to_tell
from artsprize.common.mail import mail_person, send_templated_mail
from submissions.enums import (
    EntryState,
    FileState,
    GuardianState,
    RoundState,
    ScreeningState,
)
from submissions.models import ArtworkFile, DataArchive, Entry, Round
from submissions.rules import replacement_deadline
from submissions.selectors.credits import public_credit
from submissions.services.guardians import GUARDIAN_LINK_MAX_AGE, guardian_link
from submissions.services.refusals import rejection_message

logger = logging.getLogger(__name__)


def _entries_url():
    return settings.SITE_URL.rstrip("/") + reverse("my_entries")


def _entry(entry_id):
    return (
        Entry.objects.select_related("round", "category", "entrant")
        .filter(pk=entry_id)
        .first()
    )


def send_round_state_changed(round_id, old_state, new_state):
    """Tell every member of staff that a round changed state."""
    round_ = Round.objects.filter(pk=round_id).first()
    if round_ is None:
        logger.info("Round %s is gone; no mail sent.", round_id)
        return
    for user in staff_to_tell():
        # The labels are lazy: each mail renders them in its reader's language.
        mail_person(
            user,
            "submissions/mail/round_state_changed",
            {
                "round": round_,
                "old_state": RoundState(old_state).label,
                "new_state": RoundState(new_state).label,
            },
        )


def receipt_context(entry):
    """What the receipt mail shows: the reference, the time in Hong Kong, the files."""
    files = list(entry.files.order_by("position", "id"))
    uploading = any(file.state == FileState.AWAITING_UPLOAD for file in files)
    return {
        "entry": entry,
        "files": files,
        "uploads_end": entry.round.uploads_end_at if uploading else None,
        "guardian_pending": entry.guardian_state == GuardianState.PENDING,
        "entries_url": _entries_url(),
        "credit": public_credit(entry),
    }


def send_entry_receipt(entry_id):
    """The receipt of a submitted entry. An artist filed by a caseworker may have no
    address: the printable receipt page is theirs."""
    entry = _entry(entry_id)
    if entry is None or entry.state != EntryState.SUBMITTED:
        logger.info("Entry %s is not submitted; no receipt mailed.", entry_id)
        return
    if not entry.entrant.email:
        logger.info("Entry %s: the entrant has no e-mail address.", entry_id)
        return
    mail_person(
        entry.entrant,
        "submissions/mail/entry_receipt",
        receipt_context(entry),
    )


def _credit_name(user):
    profile = EntrantProfile.objects.filter(user=user).first()
    return str(profile) if profile else ""


def send_guardian_request(entry_id):
    """Ask the guardian of an entrant under 18 to confirm, in the entrant's language
    (the language the family chose for the portal)."""
    entry = _entry(entry_id)
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


def send_deadline_reminder(entry_id, reminder):
    """Remind an entrant that a draft is not entered until it is submitted."""
    entry = _entry(entry_id)
    if entry is None or entry.state != EntryState.DRAFT or not entry.entrant.email:
        logger.info("Entry %s needs no reminder now.", entry_id)
        return
    mail_person(
        entry.entrant,
        "submissions/mail/deadline_reminder",
        {"entry": entry, "entries_url": _entries_url()},
    )


def send_uploads_dropped(entry_id, names):
    """Tell an entrant which files did not finish in time."""
    entry = Entry.objects.select_related("round", "entrant").filter(pk=entry_id).first()
    if entry is None or not entry.entrant.email:
        logger.info("Entry %s: nobody to tell of dropped uploads.", entry_id)
        return
    mail_person(
        entry.entrant,
        "submissions/mail/uploads_dropped",
        {"entry": entry, "names": names, "entries_url": _entries_url()},
    )


def send_file_rejected(file_id):
    """Tell the entrant of a submitted entry that one of its files was refused,
    why, and until when they may replace it."""
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
    mail_person(
        entrant,
        "submissions/mail/file_rejected",
        {
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


def send_data_archive_ready(archive_id):
    """Tell whoever asked for a copy of a person's data that it is ready, with the
    link to fetch it and until when it can be fetched."""
    archive = (
        DataArchive.objects.select_related("person__profile", "requested_by")
        .filter(pk=archive_id, ready_at__isnull=False)
        .first()
    )
    recipient = archive.requested_by if archive else None
    if recipient is None or not recipient.email or not recipient.is_active:
        logger.info("Data archive %s: nobody to tell.", archive_id)
        return
    for_artist = recipient.pk != archive.person_id
    mail_person(
        recipient,
        "submissions/mail/data_archive_ready",
        {
            "archive": archive,
            "for_artist": for_artist,
            "artist_name": _legal_name(archive.person) if for_artist else "",
            "download_url": settings.SITE_URL.rstrip("/")
            + reverse("data_archive_download", args=[archive.uuid]),
        },
    )


def _legal_name(user):
    profile = EntrantProfile.objects.filter(user=user).first()
    return profile.legal_name if profile else ""


def send_account_deleted(address, language, deleted, waiting):
    """Tell a person who deleted their account what was deleted and what will
    still happen, at the address they had (the account holds it no more).
    ``waiting`` lists ``[reference, round id]`` of the entries deleted when their
    round's results are published."""
    rounds = Round.objects.in_bulk({round_id for _reference, round_id in waiting})
    send_templated_mail(
        "submissions/mail/account_deleted",
        to=[address],
        language=language,
        context={
            "deleted": deleted,
            "waiting": [
                (reference, rounds.get(round_id)) for reference, round_id in waiting
            ],
        },
    )


def _screening_recipients(entrant, entries):
    """The entrant, or when they have no address the caseworkers who filed the
    entries (each told whom they filed for)."""
    if entrant.email:
        return [(entrant, entries)]
    filers = {}
    for entry in entries:
        if entry.filed_by is not None and entry.filed_by.email:
            filers.setdefault(entry.filed_by, []).append(entry)
    return list(filers.items())


def send_screening_results(round_id, entrant_id):
    """Tell an entrant the outcome of screening for all their entries of a round."""
    round_ = Round.objects.filter(pk=round_id).first()
    if round_ is None or round_.screening_released_at is None:
        logger.info("Round %s: no screening results released.", round_id)
        return
    entries = list(
        Entry.objects.filter(
            round=round_, entrant_id=entrant_id, state=EntryState.SUBMITTED
        )
        .exclude(screening=ScreeningState.UNSCREENED)
        .select_related("round", "entrant", "filed_by")
        .order_by("reference")
    )
    if not entries:
        logger.info("Round %s, entrant %s: no screened entry.", round_id, entrant_id)
        return
    entrant = entries[0].entrant
    recipients = _screening_recipients(entrant, entries)
    if not recipients:
        logger.info("Entrant %s: nobody to tell of screening.", entrant_id)
    for person, theirs in recipients:
        mail_person(
            person,
            "submissions/mail/screening_results",
            {
                "round": round_,
                "entries": theirs,
                "filed_for": public_credit(entries[0]) if person != entrant else "",
                "any_eligible": any(
                    entry.screening == ScreeningState.ELIGIBLE for entry in theirs
                ),
                "any_ineligible": any(
                    entry.screening == ScreeningState.INELIGIBLE for entry in theirs
                ),
                "entries_url": _entries_url(),
            },
        )


def send_screening_changed(entry_id):
    """Tell an entrant that the screening of an entry was corrected after the
    results were released."""
    entry = (
        Entry.objects.select_related("round", "entrant", "filed_by")
        .filter(pk=entry_id, state=EntryState.SUBMITTED)
        .first()
    )
    if entry is None or entry.round.screening_released_at is None:
        logger.info("Entry %s: no released screening to correct.", entry_id)
        return
    for person, _entries in _screening_recipients(entry.entrant, [entry]):
        mail_person(
            person,
            "submissions/mail/screening_changed",
            {"entry": entry, "entries_url": _entries_url()},
        )


def send_results(round_id, entrant_id):
    """Tell an entrant the results of a round for all their submitted entries:
    each one awarded (and which awards), shortlisted, not selected, or not
    eligible (as screening said)."""
    round_ = Round.objects.filter(pk=round_id, state=RoundState.PUBLISHED).first()
    if round_ is None:
        logger.info("Round %s: no results published.", round_id)
        return
    entries = list(
        Entry.objects.filter(
            round=round_, entrant_id=entrant_id, state=EntryState.SUBMITTED
        )
        .select_related("round", "entrant", "filed_by")
        .order_by("reference")
    )
    if not entries:
        logger.info("Round %s, entrant %s: no submitted entry.", round_id, entrant_id)
        return
    entrant = entries[0].entrant
    for person, theirs in _screening_recipients(entrant, entries):
        mail_person(
            person,
            "submissions/mail/results",
            {
                "round": round_,
                "entries": theirs,
                "filed_for": public_credit(entries[0]) if person != entrant else "",
                "any_awarded": any(entry.result == "awarded" for entry in theirs),
                "results_url": round_.results_url,
                "entries_url": _entries_url(),
            },
        )
