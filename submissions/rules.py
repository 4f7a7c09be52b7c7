import rules

from artsprize.accounts.rules import is_caseworker, is_staff_member
from submissions.enums import RoundState


@rules.predicate
def is_public_round(user, obj):
    """A round, or a category of one, that has left its draft."""
    round_ = getattr(obj, "round", obj)
    return round_ is not None and round_.state != RoundState.DRAFT


can_view_round = is_staff_member | is_public_round

rules.add_perm("submissions.manage_rounds", is_staff_member)


@rules.predicate
def is_entrant_of(user, entry):
    return entry is not None and entry.entrant_id == user.pk


@rules.predicate
def is_filer_of(user, entry):
    """A caseworker sees and changes the entries they filed for an artist."""
    return entry is not None and entry.filed_by_id == user.pk and is_caseworker(user)


can_work_on_entry = is_staff_member | is_entrant_of | is_filer_of

rules.add_perm("submissions.view_entry", can_work_on_entry)
# Changing an entry and uploading its files: its entrant or filer (staff read only).
rules.add_perm("submissions.change_entry", is_entrant_of | is_filer_of)

# Telling who made an entry is a deliberate staff act; the service that does it
# (services.identity.reveal_identity) writes the audit event.
rules.add_perm("submissions.reveal_identity", is_staff_member)
