from django.contrib.auth.models import Group, Permission
from django.db import transaction

from artsprize.accounts.enums import Role
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb

# The staff group holds every permission of these apps, so that staff may also use
# the Django admin for what the staff pages do not cover.
STAFF_APP_LABELS = ("accounts", "common", "news", "submissions", "judging")


def ensure_role_groups(**kwargs):
    """Create the role groups and give the staff group its permissions (idempotent)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    staff = Group.objects.get(name=Role.STAFF)
    staff.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=STAFF_APP_LABELS)
    )


@transaction.atomic
def grant_role(user, role, *, by):
    group, _ = Group.objects.get_or_create(name=role)
    if user.groups.filter(pk=group.pk).exists():
        return
    user.groups.add(group)
    if role == Role.STAFF and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("role_names", None)
    record_event(actor=by, verb=AuditVerb.ROLE_GRANTED, obj=user, to_state=role)


@transaction.atomic
def revoke_role(user, role, *, by):
    group = Group.objects.filter(name=role).first()
    if group is None or not user.groups.filter(pk=group.pk).exists():
        return
    user.groups.remove(group)
    if role == Role.STAFF and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("role_names", None)
    record_event(actor=by, verb=AuditVerb.ROLE_REVOKED, obj=user, from_state=role)
