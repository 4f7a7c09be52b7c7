"""Reminders to entrants whose drafts are not submitted as the deadline nears."""

import datetime

from django.db import transaction
from django.utils import timezone

from artsprize.common.outbox import enqueue
from submissions.enums import EntryState, RoundState
from submissions.models import Entry

REMINDERS = (
    ("reminded_48h_at", datetime.timedelta(hours=48)),
    ("reminded_3h_at", datetime.timedelta(hours=3)),
)


def remind_unsubmitted_drafts(*, now=None):
    """Mail the entrants of drafts in open rounds 48 hours and 3 hours before closing.

    Each reminder goes once per entry, to drafts that existed at its moment; a draft
    that reaches the 3-hour moment without its 48-hour reminder gets only the 3-hour
    one. Run by beat every quarter of an hour. Returns the entry ids reminded, by
    field.
    """
    now = now or timezone.now()
    reminded = {}
    for index, (field, before) in enumerate(REMINDERS):
        later = REMINDERS[index + 1][1] if index + 1 < len(REMINDERS) else None
        due = Entry.objects.filter(
            state=EntryState.DRAFT,
            round__state=RoundState.OPEN,
            round__closes_at__gt=now,
            round__closes_at__lte=now + before,
            entrant__is_active=True,
            entrant__email__isnull=False,
            **{f"{field}__isnull": True},
        ).exclude(entrant__email="")
        if later is not None:
            due = due.filter(round__closes_at__gt=now + later)
        ids = []
        for pk, created_at, closes_at in due.values_list(
            "pk", "created_at", "round__closes_at"
        ).order_by("pk"):
            if created_at > closes_at - before:
                continue
            with transaction.atomic():
                # Claimed by one conditional update: two beats at once send once.
                claimed = Entry.objects.filter(
                    pk=pk, state=EntryState.DRAFT, **{f"{field}__isnull": True}
                ).update(**{field: now})
                if claimed:
                    enqueue("submissions.mail_deadline_reminder", pk, field)
                    ids.append(pk)
        reminded[field] = ids
    return reminded
