"""Who scores which entry of a stage, and in what order.

The planning is pure (``plan_assignments``, ``judge_order``): numbers in,
numbers out, no database, so its properties are tested on their own. The
services around it take a first stage's entries (``take_entries``), write a
whole plan while the stage is being set up (``make_assignments``), and change
single assignments, also while the stage is open (``add_assignment``,
``remove_assignment``, ``reassign``). Each change is audited on the stage and
made under a lock of the stage's row, so that two staff members acting at once
(or a double click) cannot leave the stage half changed.
"""

import heapq
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from judging.enums import AssignmentMode, StageState
from judging.errors import AssignmentError
from judging.models import Assignment, Conflict, PanelMember, Score, Stage, StageEntry
from submissions.blind import judgeable_entry_ids
from submissions.enums import ScreeningState

# Stages whose single assignments staff may still change.
CHANGEABLE_STATES = frozenset({StageState.SETUP, StageState.OPEN})

NOT_IN_SETUP = _(
    "Assignments are made while the stage is being set up. Once it has opened, "
    "add, remove or reassign single assignments instead."
)
LATER_STAGE = _(
    "Only a first stage takes the eligible entries of its categories: a later "
    "stage judges the entries advanced to it."
)
NO_ENTRIES = _("The stage has no entries to assign.")
NO_JUDGES = _("Add judges to the panel before making the assignments.")
STAGE_CLOSED = _("The stage has closed: its assignments no longer change.")
NOT_ON_PANEL = _("This judge does not sit on the stage's panel.")
ENTRY_NOT_IN_STAGE = _("This entry is not judged in this stage.")
CONFLICTED = _("This judge has a conflict of interest with this entry.")
ALREADY_ASSIGNED = _("This judge already scores this entry.")
SCORE_SUBMITTED = _(
    "This judge has submitted a score for this entry: the assignment stays. "
    "Add another judge to the entry instead."
)
REASON_TOO_LONG = _("The reason is too long: at most %(limit)s characters.")
REASON_MAX_LENGTH = 2000


# --- Planning: pure functions ------------------------------------------------


def plan_assignments(
    entry_ids,
    judge_ids,
    *,
    per_entry,
    conflicts,
    seed,
    mode=AssignmentMode.BALANCED,
):
    """Plan who scores which entry: ``{entry_id: [judge_id, ...]}`` (judges in
    ascending order), for every entry of ``entry_ids``.

    ``conflicts`` holds ``(judge_id, entry_id)`` pairs. ``mode`` ALL gives every
    entry every judge without a conflict with it (``per_entry`` is not used).
    BALANCED guarantees, for any inputs:

    1. **Coverage**: each entry gets exactly ``min(per_entry, number of judges
       without a conflict with it)`` distinct judges.
    2. **Conflicts avoided**: no entry gets a judge with a conflict with it.
    3. **Balance**: whenever a judge A has at least two entries more than a
       judge B, each entry of A is also B's or conflicts with B, so that no
       single entry could move from A to B. With no conflicts at all (or none
       that stands in the way), the judges' loads therefore differ by at most
       one.
    4. **Determinism**: the same entries, judges, conflicts and ``seed`` give
       the same plan, whatever order the inputs come in.

    Judges are drawn for each entry among the least loaded, ties broken at
    random (seeded) entry by entry, so that the same judges do not always sit
    together; entries with a conflict (fewer judges to choose from) go first.
    """
    entries = sorted(set(entry_ids))
    judges = sorted(set(judge_ids))
    conflicts = frozenset(conflicts)
    if mode == AssignmentMode.ALL:
        return {
            entry: [judge for judge in judges if (judge, entry) not in conflicts]
            for entry in entries
        }
    if per_entry < 1:
        raise ValueError("per_entry must be at least 1.")
    # Seeded for a plan that can be made again, not for secrecy.
    rng = random.Random(seed)  # noqa: S311
    conflicted_entries = {entry for _judge, entry in conflicts}
    # The entries with conflicts (fewer judges to choose from) first, then the
    # rest, each group in a seeded order.
    hard = [entry for entry in entries if entry in conflicted_entries]
    easy = [entry for entry in entries if entry not in conflicted_entries]
    rng.shuffle(hard)
    rng.shuffle(easy)
    load = dict.fromkeys(judges, 0)
    plan = {}
    for entry in hard + easy:
        candidates = [judge for judge in judges if (judge, entry) not in conflicts]
        wanted = min(per_entry, len(candidates))
        ties = {judge: rng.random() for judge in candidates}
        chosen = heapq.nsmallest(
            wanted, candidates, key=lambda judge: (load[judge], ties[judge])
        )
        for judge in chosen:
            load[judge] += 1
        plan[entry] = set(chosen)
    _even_out(plan, judges, load, conflicts)
    return {entry: sorted(plan[entry]) for entry in entries}


