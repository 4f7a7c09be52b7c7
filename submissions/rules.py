import rules

from artsprize.accounts.rules import is_staff_member
from submissions.enums import RoundState


@rules.predicate
def is_public_round(user, obj):
    """A round, or a category of one, that has left its draft."""
    round_ = getattr(obj, "round", obj)
    return round_ is not None and round_.state != RoundState.DRAFT


can_view_round = is_staff_member | is_public_round

rules.add_perm("submissions.manage_rounds", is_staff_member)
