"""The staff pages of a stage's panel, assignments and conflicts: who reaches
them, what they show, what each form does, and what a refusal looks like."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.enums import StageState
from judging.models import Assignment, Conflict, PanelMember, Score, StageEntry
from judging.services.assignment import make_assignments
from submissions.models import Entry
from tests import factories
from tests.judging.assign_fixtures import make_setup_stage, make_staff_member, set_state

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def staff():
    return make_staff_member()


@pytest.fixture
def staff_client(mfa_client, staff):
    return mfa_client(staff)


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def url(name, stage, *args):
    return reverse(f"manage:{name}", args=[stage.pk, *args])


def reference_of(entry_id):
    return Entry.objects.get(pk=entry_id).reference


def made(**options):
    stage, judges = make_setup_stage(**options)
    make_assignments(stage, by=None)
    return stage, judges


# --- Who reaches the pages ----------------------------------------------------------


def _urls(stage, judge, assignment, conflict):
    return [
        ("get", url("stage_panel", stage)),
        ("post", url("stage_panel", stage)),
        ("post", url("stage_panel_chair", stage, judge.pk)),
        ("post", url("stage_panel_remove", stage, judge.pk)),
        ("get", url("stage_assignments", stage)),
        ("post", url("stage_assignments_make", stage)),
        ("post", url("stage_assignment_assign", stage)),
        ("post", url("stage_assignment_remove", stage, assignment.pk)),
        ("get", url("stage_conflicts", stage)),
        ("post", url("stage_conflicts", stage)),
        ("post", url("stage_conflict_lift", stage, conflict.pk)),
    ]


@pytest.mark.parametrize("role", ["anonymous", "entrant", "judge"])
def test_only_staff_reach_the_pages(client, mfa_client, role):
    stage, judges = made(entries=2, judges=2, judges_per_entry=1)
    assignment = Assignment.objects.filter(stage=stage).first()
    conflict = Conflict.objects.create(
        judge=judges[1], entry_id=assignment.entry_id, reason="Friend"
    )
    if role == "entrant":
        client.force_login(factories.make_entrant())
    elif role == "judge":
        # A judge of the very panel, signed in with two-factor.
        mfa_client(judges[0])
    before = set(Assignment.objects.values_list("pk", flat=True))
    for method, address in _urls(stage, judges[0], assignment, conflict):
        response = getattr(client, method)(
            address, {"reason": "x", "judge": judges[0].pk}
        )
        if role == "anonymous":
            assert response.status_code == 302, address
            assert response.url.startswith(reverse("account_login"))
        else:
            assert response.status_code == 403, address
    assert set(Assignment.objects.values_list("pk", flat=True)) == before
    assert PanelMember.objects.filter(stage=stage).count() == 2
    assert Conflict.objects.count() == 1


def test_staff_without_two_factor_are_sent_to_it(client):
    stage, _judges = make_setup_stage(entries=1, judges=1)
    client.force_login(factories.make_staff())
    for name in ("stage_panel", "stage_assignments", "stage_conflicts"):
        response = client.get(url(name, stage))
        assert response.status_code == 302
        assert response.url.startswith(reverse("mfa_activate_totp"))


def test_an_unknown_stage_is_not_found(staff_client):
    assert (
        staff_client.get(reverse("manage:stage_assignments", args=[999999])).status_code
        == 404
    )


def test_the_actions_take_posts_only(staff_client):
    stage, _judges = made(entries=1, judges=1, judges_per_entry=1)
    assert staff_client.get(url("stage_assignments_make", stage)).status_code == 405


# --- Panel ------------------------------------------------------------------------


def test_the_panel_lists_its_members_with_the_chair(staff_client):
    stage, judges = made(entries=2, judges=2, judges_per_entry=1)
    response = staff_client.get(url("stage_panel", stage))
    assert response.status_code == 200
    members = response.context["members"]
    assert [(m.judge.email, m.is_chair, m.assigned) for m in members] == [
        (judges[0].email, True, 1),
        (judges[1].email, False, 1),
    ]
    assert response.text.count("data-chair") == 1


def test_staff_add_a_judge_as_chair(staff_client, staff):
    stage, _judges = make_setup_stage(entries=1, judges=1)
    newcomer = factories.make_judge(email="newcomer@example.org")
    factories.make_entrant(email="artist@example.org")
    page = staff_client.get(url("stage_panel", stage))
    assert list(page.context["form"].fields["judge"].queryset) == [newcomer]

    response = staff_client.post(
        url("stage_panel", stage), {"judge": newcomer.pk, "chair": "on"}
    )

    assert response.status_code == 302
    assert PanelMember.objects.get(stage=stage, is_chair=True).judge == newcomer
    assert shown(response) == ["newcomer@example.org is on the panel."]


def test_a_person_without_the_judge_role_cannot_be_added(staff_client):
    stage, _judges = make_setup_stage(entries=1, judges=1)
    artist = factories.make_entrant()
    response = staff_client.post(url("stage_panel", stage), {"judge": artist.pk})
    assert response.status_code == 200
    assert "judge" in response.context["form"].errors
    assert not PanelMember.objects.filter(judge=artist).exists()


def test_adding_to_a_finalised_stage_shows_the_refusal(staff_client):
    stage, _judges = make_setup_stage(entries=1, judges=1)
    newcomer = factories.make_judge()
    set_state(stage, StageState.FINALISED)
    response = staff_client.post(url("stage_panel", stage), {"judge": newcomer.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The panel of a finalised stage does not change."
    ]


def test_staff_make_a_chair_and_remove_a_member_twice(staff_client):
    stage, judges = made(entries=2, judges=2, judges_per_entry=1)
    chaired = staff_client.post(url("stage_panel_chair", stage, judges[1].pk))
    assert shown(chaired) == [f"{judges[1].email} chairs the panel."]
    assert PanelMember.objects.get(stage=stage, is_chair=True).judge == judges[1]

    response = staff_client.post(url("stage_panel_remove", stage, judges[0].pk))
    assert shown(response)[-1] == (
        f"{judges[0].email} is off the panel. Their 1 assignment stays until you "
        "remove or reassign it on the assignments page."
    )
    again = staff_client.post(url("stage_panel_remove", stage, judges[0].pk))
    assert again.status_code == 302
    assert shown(again)[-1] == "This judge is not on the panel."
    assert list(
        PanelMember.objects.filter(stage=stage).values_list("judge_id", flat=True)
    ) == [judges[1].pk]


# --- Assignments --------------------------------------------------------------------


def test_staff_make_the_assignments_in_set_up(staff_client):
    stage, _judges = make_setup_stage(
        entries=3, judges=2, judges_per_entry=2, min_judges=2
    )
    page = staff_client.get(url("stage_assignments", stage))
    assert 'id="make-assignments"' in page.text

    response = staff_client.post(url("stage_assignments_make", stage))

    assert response.status_code == 302
    assert shown(response) == ["6 assignments made: 3 entries, 2 judges."]
    assert Assignment.objects.filter(stage=stage).count() == 6
    page = staff_client.get(url("stage_assignments", stage))
    assert [(row.counted, row.below_minimum) for row in page.context["rows"]] == [
        (2, False)
    ] * 3
    assert [row.reference for row in page.context["rows"]] == [
        reference_of(entry_id)
        for entry_id in StageEntry.objects.filter(stage=stage)
        .order_by("id")
        .values_list("entry_id", flat=True)
    ]


def test_making_assignments_in_an_open_stage_is_refused_with_the_reason(staff_client):
    stage, _judges = made(entries=2, judges=2)
    set_state(stage, StageState.OPEN)
    page = staff_client.get(url("stage_assignments", stage))
    assert 'id="make-assignments"' not in page.text
    response = staff_client.post(url("stage_assignments_make", stage))
    assert shown(response) == [
        "Assignments are made while the stage is being set up. Once it has opened, "
        "add, remove or reassign single assignments instead."
    ]


def test_coverage_warns_of_entries_below_the_minimum_and_filters_them(staff_client):
    stage, judges = made(entries=3, judges=2, judges_per_entry=2, min_judges=2)
    entry_ids = list(
        StageEntry.objects.filter(stage=stage)
        .order_by("id")
        .values_list("entry_id", flat=True)
    )
    Conflict.objects.create(judge=judges[0], entry_id=entry_ids[1], reason="Friend")
    Score.objects.create(
        assignment=Assignment.objects.get(
            stage=stage, judge=judges[1], entry_id=entry_ids[0]
        ),
        submitted_at=timezone.now(),
    )

    page = staff_client.get(url("stage_assignments", stage))
    assert page.context["below"] == 1
    assert 'id="below-minimum"' in page.text
    assert [
        (r.entry_id, r.counted, r.submitted, r.conflicts, r.below_minimum)
        for r in page.context["rows"]
    ] == [
        (entry_ids[0], 2, 1, 0, False),
        (entry_ids[1], 1, 0, 1, True),
        (entry_ids[2], 2, 0, 0, False),
    ]
    conflicted = next(
        j for j in page.context["rows"][1].judges if j.judge_id == judges[0].pk
    )
    assert conflicted.conflicted is True
    below = staff_client.get(url("stage_assignments", stage) + "?show=below")
    assert [row.entry_id for row in below.context["rows"]] == [entry_ids[1]]
    with_conflicts = staff_client.get(
        url("stage_assignments", stage) + "?show=conflicts"
    )
    assert [row.entry_id for row in with_conflicts.context["rows"]] == [entry_ids[1]]
    odd = staff_client.get(url("stage_assignments", stage) + "?show=%00&page=abc")
    assert odd.status_code == 200
    assert len(odd.context["rows"]) == 3


def test_staff_reassign_an_entry_and_are_warned_of_what_falls_short(
    staff_client, staff
):
    stage, judges = made(entries=1, judges=3, judges_per_entry=2, min_judges=2)
    set_state(stage, StageState.OPEN)
    assignment = Assignment.objects.filter(stage=stage).order_by("judge_id").first()
    free = next(
        j
        for j in judges
        if not Assignment.objects.filter(stage=stage, judge=j).exists()
    )

    response = staff_client.post(
        url("stage_assignment_assign", stage),
        {
            "entry": assignment.entry_id,
            "judge": free.pk,
            "replace": assignment.pk,
            "query": "show=below",
        },
    )

    assert response.status_code == 302
    assert response.url == url("stage_assignments", stage) + "?show=below"
    assert shown(response) == [
        f"{free.email} now scores {reference_of(assignment.entry_id)} in place of "
        f"{assignment.judge.email}."
    ]
    assert Assignment.objects.filter(stage=stage, judge=free).exists()
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_adding_a_conflicted_judge_shows_the_refusal_with_the_choice_kept(staff_client):
    stage, judges = made(entries=1, judges=3, judges_per_entry=1, min_judges=1)
    entry_id = StageEntry.objects.get(stage=stage).entry_id
    free = next(
        j
        for j in judges
        if not Assignment.objects.filter(stage=stage, judge=j).exists()
    )
    Conflict.objects.create(judge=free, entry_id=entry_id, reason="Teacher")

    response = staff_client.post(
        url("stage_assignment_assign", stage),
        {"entry": entry_id, "judge": free.pk, "replace": ""},
    )

    assert response.status_code == 200
    assert response.context["failed"]["message"] == (
        "This judge has a conflict of interest with this entry."
    )
    assert f'<option value="{free.pk}" selected>' in response.text
    assert Assignment.objects.filter(stage=stage).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"entry": "nonsense", "judge": "1"},
        {"entry": "999999", "judge": "abc"},
        {"entry": "", "judge": "", "replace": "zzz"},
        {},
    ],
)
def test_bad_input_to_assign_is_a_message_never_an_error(staff_client, data):
    stage, _judges = made(entries=1, judges=2, judges_per_entry=1)
    response = staff_client.post(url("stage_assignment_assign", stage), data)
    assert response.status_code == 200
    assert response.context["failed"]["message"] in {
        "Choose an entry of the stage.",
        "Choose a judge of the panel.",
    }


def test_an_entry_outside_the_stage_is_refused(staff_client):
    stage, judges = made(entries=1, judges=1, judges_per_entry=1)
    other, _judges = made(entries=1, judges=1)
    entry_id = StageEntry.objects.get(stage=other).entry_id
    response = staff_client.post(
        url("stage_assignment_assign", stage),
        {"entry": entry_id, "judge": judges[0].pk},
    )
    assert (
        response.context["failed"]["message"]
        == "This entry is not judged in this stage."
    )


def test_staff_remove_an_assignment_with_a_reason_and_a_second_click_is_harmless(
    staff_client,
):
    stage, _judges = made(entries=1, judges=2, judges_per_entry=2)
    assignment = Assignment.objects.filter(stage=stage).first()

    response = staff_client.post(
        url("stage_assignment_remove", stage, assignment.pk), {"reason": "Unwell"}
    )
    assert response.status_code == 302
    assert shown(response)[0] == (
        f"{assignment.judge.email} no longer scores {reference_of(assignment.entry_id)}."
    )
    again = staff_client.post(
        url("stage_assignment_remove", stage, assignment.pk), {"reason": "Unwell"}
    )

    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.get(verb=AuditVerb.UNASSIGNED).reason == "Unwell"
    assert shown(again)[-1] == "This assignment has been removed already."


def test_removing_a_submitted_score_in_an_open_stage_keeps_the_reason_typed(
    staff_client,
):
    stage, _judges = made(entries=1, judges=2, judges_per_entry=2)
    assignment = Assignment.objects.filter(stage=stage).first()
    Score.objects.create(assignment=assignment, submitted_at=timezone.now())
    set_state(stage, StageState.OPEN)

    response = staff_client.post(
        url("stage_assignment_remove", stage, assignment.pk),
        {"reason": "Left the panel"},
    )

    assert response.status_code == 200
    assert response.context["failed"]["message"].startswith(
        "This judge has submitted a score for this entry"
    )
    assert 'value="Left the panel"' in response.text
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_a_too_long_reason_is_a_form_error(staff_client):
    stage, _judges = made(entries=1, judges=2, judges_per_entry=2)
    assignment = Assignment.objects.filter(stage=stage).first()
    response = staff_client.post(
        url("stage_assignment_remove", stage, assignment.pk), {"reason": "x" * 2001}
    )
    assert response.status_code == 200
    assert response.context["failed"]["action"] == "remove"
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_a_closed_stage_offers_no_changes(staff_client):
    stage, _judges = made(entries=1, judges=2, judges_per_entry=2)
    set_state(stage, StageState.CLOSED)
    page = staff_client.get(url("stage_assignments", stage))
    assert page.context["can_change"] is False
    assert "stage_assignment_assign" not in page.text
    assert url("stage_assignment_assign", stage) not in page.text


def _assignments_page_queries(client, stage):
    address = url("stage_assignments", stage)
    client.get(address)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    return response, len(queries.captured_queries)


def test_the_assignments_page_reads_as_many_queries_for_50_entries_as_for_1(
    staff_client, django_assert_num_queries
):
    one, _judges = made(entries=1, judges=3, judges_per_entry=2)
    response, count = _assignments_page_queries(staff_client, one)
    assert len(response.context["rows"]) == 1

    many, _judges = made(entries=50, judges=3, judges_per_entry=2)
    address = url("stage_assignments", many)
    with django_assert_num_queries(count):
        response = staff_client.get(address)
    assert len(response.context["rows"]) == 50
    assert all(len(row.judges) == 2 for row in response.context["rows"])


# --- Conflicts --------------------------------------------------------------------


def test_staff_set_a_conflict_by_reference_and_are_warned(staff_client, staff):
    stage, judges = made(entries=1, judges=2, judges_per_entry=2, min_judges=2)
    entry_id = StageEntry.objects.get(stage=stage).entry_id
    reference = reference_of(entry_id)

    response = staff_client.post(
        url("stage_conflicts", stage),
        {
            "judge": judges[0].pk,
            "reference": f" {reference.lower()} ",
            "reason": "Sister",
        },
    )

    assert response.status_code == 302
    conflict = Conflict.objects.get()
    assert (
        conflict.judge,
        conflict.entry_id,
        conflict.reason,
        conflict.declared_by,
    ) == (
        judges[0],
        entry_id,
        "Sister",
        staff,
    )
    messages = shown(response)
    assert (
        messages[0]
        == f"The conflict of {judges[0].email} with {reference} is recorded."
    )
    assert messages[1].startswith(
        "This entry now has 1 judges whose scores count, fewer than the minimum of 2."
    )
    assert "?show=below" in messages[1]
    page = staff_client.get(url("stage_conflicts", stage))
    (row,) = page.context["page"].object_list
    assert (row.judge_email, row.reference, row.reason, row.declared_by_email) == (
        judges[0].email,
        reference,
        "Sister",
        staff.email,
    )
    assert 'id="below-minimum"' in page.text


def test_an_unknown_reference_is_a_form_error_that_keeps_what_was_typed(staff_client):
    stage, judges = made(entries=1, judges=1)
    response = staff_client.post(
        url("stage_conflicts", stage),
        {"judge": judges[0].pk, "reference": "NOPE-1", "reason": "Neighbour"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "reference": ["No entry of this stage has this reference code."]
    }
    assert 'value="NOPE-1"' in response.text
    assert "Neighbour" in response.text
    assert not Conflict.objects.exists()


def test_a_conflict_needs_a_reason(staff_client):
    stage, judges = made(entries=1, judges=1)
    reference = reference_of(StageEntry.objects.get(stage=stage).entry_id)
    response = staff_client.post(
        url("stage_conflicts", stage),
        {"judge": judges[0].pk, "reference": reference, "reason": "  "},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]


def test_staff_lift_a_conflict_with_a_reason_and_twice(staff_client):
    stage, judges = made(entries=1, judges=1)
    entry_id = StageEntry.objects.get(stage=stage).entry_id
    conflict = Conflict.objects.create(
        judge=judges[0], entry_id=entry_id, reason="Friend", declared_by=judges[0]
    )
    page = staff_client.get(url("stage_conflicts", stage))
    assert "the judge" in page.text

    response = staff_client.post(
        url("stage_conflict_lift", stage, conflict.pk), {"reason": "Checked"}
    )
    again = staff_client.post(
        url("stage_conflict_lift", stage, conflict.pk), {"reason": "Checked"}
    )

    assert not Conflict.objects.exists()
    assert AuditEvent.objects.get(verb=AuditVerb.CONFLICT_LIFTED).reason == "Checked"
    assert shown(response) == [
        f"The conflict of {judges[0].email} is lifted: their assignment of the "
        "entry counts again.",
        # One judge, and the stage asks for two.
        f'1 entry has fewer judges whose scores count than the minimum of 2. <a class="alert-link" '
        f'href="{url("stage_assignments", stage)}?show=below">Add or reassign judges</a>',
    ]
    # The messages of the first click were not shown yet: the last is the second's.
    assert shown(again)[-1] == "This conflict has been lifted already."


def test_a_conflict_of_another_stage_is_not_lifted_here(staff_client):
    stage, _judges = made(entries=1, judges=1)
    other, judges = made(entries=1, judges=1)
    conflict = Conflict.objects.create(
        judge=judges[0],
        entry_id=StageEntry.objects.get(stage=other).entry_id,
        reason="Friend",
    )
    staff_client.post(url("stage_conflict_lift", stage, conflict.pk))
    assert Conflict.objects.filter(pk=conflict.pk).exists()


def test_the_conflicts_page_reads_as_many_queries_for_many_as_for_one(
    staff_client, django_assert_num_queries
):
    stage, judges = made(entries=1, judges=1)
    Conflict.objects.create(
        judge=judges[0],
        entry_id=StageEntry.objects.get(stage=stage).entry_id,
        reason="A",
    )
    address = url("stage_conflicts", stage)
    staff_client.get(address)
    with CaptureQueriesContext(connection) as one:
        staff_client.get(address)
    many, judges = made(entries=50, judges=1)
    for entry_id in StageEntry.objects.filter(stage=many).values_list(
        "entry_id", flat=True
    ):
        Conflict.objects.create(judge=judges[0], entry_id=entry_id, reason="B")
    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(url("stage_conflicts", many))
    assert len(response.context["page"].object_list) == 50


def test_a_form_without_its_csrf_token_is_refused(staff):
    stage, _judges = make_setup_stage(entries=1, judges=1)
    browser = Client(enforce_csrf_checks=True)
    factories.sign_in_with_two_factor(browser, staff)
    response = browser.post(url("stage_assignments_make", stage))
    assert response.status_code == 403
    assert not Assignment.objects.filter(stage=stage).exists()
    page = browser.get(url("stage_assignments", stage))
    assert page.text.count("csrfmiddlewaretoken") >= 1