def _even_out(plan, judges, load, conflicts):
    """Move single entries from a judge to one with two or more entries fewer,
    while such a move exists (guarantee 3 of ``plan_assignments``). Each move
    lowers the sum of the squared loads, so it ends."""
    if not conflicts:
        # Drawing the least loaded judges already keeps loads within one.
        return
    entries_of = {judge: set() for judge in judges}
    for entry, chosen in plan.items():
        for judge in chosen:
            entries_of[judge].add(entry)
    while True:
        moved = False
        by_load = sorted(judges, key=lambda judge: (-load[judge], judge))
        for heavy in by_load:
            for light in reversed(by_load):
                if load[heavy] - load[light] < 2:
                    break
                entry = next(
                    (
                        entry
                        for entry in sorted(entries_of[heavy] - entries_of[light])
                        if (light, entry) not in conflicts
                    ),
                    None,
                )
                if entry is None:
                    continue
                plan[entry].discard(heavy)
                plan[entry].add(light)
                entries_of[heavy].discard(entry)
                entries_of[light].add(entry)
                load[heavy] -= 1
                load[light] += 1
                moved = True
                break
            if moved:
                break
        if not moved:
            return


def judge_order(entry_ids, *, seed, judge_id):
    """The judge's own order of ``entry_ids``: a shuffle seeded by the stage's
    seed and the judge, so that the same work is not first (or last) for every
    judge, and the order stays the same however often it is computed."""
    order = sorted(set(entry_ids))
    random.Random(f"{seed}:{judge_id}").shuffle(order)  # noqa: S311 (seeded)
    return order


# --- Services ------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentSummary:
    entries: int
    judges: int
    assignments: int
    # Entries with fewer judges than the stage asks (conflicts, a small panel).
    short: int


def _locked_stage(stage):
    return Stage.objects.select_for_update().get(pk=stage.pk)


def _check_reason(reason):
    reason = str(reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH or "\x00" in reason:
        raise AssignmentError(
            REASON_TOO_LONG % {"limit": REASON_MAX_LENGTH}, code="reason_too_long"
        )
    return reason


def _take_entries(stage):
    """Make the stage's entries those eligible in its categories. Returns the
    numbers added and removed."""
    category_ids = list(stage.categories.values_list("pk", flat=True))
    eligible = dict(
        judgeable_entry_ids(
            round_id=stage.round_id,
            category_ids=category_ids,
            screening=ScreeningState.ELIGIBLE,
        )
    )
    present = set(
        StageEntry.objects.filter(stage=stage).values_list("entry_id", flat=True)
    )
    gone = present - eligible.keys()
    if gone:
        Assignment.objects.filter(stage=stage, entry_id__in=list(gone)).delete()
        StageEntry.objects.filter(stage=stage, entry_id__in=list(gone)).delete()
    # judgeable_entry_ids gives the order of the reference codes: the stage's
    # entries keep it.
    new = [
        StageEntry(stage=stage, entry_id=entry_id, category_id=category_id)
        for entry_id, category_id in eligible.items()
        if entry_id not in present
    ]
    StageEntry.objects.bulk_create(new, batch_size=5000, ignore_conflicts=True)
    return len(new), len(gone)


@transaction.atomic
def take_entries(stage, *, by):
    """A first stage in set-up takes the eligible entries of its categories
    (and lets go of those no longer eligible or in its categories). Taking them
    again changes nothing. Returns the number of the stage's entries."""
    locked = _locked_stage(stage)
    if locked.state != StageState.SETUP:
        raise AssignmentError(NOT_IN_SETUP, code="not_in_setup")
    if locked.previous_id is not None:
        raise AssignmentError(LATER_STAGE, code="later_stage")
    added, removed = _take_entries(locked)
    if added or removed:
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={"entries_added": added, "entries_removed": removed},
        )
    return StageEntry.objects.filter(stage=locked).count()


