"""A stage's life: ``setup → open → closed → finalised`` (and ``closed → open``
to reopen), through ``set_stage_state``, the one place a stage's state changes.

A stage opens once it is complete (``stage_problems``); the round goes to
judging when its first stage opens, through the round's own transition
(``submissions.services.rounds.set_round_state``), which asks that screening is
done and released. Beat opens and closes stages at their times
(``open_and_close_due_stages``).
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.transitions import StateMachine, refusal
from judging.enums import StageMode, StageState
from judging.errors import StageError
from judging.models import Assignment, Criterion, PanelMember, Stage
from submissions.enums import RoundState
from submissions.errors import RoundError
from submissions.services.rounds import set_round_state

STAGE_TRANSITIONS = {
    StageState.SETUP: {StageState.OPEN},
    StageState.OPEN: {StageState.CLOSED},
    StageState.CLOSED: {StageState.OPEN, StageState.FINALISED},
    StageState.FINALISED: set(),
}

# Rounds whose stages may open: a closed round goes to judging with its first.
ROUND_STATES_FOR_OPENING = frozenset({RoundState.CLOSED, RoundState.JUDGING})

STAGES = StateMachine(
    model=Stage,
    states=StageState,
    transitions=STAGE_TRANSITIONS,
    refuse=refusal(
        StageError,
        _("A stage cannot go from “%(old)s” to “%(new)s”."),
        code="not_allowed",
    ),
)


def stage_problems(stage, *, now=None):
    """What keeps a stage in set-up from opening, for staff, in their language."""
    now = now or timezone.now()
    problems = []
    if stage.round.state not in ROUND_STATES_FOR_OPENING:
        problems.append(
            _("Stages open once the round has closed and its entries are screened.")
        )
    if not stage.categories.exists():
        problems.append(_("Choose the categories the stage judges."))
    if (
        stage.mode == StageMode.CRITERIA
        and not Criterion.objects.filter(stage=stage).exists()
    ):
        problems.append(_("Add the criteria judges score."))
    if not PanelMember.objects.filter(stage=stage).exists():
        problems.append(_("Add judges to the panel."))
    if stage.previous_id is not None and stage.selection_closed_at is None:
        problems.append(
            _(
                "Choose the entries advanced from “%(previous)s” and close the selection."
            )
            % {"previous": stage.previous.name}
        )
    elif not Assignment.objects.filter(stage=stage).exists():
        problems.append(_("Assign the entries to the judges."))
    if stage.closes_at is not None and stage.closes_at <= now:
        problems.append(_("The closing time has passed: set a later one."))
    return problems


def _open_round_for_judging(stage, *, by):
    round_ = stage.round
    if round_.state != RoundState.CLOSED:
        return
    try:
        set_round_state(round_, RoundState.JUDGING, by=by)
    except RoundError as error:
        raise StageError(
            _("The round cannot go to judging yet."),
            code="round_not_ready",
            problems=error.problems or [error.message],
        ) from error


def set_stage_state(stage, new_state, *, by, reason="", now=None):
    """Move ``stage`` to ``new_state``. ``by`` is a staff member, or None when
    beat acts at the stage's times. Opening asks that the stage is complete and
    takes a closed round to judging; reopening asks for a closing time still to
    come."""
    now = now or timezone.now()
    new_state = StageState(new_state)

    def changes(move):
        if move.new != StageState.OPEN:
            return {}
        if move.old == StageState.SETUP:
            problems = stage_problems(move.obj, now=now)
            if problems:
                raise StageError(
                    _("The stage is not ready to open."),
                    code="not_ready",
                    problems=problems,
                )
            _open_round_for_judging(move.obj, by=by)
        elif move.obj.closes_at is not None and move.obj.closes_at <= now:
            raise StageError(
                _("Set a closing time still to come before reopening the stage."),
                code="closing_passed",
            )
        return {}

    return STAGES.move(stage, new_state, by=by, reason=reason, changes=changes)


def open_and_close_due_stages(*, now=None):
    """Beat: open complete stages whose opening time has come, and close open
    stages whose closing time has passed. A stage that cannot open stays in
    set-up (staff see why on its page). Returns the numbers opened and closed."""
    now = now or timezone.now()
    opened = closed = 0
    due_to_open = Stage.objects.filter(
        state=StageState.SETUP, opens_at__lte=now
    ).filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
    for stage in due_to_open.select_related("round"):
        try:
            set_stage_state(stage, StageState.OPEN, by=None, now=now)
        except StageError:
            continue
        opened += 1
    for stage in Stage.objects.filter(state=StageState.OPEN, closes_at__lte=now):
        set_stage_state(stage, StageState.CLOSED, by=None, now=now)
        closed += 1
    return opened, closed
