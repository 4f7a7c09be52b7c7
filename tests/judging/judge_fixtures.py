"""A judge with an open stage, signed in, and the assignments in their own
order: the setting of the judge's pages' tests."""

from judging.models import Assignment
from tests import factories
from tests.judging_factories import make_open_stage


def judge_client(client, judge):
    """``client`` signed in as ``judge`` with two-factor sign-in."""
    factories.sign_in_with_two_factor(client, judge)
    return client


def own(stage, judge):
    """The judge's assignments of ``stage`` in their own order."""
    return list(
        Assignment.objects.select_related("stage")
        .filter(stage=stage, judge=judge)
        .order_by("position", "id")
    )


def open_stage_for(client, *, entries=3, judges=2, **fields):
    """An open stage; its first judge signed in on ``client``. Returns
    ``(stage, judges, the first judge's assignments in their order)``."""
    stage, panel = make_open_stage(entries=entries, judges=judges, **fields)
    judge_client(client, panel[0])
    return stage, panel, own(stage, panel[0])
