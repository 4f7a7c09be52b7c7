"""A person's rights over their data under Hong Kong's Personal Data (Privacy)
Ordinance: a copy of everything the portal holds of them, and deleting their
account.

A copy is one ZIP archive, built by a worker into a temporary file (each original
streamed from storage into it, never held whole in memory) and stored in the
private bucket under a random key. It is fetched through a page that only its
person (or the caseworker who asked for it for an artist they registered) can
reach, which redirects to a short-lived presigned URL; beat deletes it after
``ARCHIVE_LIFETIME``.

Deleting an account removes drafts and the entries of rounds already published
at once, with every stored object of their files; submitted entries of rounds
not yet published are withdrawn and deleted when their round's results are
published (``delete_entries_waiting_for_publication``), and the account's row,
already emptied of personal data, goes with the last of them.
"""

import datetime
import json
import logging
import tempfile
import uuid
import zipfile
from contextlib import closing
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.models import EntrantProfile
from artsprize.accounts.services import erase_account, remove_erased_account
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from artsprize.common.outbox import enqueue
from submissions import storage
from submissions.enums import EntryState, FileState, RoundState
from submissions.errors import PrivacyError
from submissions.models import ArtworkFile, DataArchive, Entry, Round
from submissions.rules import has_no_role
from submissions.services.entries import CONSENT_FIELDS, set_entry_state
from submissions.services.files import delete_file

logger = logging.getLogger(__name__)

ARCHIVES_PREFIX = "archives/"
ARCHIVE_CONTENT_TYPE = "application/zip"
# How long a ready copy can be fetched before beat deletes it.
ARCHIVE_LIFETIME = datetime.timedelta(days=7)
# A copy still in preparation this long after it was asked for was lost (a
# worker that died): it no longer keeps its person from asking again, and beat
# deletes it.
PREPARATION_LIMIT = datetime.timedelta(hours=6)
# Originals are copied into the archive a MiB at a time.
CHUNK_BYTES = 1024 * 1024
# The reason the audit log gives for what a deletion of an account removed.
ACCOUNT_DELETED_REASON = "account_deleted"

ARCHIVE_IN_PREPARATION = _(
    "A copy of this data is already being prepared. You will get an e-mail when "
    "it is ready; then you can ask for another."
)
ACCOUNT_ALREADY_DELETED = _("This account has been deleted.")
HAS_ROLE = _(
    "Accounts of staff, judges and caseworkers are removed by the prize's staff. "
    "Please ask them."
)
STORAGE_UNAVAILABLE = _(
    "The files could not be deleted just now, so nothing was changed. Please try "
    "again in a few minutes."
)


# A copy of a person's data ---------------------------------------------------------


def _give_up_lost_archives(person, now):
    DataArchive.objects.filter(
        person=person,
        ready_at__isnull=True,
        failed_at__isnull=True,
        created_at__lt=now - PREPARATION_LIMIT,
    ).update(failed_at=now)


def request_data_archive(person, *, by, now=None):
    """Ask for a copy of everything held of ``person``; ``by`` is the person, or
    the caseworker who registered them. One copy at a time is prepared per
    person. Returns the archive, in preparation."""
    now = now or timezone.now()
    if person.deleted_at is not None:
        raise PrivacyError(ACCOUNT_ALREADY_DELETED, code="account_deleted")
    try:
        with transaction.atomic():
            _give_up_lost_archives(person, now)
            archive = DataArchive.objects.create(person=person, requested_by=by)
            record_event(
                actor=by,
                verb=AuditVerb.DATA_ARCHIVE_REQUESTED,
                obj=person,
                data={"archive": archive.pk},
            )
            enqueue("submissions.build_data_archive", archive.pk)
    except IntegrityError as error:
        # The constraint holds one copy in preparation per person, also when two
        # requests arrive at once.
        raise PrivacyError(
            ARCHIVE_IN_PREPARATION, code="archive_in_preparation"
        ) from error
    return archive