def _delete_assignments(stage):
    """Delete the stage's assignments in two statements however many: any
    scores first (none exist in set-up, but a score is never left without its
    assignment), then the assignments without collecting them one by one, as
    Django's cascade would to look for their scores."""
    Score.objects.filter(assignment__stage_id=stage.pk).delete()
    Assignment.objects.filter(stage_id=stage.pk)._raw_delete(Assignment.objects.db)


@transaction.atomic
def make_assignments(stage, *, by):
    """Assign the entries of a stage in set-up to its panel by the stage's mode
    and seed, replacing any earlier assignments (no scores exist before the
    stage opens). A first stage takes its entries first. Each judge's
    assignments are numbered in the judge's own order. Returns an
    ``AssignmentSummary``."""
    locked = _locked_stage(stage)
    if locked.state != StageState.SETUP:
        raise AssignmentError(NOT_IN_SETUP, code="not_in_setup")
    if locked.previous_id is None:
        _take_entries(locked)
    entry_ids = list(
        StageEntry.objects.filter(stage=locked).values_list("entry_id", flat=True)
    )
    if not entry_ids:
        raise AssignmentError(NO_ENTRIES, code="no_entries")
    judge_ids = list(
        PanelMember.objects.filter(stage=locked).values_list("judge_id", flat=True)
    )
    if not judge_ids:
        raise AssignmentError(NO_JUDGES, code="no_judges")
    conflicts = set(
        Conflict.objects.filter(
            judge_id__in=judge_ids,
            entry_id__in=StageEntry.objects.filter(stage=locked).values("entry_id"),
        ).values_list("judge_id", "entry_id")
    )
    plan = plan_assignments(
        entry_ids,
        judge_ids,
        per_entry=locked.judges_per_entry,
        conflicts=conflicts,
        seed=locked.seed,
        mode=locked.assignment_mode,
    )
    entries_of = {judge: [] for judge in judge_ids}
    for entry, judges in plan.items():
        for judge in judges:
            entries_of[judge].append(entry)
    rows = []
    for judge in sorted(entries_of):
        order = judge_order(entries_of[judge], seed=locked.seed, judge_id=judge)
        rows.extend(
            Assignment(
                stage_id=locked.pk, judge_id=judge, entry_id=entry, position=place
            )
            for place, entry in enumerate(order)
        )
    _delete_assignments(locked)
    Assignment.objects.bulk_create(rows, batch_size=10000)
    wanted = (
        len(judge_ids)
        if locked.assignment_mode == AssignmentMode.ALL
        else locked.judges_per_entry
    )
    summary = AssignmentSummary(
        entries=len(entry_ids),
        judges=len(judge_ids),
        assignments=len(rows),
        short=sum(1 for judges in plan.values() if len(judges) < wanted),
    )
    record_event(
        actor=by,
        verb=AuditVerb.ASSIGNED,
        obj=locked,
        data={
            "assignment_mode": locked.assignment_mode,
            "seed": locked.seed,
            "judges_per_entry": locked.judges_per_entry,
            "entries": summary.entries,
            "judges": summary.judges,
            "assignments": summary.assignments,
            "short": summary.short,
        },
    )
    return summary


def _changeable_stage(stage):
    locked = _locked_stage(stage)
    if locked.state not in CHANGEABLE_STATES:
        raise AssignmentError(STAGE_CLOSED, code="stage_closed")
    return locked


