import rules

from artsprize.accounts.enums import Role


@rules.predicate
def passed_two_factor(user):
    """This session signed in, or re-authenticated, with a second factor (see
    TwoFactorMiddleware). Staff and judge rights require it: without it, staff and
    judges have an entrant's rights, whatever page they ask for."""
    return user.is_authenticated and user.passed_two_factor


@rules.predicate
def has_staff_role(user):
    return user.is_authenticated and user.is_active and user.has_role(Role.STAFF)


@rules.predicate
def has_judge_role(user):
    return user.is_authenticated and user.is_active and user.has_role(Role.JUDGE)


is_staff_member = has_staff_role & passed_two_factor
is_judge = has_judge_role & passed_two_factor


@rules.predicate
def is_caseworker(user):
    return user.is_authenticated and user.is_active and user.has_role(Role.CASEWORKER)


rules.add_perm("accounts.manage_people", is_staff_member)
rules.add_perm("common.view_audit_log", is_staff_member)


@rules.predicate
def registered(user, artist):
    """The caseworker who registered an artist's account, who files for them."""
    profile = getattr(artist, "profile", None)
    return profile is not None and profile.registered_by_id == user.pk


rules.add_perm("accounts.file_for_artists", is_caseworker)
rules.add_perm("accounts.file_for_artist", is_caseworker & registered)