def archives_of(person, *, requested_by=None, now=None):
    """The copies of ``person``'s data that are in preparation or can still be
    fetched, newest first; ``requested_by`` keeps those that person asked for."""
    now = now or timezone.now()
    archives = DataArchive.objects.filter(person=person, failed_at__isnull=True)
    if requested_by is not None:
        archives = archives.filter(requested_by=requested_by)
    return archives.filter(
        Q(ready_at__isnull=True, created_at__gte=now - PREPARATION_LIMIT)
        | Q(expires_at__gt=now)
    ).order_by("-created_at", "-pk")


def archive_is_available(archive, *, now=None):
    now = now or timezone.now()
    return archive.ready_at is not None and archive.expires_at > now


def archive_download_url(archive, *, now=None):
    """A short-lived URL that downloads a ready copy; None once it has expired."""
    if not archive_is_available(archive, now=now):
        return None
    day = timezone.localdate(archive.ready_at)
    return storage.presign_download(
        archive.key,
        filename=f"artsprize-data-{day:%Y-%m-%d}.zip",
        content_type=ARCHIVE_CONTENT_TYPE,
    )


def build_data_archive(archive_id, *, now=None):
    """Build and store the copy ``archive_id``, then mail the person who asked.

    Idempotent: a copy already ready, failed or gone is left alone. A store that
    fails marks the copy failed, so that its person may ask again at once.
    Returns the archive, or None when it is gone.
    """
    archive = (
        DataArchive.objects.select_related("person", "requested_by")
        .filter(pk=archive_id)
        .first()
    )
    if archive is None or not archive.in_preparation:
        logger.info("Data archive %s is not in preparation; left alone.", archive_id)
        return archive
    key = f"{ARCHIVES_PREFIX}{uuid.uuid4().hex}.zip"
    try:
        with tempfile.NamedTemporaryFile(suffix=".zip") as spool:
            with zipfile.ZipFile(
                spool, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True
            ) as archive_file:
                write_archive(archive.person, archive_file, now=now)
            spool.flush()
            size = spool.tell()
            storage.put_file(key, spool.name, content_type=ARCHIVE_CONTENT_TYPE)
    except (BotoCoreError, ClientError, OSError):
        logger.exception("Data archive %s could not be built.", archive_id)
        DataArchive.objects.filter(pk=archive.pk, ready_at__isnull=True).update(
            failed_at=timezone.now()
        )
        storage.delete_leftover(key)
        archive.refresh_from_db()
        return archive
    ready_at = now or timezone.now()
    with transaction.atomic():
        done = DataArchive.objects.filter(
            pk=archive.pk, ready_at__isnull=True, failed_at__isnull=True
        ).update(
            key=key,
            size=size,
            ready_at=ready_at,
            expires_at=ready_at + ARCHIVE_LIFETIME,
        )
        if done:
            enqueue("submissions.mail_data_archive_ready", archive.pk)
    if not done:
        # Given up on while it was being built: this copy is nobody's.
        storage.delete_leftover(key)
    archive.refresh_from_db()
    return archive


def delete_expired_archives(*, now=None):
    """Delete the copies whose time is up, from storage and from the database:
    expired ones, failed ones and those lost in preparation. Returns how many."""
    now = now or timezone.now()
    due = DataArchive.objects.filter(
        Q(expires_at__lte=now)
        | Q(failed_at__isnull=False)
        | Q(ready_at__isnull=True, created_at__lt=now - PREPARATION_LIMIT)
    ).order_by("pk")
    deleted = 0
    for archive in due:
        if archive.key:
            storage.delete_object(archive.key)
        DataArchive.objects.filter(pk=archive.pk).delete()
        deleted += 1
    return deleted


def _moment(value):
    return value.isoformat() if value else None


