import pytest
from django.core import mail

from artsprize.accounts.enums import Language
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.errors import JudgingError
from judging.models import Assignment, Conflict
from judging.services.conflicts import declare_conflict, lift_conflict, set_conflict
from judging.services.notifications import send_entry_short_of_judges
from tests import factories
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


def declare_all(capture, assignments, judge):
    with capture(execute=True):
        for assignment in assignments:
            declare_conflict(assignment, reason="My student", by=judge)


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        (Language.ENGLISH, "has too few judges in “First round”"),
        (Language.CHINESE, "在「初選」的評審人數不足"),
    ],
)
def test_staff_are_told_when_a_conflict_leaves_an_entry_short_of_judges(
    django_capture_on_commit_callbacks, language, subject
):
    staff = factories.make_staff(language=language)
    stage, judges = make_open_stage(entries=1, judges=2)
    assignment = Assignment.objects.get(stage=stage, judge=judges[0])
    reference = assignment.entry.reference

    declare_all(django_capture_on_commit_callbacks, [assignment], judges[0])

    (message,) = mail.outbox
    assert message.to == [staff.email]
    assert message.subject.startswith(reference)
    assert subject in message.subject
    assert f"/manage/stages/{stage.pk}/assignments/?show=below" in message.body


def test_staff_are_not_told_while_the_entry_keeps_enough_judges(
    django_capture_on_commit_callbacks,
):
    factories.make_staff()
    stage, judges = make_open_stage(entries=1, judges=3)
    assignment = Assignment.objects.get(stage=stage, judge=judges[0])

    declare_all(django_capture_on_commit_callbacks, [assignment], judges[0])

    assert mail.outbox == []


def test_no_mail_once_staff_gave_the_entry_another_judge(
    django_capture_on_commit_callbacks,
):
    factories.make_staff()
    stage, judges = make_open_stage(entries=1, judges=2)
    first = Assignment.objects.get(stage=stage, judge=judges[0])
    newcomer = factories.make_judge()
    declare_conflict(first, reason="My student", by=judges[0])
    # Staff reassign before the mail task runs: it finds nothing to say.
    Assignment.objects.create(stage=stage, judge=newcomer, entry=first.entry)

    send_entry_short_of_judges(stage.pk, first.entry_id)

    assert mail.outbox == []
