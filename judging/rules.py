"""Who may do what in judging, and when: the one place these rules live.

Views declare a permission (``artsprize.accounts.permissions``), templates ask
``{% has_perm %}``, services call the predicates. Judge and staff rights need a
session that passed two-factor sign-in (``artsprize.accounts.rules``).

A judge reaches a stage they sit on while it is open or closed, and an entry
through their own assignment of it while they sit on its panel, unless they have
a conflict with the entry.
Other judges' scores appear as the stage's ``visibility`` allows; so does the
panel's ranking of the judge's own works, once the stage has closed. The chair
of a closed stage sees its whole ranked list to lead the deliberation (works
they have a conflict with withheld) and, with staff, records the panel's
decisions while it is closed.
"""

import rules

from artsprize.accounts.rules import is_judge, is_staff_member
from judging.enums import StageState, Visibility
from judging.models import Conflict, PanelMember, Score
from submissions.enums import RoundState

# Stages whose entries their judges may open: scoring, or scored and kept.
JUDGE_VISIBLE_STATES = frozenset({StageState.OPEN, StageState.CLOSED})


def _stage_of(obj):
    return getattr(obj, "stage", obj)


def _annotated(stage, user, name):
    """What a stage read for ``user`` carries about them (``viewer_on_panel``,
    ``viewer_is_chair``; see ``judging.selectors.judge.judge_dashboard``), or
    None when it was not read for them."""
    if getattr(stage, "viewer_id", None) != user.pk:
        return None
    return getattr(stage, name, None)


@rules.predicate
def sits_on_panel(user, obj):
    """A member of the panel of the stage (or of an assignment's stage)."""
    stage = _stage_of(obj)
    if stage is None:
        return False
    annotated = _annotated(stage, user, "viewer_on_panel")
    if annotated is not None:
        return annotated
    return PanelMember.objects.filter(stage_id=stage.pk, judge_id=user.pk).exists()


@rules.predicate
def stage_is_visible_to_judges(user, obj):
    stage = _stage_of(obj)
    return stage is not None and stage.state in JUDGE_VISIBLE_STATES


@rules.predicate
def stage_is_open(user, obj):
    stage = _stage_of(obj)
    return stage is not None and stage.state == StageState.OPEN


@rules.predicate
def stage_has_closed(user, obj):
    stage = _stage_of(obj)
    return stage is not None and stage.state in {
        StageState.CLOSED,
        StageState.FINALISED,
    }


@rules.predicate
def is_own_assignment(user, assignment):
    return assignment is not None and assignment.judge_id == user.pk


@rules.predicate
def judge_sits_on_panel(user, assignment):
    """The assignment's judge sits on its stage's panel: a judge taken off the
    panel no longer reaches the works assigned to them. Read from the
    ``judge_on_panel`` annotation when the assignment was fetched for the rules
    (``judging.selectors.judge.assignments_for_rules``)."""
    annotated = getattr(assignment, "judge_on_panel", None)
    if annotated is not None:
        return annotated
    return PanelMember.objects.filter(
        stage_id=assignment.stage_id, judge_id=assignment.judge_id
    ).exists()


@rules.predicate
def is_conflicted(user, assignment):
    """The assignment's judge has a conflict with its entry. Read from the
    ``judge_conflicted`` annotation when the assignment was fetched for the
    rules."""
    annotated = getattr(assignment, "judge_conflicted", None)
    if annotated is not None:
        return annotated
    return Conflict.objects.filter(
        judge_id=assignment.judge_id, entry_id=assignment.entry_id
    ).exists()


@rules.predicate
def own_score_submitted(user, assignment):
    return Score.objects.filter(
        assignment_id=assignment.pk, submitted_at__isnull=False
    ).exists()


@rules.predicate
def panel_scores_shown(user, assignment):
    """The stage's rule lets its judges see the others' scores of this entry."""
    visibility = assignment.stage.visibility
    if visibility == Visibility.AFTER_CLOSE:
        return stage_has_closed(user, assignment)
    if visibility == Visibility.AFTER_OWN:
        return stage_has_closed(user, assignment) | own_score_submitted(
            user, assignment
        )
    return False


@rules.predicate
def chairs_panel(user, stage):
    """The chair of the stage's panel."""
    stage = _stage_of(stage)
    if stage is None:
        return False
    annotated = _annotated(stage, user, "viewer_is_chair")
    if annotated is not None:
        return annotated
    return PanelMember.objects.filter(
        stage_id=stage.pk, judge_id=user.pk, is_chair=True
    ).exists()


@rules.predicate
def ranking_shown_to_panel(user, stage):
    """The stage's rule lets its judges see how the panel ranked their works:
    once it has closed, unless its judges never see the others' scores."""
    stage = _stage_of(stage)
    return stage.visibility != Visibility.NEVER and stage_has_closed(user, stage)


@rules.predicate
def stage_is_closed(user, stage):
    stage = _stage_of(stage)
    return stage is not None and stage.state == StageState.CLOSED


judges_assignment = (
    is_judge
    & is_own_assignment
    & stage_is_visible_to_judges
    & judge_sits_on_panel
    & ~is_conflicted
)

rules.add_perm("judging.manage_judging", is_staff_member)
rules.add_perm("judging.use_judging", is_judge)
rules.add_perm(
    "judging.view_stage", is_judge & sits_on_panel & stage_is_visible_to_judges
)
rules.add_perm("judging.view_assignment", judges_assignment)
rules.add_perm(
    "judging.declare_conflict",
    is_judge & is_own_assignment & stage_is_visible_to_judges & judge_sits_on_panel,
)
rules.add_perm(
    "judging.view_panel_scores",
    is_staff_member | (judges_assignment & panel_scores_shown),
)

# The deliberation page: staff and, once the stage has closed, its chair see
# the whole ranked list; other judges of the panel see the panel's ranking of
# their own works as the stage's rule allows.
chairs_closed_stage = is_judge & sits_on_panel & chairs_panel & stage_has_closed
rules.add_perm(
    "judging.view_deliberation",
    is_staff_member
    | chairs_closed_stage
    | (is_judge & sits_on_panel & ranking_shown_to_panel),
)
rules.add_perm("judging.view_whole_ranking", is_staff_member | chairs_closed_stage)
rules.add_perm(
    "judging.note_decision",
    (is_staff_member | (is_judge & sits_on_panel & chairs_panel)) & stage_is_closed,
)


@rules.predicate
def gallery_is_open(user, round_):
    """A round's public gallery, once its results are published."""
    publication = getattr(round_, "publication", None)
    return (
        round_ is not None
        and round_.state == RoundState.PUBLISHED
        and publication is not None
        and publication.gallery_opened_at is not None
    )


rules.add_perm("judging.view_gallery", gallery_is_open)
rules.add_perm("judging.publish_results", is_staff_member)