def _profile_data(person):
    profile = EntrantProfile.objects.filter(user=person).first()
    data = {
        "account": {
            "email": person.email,
            "language": person.language,
            "joined_at": _moment(person.date_joined),
        },
        "profile": None,
    }
    if profile is not None:
        data["profile"] = {
            "legal_name": profile.legal_name,
            "credit_name": profile.credit_name,
            "date_of_birth": profile.date_of_birth.isoformat(),
            "hong_kong_based": profile.hong_kong_based,
            "phone": profile.phone,
            "registered_by_caseworker": profile.registered_by_id is not None,
            "collection_statement_version": profile.pics_version,
            "collection_statement_accepted_at": _moment(profile.pics_accepted_at),
        }
    return profile, data


def _screening_released(entry):
    return entry.round.screening_released_at is not None


def _entry_data(entry, files):
    data = {
        "reference": entry.reference,
        "round": {"en": entry.round.title_en, "zh_hant": entry.round.title_zh_hant},
        "category": {
            "en": entry.category.name_en,
            "zh_hant": entry.category.name_zh_hant,
        },
        "state": entry.state,
        "created_at": _moment(entry.created_at),
        "submitted_at": _moment(entry.submitted_at),
        "withdrawn_at": _moment(entry.withdrawn_at),
        "title_en": entry.title_en,
        "title_zh_hant": entry.title_zh_hant,
        "medium": entry.medium,
        "year_made": entry.year_made,
        "dimensions": entry.dimensions,
        "statement": entry.statement,
        "text_work": entry.text_work,
        "credit": entry.credit,
        "consents": {
            field.removeprefix("consent_"): getattr(entry, field)
            for field in CONSENT_FIELDS
        },
        "filed_by_caseworker": entry.filed_by_id is not None,
        "consent_method": entry.consent_method,
        "consent_notes": entry.consent_notes,
        "guardian": {
            "name": entry.guardian_name,
            "email": entry.guardian_email,
            "state": entry.guardian_state,
            "confirmed_at": _moment(entry.guardian_confirmed_at),
        },
        "team": [
            {
                "name": member.name,
                "role": member.role,
                "agreed": member.agreed,
                "under_18": member.is_minor,
                "guardian_name": member.guardian_name,
                "guardian_agreed": member.guardian_agreed,
            }
            for member in entry.team_members.all()
        ],
        "files": files,
    }
    if _screening_released(entry):
        data["screening"] = {
            "outcome": entry.screening,
            "reason_en": entry.screening_reason_en,
            "reason_zh_hant": entry.screening_reason_zh_hant,
            "content_warning": entry.content_warning,
            "content_warning_note": entry.content_warning_note,
        }
    return data


def _safe_name(name):
    return "".join("_" if char in "/\\:\0" else char for char in name) or "file"


def _copy_original(archive_file, file, path):
    """Stream the original of ``file`` into the archive at ``path``; False when
    the store holds no object for it."""
    try:
        response = storage.client().get_object(Bucket=storage.bucket(), Key=file.key)
    except ClientError as error:
        if storage.is_missing(error):
            return False
        raise
    info = zipfile.ZipInfo(path, date_time=timezone.localtime().timetuple()[:6])
    # Images, video and sound are compressed already.
    info.compress_type = zipfile.ZIP_STORED
    body = response["Body"]
    with closing(body), archive_file.open(info, "w", force_zip64=True) as target:
        for chunk in body.iter_chunks(CHUNK_BYTES):
            target.write(chunk)
    return True


def _file_data(archive_file, file, folder):
    path = None
    if file.state != FileState.AWAITING_UPLOAD:
        candidate = (
            f"{folder}files/{file.position + 1:02d}-{_safe_name(file.original_name)}"
        )
        if _copy_original(archive_file, file, candidate):
            path = candidate
    return {
        "name": file.original_name,
        "kind": file.kind,
        "content_type": file.content_type,
        "size": file.size,
        "sha256": file.sha256,
        "state": file.state,
        "uploaded_at": _moment(file.uploaded_at),
        "description": file.alt_text,
        "in_archive": path,
    }


def _actor(event, person):
    if event.actor_id == person.pk:
        return "self"
    if event.actor_id is None and not event.actor_repr:
        return "system"
    return "other"


