import pytest

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.errors import JudgingError
from judging.models import Assignment, Conflict
from judging.services.conflicts import declare_conflict, lift_conflict, set_conflict
from tests.judging_factories import make_open_stage

pytestmark = pytest.mark.django_db


def test_a_judge_declares_a_conflict_with_a_reason():
    stage, judges = make_open_stage(entries=1, judges=1)
    assignment = Assignment.objects.get(stage=stage)
    conflict = declare_conflict(assignment, reason=" My student ", by=judges[0])
    assert (conflict.judge, conflict.entry_id, conflict.reason) == (
        judges[0],
        assignment.entry_id,
        "My student",
    )
    event = AuditEvent.objects.get(verb=AuditVerb.CONFLICT_DECLARED)
    assert event.reason == "My student"
    assert not judges[0].has_perm("judging.view_assignment", assignment)


def test_declaring_twice_keeps_one_conflict():
    stage, judges = make_open_stage(entries=1, judges=1)
    assignment = Assignment.objects.get(stage=stage)
    first = declare_conflict(assignment, reason="Friend", by=judges[0])
    second = declare_conflict(assignment, reason="Friend", by=judges[0])
    assert first.pk == second.pk
    assert Conflict.objects.count() == 1
    assert AuditEvent.objects.filter(verb=AuditVerb.CONFLICT_DECLARED).count() == 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001, "a\x00b"])
def test_a_conflict_needs_a_sensible_reason(reason):
    stage, judges = make_open_stage(entries=1, judges=1)
    assignment = Assignment.objects.get(stage=stage)
    with pytest.raises(JudgingError):
        declare_conflict(assignment, reason=reason, by=judges[0])
    assert not Conflict.objects.exists()


def test_staff_set_and_lift_a_conflict(staff_user):
    stage, judges = make_open_stage(entries=1, judges=1)
    assignment = Assignment.objects.get(stage=stage)
    conflict = set_conflict(
        stage, judges[0], assignment.entry_id, reason="Relative", by=staff_user
    )
    assert lift_conflict(conflict, stage=stage, by=staff_user) is True
    assert lift_conflict(conflict, stage=stage, by=staff_user) is False
    assert not Conflict.objects.exists()
    verbs = list(
        AuditEvent.objects.filter(
            verb__in=[AuditVerb.CONFLICT_DECLARED, AuditVerb.CONFLICT_LIFTED]
        )
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == [AuditVerb.CONFLICT_DECLARED, AuditVerb.CONFLICT_LIFTED]


def test_staff_cannot_set_a_conflict_on_an_entry_outside_the_stage(staff_user):
    stage, judges = make_open_stage(entries=1, judges=1)
    other, _judges = make_open_stage(entries=1, judges=1)
    entry_id = Assignment.objects.filter(stage=other).first().entry_id
    with pytest.raises(JudgingError):
        set_conflict(stage, judges[0], entry_id, reason="Friend", by=staff_user)
