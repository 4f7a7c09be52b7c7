"""A parent or guardian confirms the entry of an entrant under 18 through a signed
link mailed to them; the entrant may have the mail sent again."""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from submissions.enums import EntryState, GuardianState
from submissions.errors import EntryError
from submissions.models import Entry
from submissions.services.entries import (
    check_may_change,
    queue_guardian_mail,
    set_guardian_state,
)

# A salt of its own: no other signed value of the site can pass for this link.
GUARDIAN_SALT = "submissions.guardian-confirmation"
GUARDIAN_LINK_MAX_AGE = datetime.timedelta(days=30)
RESEND_INTERVAL = datetime.timedelta(minutes=10)

LINK_EXPIRED = _(
    "This confirmation link has expired. Please ask the entrant to send the "
    "confirmation e-mail again from their entries."
)
LINK_INVALID = _(
    "This confirmation link is not valid. Please use the link from the latest "
    "e-mail exactly as it was sent, or ask the entrant to send it again."
)
NOTHING_TO_CONFIRM = _("This entry was withdrawn: there is nothing to confirm.")
ENTRANT_SESSION = _(
    "You are signed in as the entrant. This link is for your parent or guardian: "
    "they must open it themselves, from their own e-mail. Nothing was confirmed."
)


def guardian_token(entry, *, signer=None):
    """The signed value of a guardian's link. It names the guardian's address, so a
    link sent to an address the entrant has since replaced no longer works."""
    signer = signer or signing.TimestampSigner(salt=GUARDIAN_SALT)
    return signer.sign_object({"entry": entry.pk, "email": entry.guardian_email})


def guardian_link(entry, *, language):
    """The link of the guardian's mail. It carries the mail's language, so that
    the page opens in it whatever the guardian's browser last showed."""
    path = reverse("guardian_confirm", args=[guardian_token(entry)])
    return f"{settings.SITE_URL.rstrip('/')}{path}?{urlencode({'lang': language})}"


def entry_for_guardian_token(token, *, user=None, max_age=None):
    """The entry a guardian's link is for; EntryError when the link is expired,
    tampered with, or for a guardian the entry no longer names, and when ``user``
    (who opened it) is the entrant: nobody confirms their own entry."""
    max_age = GUARDIAN_LINK_MAX_AGE if max_age is None else max_age
    signer = signing.TimestampSigner(salt=GUARDIAN_SALT)
    try:
        value = signer.unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise EntryError(LINK_EXPIRED, code="link_expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise EntryError(LINK_INVALID, code="link_invalid") from None
    entry_id = value.get("entry") if isinstance(value, dict) else None
    entry = (
        Entry.objects.select_related("round", "category", "entrant__profile")
        .filter(pk=entry_id if isinstance(entry_id, int) else None)
        .first()
    )
    if (
        entry is None
        or not entry.guardian_email
        or entry.guardian_email != value.get("email")
        or entry.guardian_state == GuardianState.NOT_NEEDED
    ):
        raise EntryError(LINK_INVALID, code="link_invalid")
    if entry.state == EntryState.WITHDRAWN:
        raise EntryError(NOTHING_TO_CONFIRM, code="withdrawn")
    if user is not None and user.pk == entry.entrant_id:
        raise EntryError(ENTRANT_SESSION, code="entrant_session")
    return entry


def confirm_guardian(token, *, by=None, max_age=None, now=None):
    """Record the guardian's confirmation. Confirming twice changes nothing.

    ``by`` is whoever is signed in where the link was opened (the guardian needs
    no account); the entrant is refused.
    """
    now = now or timezone.now()
    entry = entry_for_guardian_token(token, user=by, max_age=max_age)
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if locked.state == EntryState.WITHDRAWN:
            raise EntryError(NOTHING_TO_CONFIRM, code="withdrawn")
        if locked.guardian_email != entry.guardian_email:
            raise EntryError(LINK_INVALID, code="link_invalid")
        # The guardian has no account: the event names them in its data.
        set_guardian_state(
            locked,
            GuardianState.CONFIRMED,
            by=None,
            data={"guardian": locked.guardian_name},
            now=now,
            held=True,
        )
    return locked


def resend_guardian_mail(entry, *, by, now=None):
    """Send the guardian's confirmation mail again, at most once per 10 minutes."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        check_may_change(locked, by)
        if (
            locked.state != EntryState.SUBMITTED
            or locked.guardian_state != GuardianState.PENDING
        ):
            raise EntryError(
                _("No guardian confirmation is waiting for this entry."),
                code="guardian_not_pending",
            )
        if locked.guardian_mailed_at and now - locked.guardian_mailed_at < (
            RESEND_INTERVAL
        ):
            raise EntryError(
                _(
                    "The guardian was sent the e-mail less than 10 minutes ago. "
                    "Please wait a few minutes before sending it again."
                ),
                code="too_soon",
            )
        locked.guardian_mailed_at = now
        locked.save(update_fields=["guardian_mailed_at", "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={"fields": ["guardian_mailed_at"], "guardian_mail": "resent"},
        )
        queue_guardian_mail(locked)
    entry.guardian_mailed_at = locked.guardian_mailed_at
    return entry
