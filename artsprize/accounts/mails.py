"""The mails of accounts, each what one mail task does, in the recipient's
language."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from artsprize.accounts.caseworkers import claim_url
from artsprize.common.mail import mail_person
from artsprize.common.models import AuditEvent

logger = logging.getLogger(__name__)


def send_two_factor_reset(event_id):
    """Tell a person that staff reset their two-factor authentication and that
    they set it up again at their next sign-in."""
    event = AuditEvent.objects.filter(pk=event_id).first()
    user = (
        get_user_model().objects.filter(pk=event.object_id).first() if event else None
    )
    if user is None or not user.email:
        logger.info("Two-factor reset %s: nobody to mail.", event_id)
        return
    mail_person(
        user,
        "accounts/mail/two_factor_reset",
        {
            "user": user,
            "at": event.at,
            "login_url": settings.SITE_URL.rstrip("/") + reverse("account_login"),
        },
    )


def send_claim_invitation(artist_id):
    """Invite an artist to set a password for the account a caseworker made for
    them."""
    artist = get_user_model().objects.filter(pk=artist_id).first()
    if artist is None or not artist.email:
        logger.info("Claim invitation %s: nobody to mail.", artist_id)
        return
    mail_person(
        artist,
        "accounts/mail/claim_invitation",
        {"artist": artist, "claim_url": claim_url(artist)},
    )