def _audit_events(person, profile, entries):
    """The events of the audit log about ``person``, their profile, their entries
    and the files of those; a screening, and a content warning staff set while
    screening, appear once the round's results of screening are released."""
    types = ContentType.objects.get_for_models(
        get_user_model(), EntrantProfile, Entry, ArtworkFile
    )
    user_type = types[get_user_model()]
    entry_ids = [entry.pk for entry in entries]
    file_ids = [str(file.pk) for entry in entries for file in entry.files.all()]
    about = Q(content_type=user_type, object_id=str(person.pk)) | Q(
        content_type=types[Entry], object_id__in=[str(pk) for pk in entry_ids]
    )
    if profile is not None:
        about |= Q(content_type=types[EntrantProfile], object_id=str(profile.pk))
    if entry_ids:
        about |= Q(content_type=types[ArtworkFile]) & (
            Q(object_id__in=file_ids) | Q(data__entry__in=entry_ids)
        )
    unreleased = [str(entry.pk) for entry in entries if not _screening_released(entry)]
    events = (
        AuditEvent.objects.filter(about)
        .exclude(
            Q(verb=AuditVerb.SCREENED) | Q(data__fields__contains=["content_warning"]),
            content_type=types[Entry],
            object_id__in=unreleased,
        )
        .select_related("content_type")
        .order_by("at", "pk")
    )
    return [
        {
            "at": _moment(event.at),
            "actor": _actor(event, person),
            "what": event.verb,
            "object": event.content_type.model,
            "object_id": event.object_id,
            "from": event.from_state,
            "to": event.to_state,
            "reason": event.reason,
            "details": event.data,
        }
        for event in events
    ]


def _write_json(archive_file, path, data):
    archive_file.writestr(
        path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    )


def write_archive(person, archive_file, *, now=None):
    """Write everything held of ``person`` into the open ``archive_file``: the
    profile (JSON and readable text), each entry with its files, and the audit
    events about them."""
    now = now or timezone.now()
    profile, profile_data = _profile_data(person)
    _write_json(archive_file, "profile.json", profile_data)
    entries = list(
        Entry.objects.filter(entrant=person)
        .select_related("round", "category")
        .prefetch_related("team_members", "files")
        .order_by("created_at", "pk")
    )
    listed = []
    for number, entry in enumerate(entries, start=1):
        folder = f"entries/{number:02d}-{entry.reference or 'draft'}/"
        files = [
            _file_data(archive_file, file, folder)
            for file in sorted(entry.files.all(), key=lambda f: (f.position, f.pk))
        ]
        _write_json(archive_file, f"{folder}entry.json", _entry_data(entry, files))
        listed.append((folder, entry))
    with translation.override(person.language):
        text = render_to_string(
            "submissions/privacy/archive_profile.txt",
            {
                "person": person,
                "profile": profile,
                "entries": listed,
                "made_at": now,
            },
        )
    archive_file.writestr("profile.txt", text)
    _write_json(
        archive_file, "audit_events.json", _audit_events(person, profile, entries)
    )


# Deleting an account -------------------------------------------------------------


@dataclass(frozen=True)
class AccountDeletion:
    """What deleting an account did: entries deleted at once, and those withdrawn
    to be deleted when their round's results are published."""

    deleted: int
    waiting: tuple


def _delete_entry(entry, *, reason):
    """Delete an entry with its files and every stored object of them. Returns
    how many files went."""
    files = list(entry.files.all())
    for file in files:
        delete_file(file, by=None, reason=reason)
    with transaction.atomic():
        record_event(
            actor=None,
            verb=AuditVerb.DELETED,
            obj=entry,
            from_state=entry.state,
            reason=reason,
            data={"round": entry.round_id},
        )
        Entry.objects.filter(pk=entry.pk).delete()
    return len(files)


def check_may_delete_account(person):
    if person.deleted_at is not None:
        raise PrivacyError(ACCOUNT_ALREADY_DELETED, code="account_deleted")
    if not has_no_role(person):
        raise PrivacyError(HAS_ROLE, code="has_role")


