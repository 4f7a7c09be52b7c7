"""Stages for the tests of assignment, panels and conflicts: a stage in set-up
over a closed round's eligible entries, with a panel of judges."""

from judging.models import Stage
from tests import factories
from tests.judging_factories import add_to_panel, make_judging_round, make_stage


def two_factor(user):
    user.passed_two_factor = True
    return user


def make_setup_stage(*, entries=4, judges=3, **fields):
    """A stage in set-up over the ``entries`` eligible entries of a closed
    round, with a panel of ``judges`` (the first chairs). Returns
    ``(stage, judges)``."""
    round_ = make_judging_round(entries=entries)
    stage = make_stage(round_, **fields)
    panel = [
        two_factor(
            factories.make_judge(email=f"judge{number + 1}.{stage.pk}@example.org")
        )
        for number in range(judges)
    ]
    if panel:
        add_to_panel(stage, *panel, chair=panel[0])
    return stage, panel


def set_state(stage, state):
    """Put a stage in ``state`` straight in the table (the transitions have
    their own tests)."""
    Stage.objects.filter(pk=stage.pk).update(state=state)
    stage.refresh_from_db()
    return stage


def make_staff_member():
    """A staff member whose session passed two-factor sign-in."""
    return two_factor(factories.make_staff(email="judging.staff@example.org"))
