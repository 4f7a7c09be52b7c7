import rules

from artsprize.accounts.enums import Role


@rules.predicate
def is_staff_member(user):
    return user.is_authenticated and user.is_active and user.has_role(Role.STAFF)


@rules.predicate
def is_judge(user):
    return user.is_authenticated and user.is_active and user.has_role(Role.JUDGE)


@rules.predicate
def is_caseworker(user):
    return user.is_authenticated and user.is_active and user.has_role(Role.CASEWORKER)


rules.add_perm("accounts.manage_people", is_staff_member)
rules.add_perm("common.view_audit_log", is_staff_member)
rules.add_perm("accounts.file_for_artists", is_caseworker)
