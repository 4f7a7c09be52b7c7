from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.enums import Role
from artsprize.accounts.errors import AccountError
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


def _forget_roles(user):
    user.__dict__.pop("role_names", None)


def _lock(user):
    """Two staff members may change the same person's roles at once: the row lock
    makes the second one see the first one's change (and write no second event)."""
    type(user).objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def grant_role(user, role, *, by):
    role = Role(role)
    _lock(user)
    group, _created = Group.objects.get_or_create(name=role)
    if user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.add(group)
    if role == Role.STAFF and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _forget_roles(user)
    record_event(actor=by, verb=AuditVerb.ROLE_GRANTED, obj=user, to_state=role)
    return True


@transaction.atomic
def revoke_role(user, role, *, by):
    role = Role(role)
    if role == Role.STAFF and by is not None and by.pk == user.pk:
        # Another staff member has to do it: nobody locks themselves out of the
        # staff pages by a slip, and the portal always keeps someone who can
        # manage people.
        raise AccountError(
            _(
                "You cannot remove your own staff role. Ask another staff member: "
                "this way nobody locks themselves out by mistake and the portal "
                "always keeps someone who can manage people."
            )
        )
    _lock(user)
    group = Group.objects.filter(name=role).first()
    if group is None or not user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.remove(group)
    if role == Role.STAFF and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    _forget_roles(user)
    record_event(actor=by, verb=AuditVerb.ROLE_REVOKED, obj=user, from_state=role)
    return True