def _check_can_judge(stage, judge_id, entry_id):
    if not PanelMember.objects.filter(stage=stage, judge_id=judge_id).exists():
        raise AssignmentError(NOT_ON_PANEL, code="not_on_panel")
    if not StageEntry.objects.filter(stage=stage, entry_id=entry_id).exists():
        raise AssignmentError(ENTRY_NOT_IN_STAGE, code="not_in_stage")
    if Conflict.objects.filter(judge_id=judge_id, entry_id=entry_id).exists():
        raise AssignmentError(CONFLICTED, code="conflicted")


def _append(stage, judge_id, entry_id, *, by, data=None):
    last = Assignment.objects.filter(stage=stage, judge_id=judge_id).aggregate(
        last=Max("position")
    )["last"]
    assignment = Assignment.objects.create(
        stage=stage,
        judge_id=judge_id,
        entry_id=entry_id,
        position=0 if last is None else last + 1,
    )
    record_event(
        actor=by,
        verb=AuditVerb.ASSIGNED,
        obj=stage,
        data={"judge": judge_id, "entry": entry_id, **(data or {})},
    )
    return assignment


def _check_removable(stage, assignment):
    if stage.state == StageState.SETUP:
        return
    if Score.objects.filter(
        assignment_id=assignment.pk, submitted_at__isnull=False
    ).exists():
        raise AssignmentError(SCORE_SUBMITTED, code="score_submitted")


@transaction.atomic
def add_assignment(stage, judge, entry_id, *, by):
    """Give ``judge`` (on the panel, without a conflict) one more entry of the
    stage, at the end of their order; while the stage is in set-up or open.
    Adding it again returns the assignment that stands."""
    locked = _changeable_stage(stage)
    existing = Assignment.objects.filter(
        stage=locked, judge_id=judge.pk, entry_id=entry_id
    ).first()
    if existing is not None:
        return existing
    _check_can_judge(locked, judge.pk, entry_id)
    return _append(locked, judge.pk, entry_id, by=by)


@transaction.atomic
def remove_assignment(assignment, *, by, reason=""):
    """Take an entry from a judge. Once the stage has opened, an assignment
    with a submitted score stays. Returns whether it stood (a second click
    finds it gone)."""
    reason = _check_reason(reason)
    locked = _changeable_stage(assignment.stage)
    current = Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if current is None:
        return False
    _check_removable(locked, current)
    current.delete()
    record_event(
        actor=by,
        verb=AuditVerb.UNASSIGNED,
        obj=locked,
        reason=reason,
        data={"judge": current.judge_id, "entry": current.entry_id},
    )
    return True


@transaction.atomic
def reassign(assignment, to_judge, *, by, reason=""):
    """Give an assignment's entry to another judge of the panel (at the end of
    their order) in place of its judge. Refused, like a removal, once its
    judge has submitted a score in an open stage. Returns the new assignment;
    a second click, finding the assignment already moved, returns the one to
    ``to_judge``."""
    reason = _check_reason(reason)
    locked = _changeable_stage(assignment.stage)
    current = Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if current is None:
        moved = Assignment.objects.filter(
            stage=locked, judge_id=to_judge.pk, entry_id=assignment.entry_id
        ).first()
        if moved is None:
            raise AssignmentError(_("This assignment no longer exists."), code="gone")
        return moved
    if current.judge_id == to_judge.pk:
        return current
    if Assignment.objects.filter(
        stage=locked, judge_id=to_judge.pk, entry_id=current.entry_id
    ).exists():
        raise AssignmentError(ALREADY_ASSIGNED, code="already_assigned")
    _check_removable(locked, current)
    _check_can_judge(locked, to_judge.pk, current.entry_id)
    current.delete()
    record_event(
        actor=by,
        verb=AuditVerb.UNASSIGNED,
        obj=locked,
        reason=reason,
        data={
            "judge": current.judge_id,
            "entry": current.entry_id,
            "reassigned_to": to_judge.pk,
        },
    )
    return _append(
        locked,
        to_judge.pk,
        current.entry_id,
        by=by,
        data={"reassigned_from": current.judge_id},
    )
