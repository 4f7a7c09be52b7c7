from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from artsprize.accounts.enums import Role
from artsprize.common.models import AuditEvent

ENTRANT = "entrant"


def staff_to_tell():
    """The members of staff (and admins) with an address, who get the portal's
    mails to staff, each in their own language."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name=Role.STAFF) | Q(is_superuser=True))
        .filter(is_active=True)
        .exclude(Q(email__isnull=True) | Q(email=""))
        .distinct()
        .order_by("pk")
    )


def people_for_staff(*, query="", role=""):
    """Everybody, for the staff's People list: searched by e-mail or name, filtered
    by role, with what the list shows fetched in a fixed number of queries."""
    people = (
        get_user_model()
        .objects.select_related("profile")
        .prefetch_related("groups")
        .annotate(
            has_totp=Exists(
                Authenticator.objects.filter(
                    user=OuterRef("pk"), type=Authenticator.Type.TOTP
                )
            )
        )
        .order_by("email", "pk")
    )
    if query:
        people = people.filter(
            Q(email__icontains=query)
            | Q(profile__legal_name__icontains=query)
            | Q(profile__credit_name__icontains=query)
        )
    if role == ENTRANT:
        people = people.filter(profile__isnull=False)
    elif role in Role.values:
        # A subquery rather than a join, so that nobody is listed twice.
        in_group = Exists(
            get_user_model().groups.through.objects.filter(
                user=OuterRef("pk"), group__name=role
            )
        )
        if role == Role.STAFF:
            in_group = in_group | Q(is_superuser=True)
        people = people.filter(in_group)
    return people


def role_labels(user):
    """The roles a person holds, as labels; uses prefetched groups when present."""
    names = {group.name for group in user.groups.all()}
    labels = [role.label for role in Role if role in names]
    if user.is_superuser and Role.STAFF not in names:
        labels.insert(0, Role.STAFF.label)
    return labels


def needs_two_factor(user):
    """``User.needs_two_factor`` from prefetched groups, for lists."""
    names = {group.name for group in user.groups.all()}
    return (
        user.is_superuser
        or user.is_staff
        or (user.is_active and bool(names & {Role.STAFF, Role.JUDGE}))
    )


def two_factor_summary(user):
    """Which second factors a person has and how many recovery codes are unused."""
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=user)}
    recovery = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    return {
        "totp": Authenticator.Type.TOTP in authenticators,
        "recovery_codes_left": (
            len(recovery.wrap().get_unused_codes()) if recovery else None
        ),
        "types": sorted(authenticators),
    }


def audit_events_about(user, *, limit=20):
    return list(AuditEvent.objects.for_object(user).select_related("actor")[:limit])


def email_addresses_of(user):
    """Every e-mail address of a person's account, in lower case: the account's own
    and those allauth keeps for it, verified or not."""
    addresses = {
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list(
            "email", flat=True
        )
    }
    if user.email:
        addresses.add(user.email.lower())
    return addresses


def is_address_of(user, email):
    """Whether ``email`` is one of the person's addresses, whatever its case."""
    return bool(email) and email.strip().lower() in email_addresses_of(user)
