import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from artsprize.common.mail import send_templated_mail
from artsprize.common.models import AuditEvent

logger = logging.getLogger(__name__)


@shared_task(name="accounts.mail_two_factor_reset")
def mail_two_factor_reset(event_id):
    """Tell a person, in their language, that staff reset their two-factor
    authentication and that they set it up again at their next sign-in."""
    event = AuditEvent.objects.filter(pk=event_id).first()
    user = (
        get_user_model().objects.filter(pk=event.object_id).first() if event else None
    )
    if user is None or not user.email:
        logger.info("Two-factor reset %s: nobody to mail.", event_id)
        return
    send_templated_mail(
        "accounts/mail/two_factor_reset",
        to=[user.email],
        language=user.language,
        context={
            "user": user,
            "at": event.at,
            "login_url": settings.SITE_URL.rstrip("/") + reverse("account_login"),
        },
    )


@shared_task(name="accounts.mail_claim_invitation")
def mail_claim_invitation(artist_id):
    """Invite an artist, in their language, to set a password for the account a
    caseworker made for them."""
    from artsprize.accounts.caseworkers import claim_url

    artist = get_user_model().objects.filter(pk=artist_id).first()
    if artist is None or not artist.email:
        logger.info("Claim invitation %s: nobody to mail.", artist_id)
        return
    send_templated_mail(
        "accounts/mail/claim_invitation",
        to=[artist.email],
        language=artist.language,
        context={"artist": artist, "claim_url": claim_url(artist)},
    )
