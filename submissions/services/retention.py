"""How long the files of a round are kept: its ``retention_months`` after its
results are published, the originals and copies of the entries that were not
shortlisted are deleted, from storage and from the database. The entries' rows
stay (judging's anonymous scores refer to them). Run by beat; idempotent."""

import logging

from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.utils import timezone

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from submissions.models import ArtworkFile, Round
from submissions.services.files import delete_file

logger = logging.getLogger(__name__)

PURGE_REASON = "retention"


def retention_ends_at(round_):
    """When the files of ``round_``'s entries not shortlisted are deleted; None
    while its results are unpublished or when it keeps them."""
    if round_.published_at is None or round_.retention_months is None:
        return None
    return round_.published_at + relativedelta(months=round_.retention_months)


def purge_round_files(round_, *, now=None):
    """Delete the originals and copies of ``round_``'s entries that were not
    shortlisted, once its retention has ended. Returns how many files and copies
    went (none when its time has not come, or on a second run)."""
    now = now or timezone.now()
    result = {"files": 0, "derivatives": 0}
    ends_at = retention_ends_at(round_)
    if ends_at is None or ends_at > now:
        return result
    due = (
        ArtworkFile.objects.filter(
            entry__round=round_, entry__shortlisted_at__isnull=True
        )
        .annotate(copies=Count("derivatives"))
        .order_by("pk")
    )
    for file in due.iterator():
        delete_file(file, by=None, reason=PURGE_REASON)
        result["files"] += 1
        result["derivatives"] += file.copies
    if result["files"]:
        record_event(
            actor=None,
            verb=AuditVerb.FILES_PURGED,
            obj=round_,
            reason=PURGE_REASON,
            data={**result, "retention_months": round_.retention_months},
        )
        logger.info(
            "Round %s: %s files and %s copies purged after %s months.",
            round_.pk,
            result["files"],
            result["derivatives"],
            round_.retention_months,
        )
    return result


def purge_files_after_retention(*, now=None):
    """Purge every round whose retention has ended. Returns ``{round id: counts}``
    of the rounds where anything went."""
    now = now or timezone.now()
    rounds = Round.objects.filter(
        published_at__lte=now, retention_months__isnull=False
    ).order_by("pk")
    purged = {}
    for round_ in rounds:
        result = purge_round_files(round_, now=now)
        if result["files"]:
            purged[round_.pk] = result
    return purged
