"""What an artist lets the prize do with a submitted work in public — show it
on the website, on social media, give it to the press — changed at any time
after submitting, also after the results are published.

Withdrawing the website takes the work out of public view — it is then not
listed at all, where a work never agreed to is listed without its images —: its
public copies are deleted (``submissions.remove_public_copies``, sent after the commit) and
``signals.public_use_changed`` tells the apps above, which show the work (the
gallery and the results post), to follow.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue
from submissions.enums import EntryState
from submissions.errors import EntryError
from submissions.models import Entry
from submissions.signals import public_use_changed

PUBLIC_USE_FIELDS = ("consent_website", "consent_social", "consent_press")

NOT_SUBMITTED = _(
    "Public use is set with the entry until it is submitted, and here afterwards."
)


def set_public_uses(entry, *, data, by):
    """Set the public uses of the submitted ``entry`` from ``data`` (the
    fields of ``PUBLIC_USE_FIELDS`` given, as booleans). Returns the names of
    the fields that changed."""
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if locked.state != EntryState.SUBMITTED:
            raise EntryError(NOT_SUBMITTED, code="not_submitted")
        changed = {
            name: bool(data[name])
            for name in PUBLIC_USE_FIELDS
            if name in data and getattr(locked, name) != bool(data[name])
        }
        if not changed:
            return []
        for name, value in changed.items():
            setattr(locked, name, value)
        fields = [*changed]
        if "consent_website" in changed:
            # Withdrawn: not listed at all; agreed again: shown again.
            locked.public_use_withdrawn_at = (
                None if locked.consent_website else timezone.now()
            )
            fields.append("public_use_withdrawn_at")
        locked.save(update_fields=[*fields, "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={"fields": sorted(changed), **changed},
        )
        if changed.get("consent_website") is False:
            enqueue("submissions.remove_public_copies", locked.pk)
        website, round_id = locked.consent_website, locked.round_id
        transaction.on_commit(
            lambda: public_use_changed.send(
                sender=Entry, entry_id=locked.pk, round_id=round_id, website=website
            )
        )
    for name, value in changed.items():
        setattr(entry, name, value)
    return sorted(changed)
