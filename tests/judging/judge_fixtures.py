"""A judge with an open stage, signed in, and the assignments in their own
order: the setting of the judge's pages' tests."""

from judging.models import Assignment
from submissions.enums import DerivativeKind
from submissions.models import Derivative, Entry
from tests import factories
from tests.entry_factories import add_file
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


def add_picture(entry):
    """A ready image of ``entry`` with its preview and thumbnail rows (the
    pipeline has its own tests; no bytes are stored)."""
    file = add_file(entry)
    for kind in (DerivativeKind.PREVIEW, DerivativeKind.THUMB):
        Derivative.objects.create(
            artwork_file=file,
            kind=kind,
            key=Derivative.key_for(file, kind, "jpg", 0),
            width=640,
            height=480,
            size=1000,
            content_type="image/jpeg",
        )
    return file


def stage_of_pictures(client, *, entries):
    """An open stage of ``entries`` works, each with a picture; its first judge
    signed in. Returns ``(stage, judges, the judge's assignments)``."""
    stage, judges, mine = open_stage_for(client, entries=entries)
    for entry in Entry.objects.filter(round=stage.round):
        add_picture(entry)
    return stage, judges, mine
