from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from artsprize.accounts.models import EntrantProfile
from artsprize.common.audit import forget_person, record_event
from artsprize.common.enums import AuditVerb

PROFILE_FIELDS = (
    "legal_name",
    "credit_name",
    "date_of_birth",
    "hong_kong_based",
    "phone",
)


@transaction.atomic
def create_entrant_profile(user, *, data, language, pics_version, now=None):
    """The profile an entrant gives at sign-up, with their acceptance of the
    collection statement (its version and the moment)."""
    now = now or timezone.now()
    if pics_version != settings.PICS_VERSION:
        raise ValueError("Only the current collection statement can be accepted.")
    profile = EntrantProfile.objects.create(
        user=user,
        pics_version=pics_version,
        pics_accepted_at=now,
        **{field: data[field] for field in PROFILE_FIELDS if field in data},
    )
    user.language = language
    user.save(update_fields=["language"])
    record_event(
        actor=user, verb=AuditVerb.PICS_ACCEPTED, obj=user, to_state=pics_version
    )
    return profile


@transaction.atomic
def update_entrant_profile(profile, *, data, by):
    changed = [
        f for f in PROFILE_FIELDS if f in data and getattr(profile, f) != data[f]
    ]
    for field in changed:
        setattr(profile, field, data[field])
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
        record_event(
            actor=by, verb=AuditVerb.UPDATED, obj=profile, data={"fields": changed}
        )
    return profile


def set_language(user, language):
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def erase_account(user, *, now=None):
    """Erase what an account holds of a person: their profile, addresses, second
    factors and password go, and the account can no longer be used (every session
    of it ends at its next request, as after a change of password). The row stays,
    marked deleted, for the caller to remove with ``remove_erased_account`` when
    nothing refers to it any more."""
    now = now or timezone.now()
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    forget_person(user, *EntrantProfile.objects.filter(user=user))
    EntrantProfile.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.email = None
    user.set_unusable_password()
    user.is_active = False
    user.deleted_at = now
    user.save(update_fields=["email", "password", "is_active", "deleted_at"])
    return user


def remove_erased_account(user):
    """Remove the row of an erased account; one still referred to stays."""
    return (
        get_user_model().objects.filter(pk=user.pk, deleted_at__isnull=False).delete()
    )
