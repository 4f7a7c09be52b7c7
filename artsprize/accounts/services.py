from django.conf import settings
from django.db import transaction
from django.utils import timezone

from artsprize.accounts.models import EntrantProfile
from artsprize.common.audit import record_event
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
