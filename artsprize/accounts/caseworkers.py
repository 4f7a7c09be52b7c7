"""Caseworkers register artists who cannot sign up themselves (no e-mail, no
computer, another language) and file entries for them. An artist who later has an
e-mail address can claim the account and sign in themselves."""

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.enums import Role
from artsprize.accounts.errors import AccountError
from artsprize.accounts.models import EntrantProfile
from artsprize.accounts.services import PROFILE_FIELDS
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue


def _check_caseworker(user):
    if not (user.is_active and user.has_role(Role.CASEWORKER)):
        raise AccountError(_("Only caseworkers can register artists."))


def artists_of(caseworker):
    """The artists a caseworker registered, by name."""
    return (
        get_user_model()
        .objects.filter(profile__registered_by=caseworker)
        .select_related("profile")
        .order_by("profile__legal_name", "pk")
    )


@transaction.atomic
def register_artist(*, by, data, email="", language, now=None):
    """Create an account without a password for an artist, with their profile.

    The caseworker confirms that the artist was told the collection statement and
    agreed; that is recorded with the version, the time and who recorded it.
    """
    _check_caseworker(by)
    now = now or timezone.now()
    user_model = get_user_model()
    email = (email or "").strip().lower()
    if email and user_model.objects.filter(email__iexact=email).exists():
        raise AccountError(
            _(
                "An account with this e-mail address exists already. The artist can "
                "sign in with it, or leave the address empty."
            )
        )
    artist = user_model(email=email or None, language=language)
    artist.set_unusable_password()
    artist.save()
    if email:
        EmailAddress.objects.create(
            user=artist, email=email, primary=True, verified=False
        )
    EntrantProfile.objects.create(
        user=artist,
        registered_by=by,
        pics_version=settings.PICS_VERSION,
        pics_accepted_at=now,
        **{field: data[field] for field in PROFILE_FIELDS if field in data},
    )
    record_event(
        actor=by,
        verb=AuditVerb.ARTIST_REGISTERED,
        obj=artist,
        to_state=settings.PICS_VERSION,
        data={"pics_explained_by": by.pk},
    )
    return artist


def claim_url(artist):
    """A one-time link (a password-reset key) with which the artist sets a password."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(artist),
            "key": default_token_generator.make_token(artist),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def invite_artist_to_claim(artist, *, by, email=""):
    """Send the artist a link to set a password for the account the caseworker made."""
    profile = getattr(artist, "profile", None)
    if profile is None or profile.registered_by_id != by.pk:
        raise AccountError(_("You can invite only the artists you registered."))
    email = (email or artist.email or "").strip().lower()
    if not email:
        raise AccountError(_("Give the artist's e-mail address first."))
    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=email).exclude(pk=artist.pk).exists():
        raise AccountError(
            _("Another account uses this e-mail address. Ask the artist for another.")
        )
    if artist.email != email:
        artist.email = email
        artist.save(update_fields=["email"])
        EmailAddress.objects.filter(user=artist).delete()
        EmailAddress.objects.create(
            user=artist, email=email, primary=True, verified=False
        )
    record_event(actor=by, verb=AuditVerb.CLAIM_INVITED, obj=artist)
    enqueue("accounts.mail_claim_invitation", artist.pk)
    return artist


def verify_address_after_reset(sender, request, user, **kwargs):
    """A password set through a link mailed to the address proves the address: an
    artist claiming their account is then verified and can sign in."""
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(
        verified=True
    )