def delete_account(person, *, now=None):
    """Delete ``person``'s account at their request.

    At once: drafts, and entries of rounds whose results are published, go with
    every stored object of their files, and so do the copies of their data.
    Submitted entries of rounds not yet published are withdrawn and kept, without
    a way back to the person, until their round's results are published. The
    account is erased (``erase_account``) and, when no entry waits, removed. The
    person is mailed what happened, in their language, before the address goes.

    Storage is emptied first: when the store refuses, nothing else has changed
    and the person may try again.
    """
    now = now or timezone.now()
    check_may_delete_account(person)
    entries = list(
        Entry.objects.filter(entrant=person)
        .select_related("round")
        .order_by("created_at", "pk")
    )
    at_once = [
        entry
        for entry in entries
        if entry.state == EntryState.DRAFT or entry.round.state == RoundState.PUBLISHED
    ]
    waiting = [entry for entry in entries if entry not in at_once]
    try:
        for entry in at_once:
            _delete_entry(entry, reason=ACCOUNT_DELETED_REASON)
        for archive in DataArchive.objects.filter(person=person).exclude(key=""):
            storage.delete_object(archive.key)
    except (BotoCoreError, ClientError) as error:
        logger.exception("Account %s: stored objects could not be deleted.", person.pk)
        raise PrivacyError(STORAGE_UNAVAILABLE, code="storage_unavailable") from error
    address, language = person.email, person.language
    with transaction.atomic():
        for entry in waiting:
            if entry.state == EntryState.SUBMITTED:
                set_entry_state(
                    entry,
                    EntryState.WITHDRAWN,
                    by=person,
                    reason=ACCOUNT_DELETED_REASON,
                    now=now,
                )
        Entry.objects.filter(pk__in=[entry.pk for entry in waiting]).update(
            delete_when_published=True
        )
        DataArchive.objects.filter(person=person).delete()
        erased = erase_account(person, now=now)
        record_event(
            actor=None,
            verb=AuditVerb.ACCOUNT_DELETED,
            obj=erased,
            data={"entries_deleted": len(at_once), "entries_waiting": len(waiting)},
        )
        if address:
            enqueue(
                "submissions.mail_account_deleted",
                address,
                language,
                len(at_once),
                [[entry.reference, entry.round_id] for entry in waiting],
            )
        if not waiting:
            remove_erased_account(erased)
    logger.info(
        "Account %s deleted: %s entries deleted, %s waiting for publication.",
        person.pk,
        len(at_once),
        len(waiting),
    )
    return AccountDeletion(
        deleted=len(at_once), waiting=tuple(entry.pk for entry in waiting)
    )


def delete_entries_waiting_for_publication(round_id):
    """Delete the entries of ``round_id`` whose entrants deleted their accounts,
    now that its results are published, and remove the accounts that no entry
    refers to any more. Idempotent. Returns the counts."""
    result = {"entries": 0, "files": 0, "accounts": 0}
    round_ = Round.objects.filter(pk=round_id).first()
    if round_ is None or round_.state != RoundState.PUBLISHED:
        logger.info("Round %s is not published; no entries deleted.", round_id)
        return result
    waiting = list(
        Entry.objects.filter(round=round_, delete_when_published=True).order_by("pk")
    )
    entrants = {entry.entrant_id for entry in waiting}
    for entry in waiting:
        result["files"] += _delete_entry(entry, reason=ACCOUNT_DELETED_REASON)
        result["entries"] += 1
    erased = get_user_model().objects.filter(
        pk__in=entrants, deleted_at__isnull=False, entries__isnull=True
    )
    for person in erased:
        remove_erased_account(person)
        result["accounts"] += 1
    logger.info(
        "Round %s published: %s entries of deleted accounts deleted with %s files; "
        "%s accounts removed.",
        round_id,
        result["entries"],
        result["files"],
        result["accounts"],
    )
    return result
