"""Staff set up a stage's judging in the browser, on a laptop and on a phone:
a judge added to the panel as chair, the assignments made (after the question),
a conflict typed with a wrong reference code and corrected, and the warning
that sends them to reassign. axe-core checks every page on the way."""

import re

import pytest

from judging.models import Assignment, Conflict, PanelMember
from submissions.models import Entry
from tests import factories
from tests.e2e.session import share_session
from tests.judging.assign_fixtures import make_setup_stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_set_up_a_stages_panel_assignments_and_a_conflict(
    live_server, page, client
):
    stage, judges = make_setup_stage(
        entries=3, judges=1, judges_per_entry=2, min_judges=2
    )
    newcomer = factories.make_judge(email="newcomer@example.org")
    staff = factories.make_staff()
    factories.sign_in_with_two_factor(client, staff)
    share_session(page, live_server, client)
    base = f"{live_server.url}/manage/stages/{stage.pk}"

    page.goto(f"{base}/panel/")
    page.locator("#id_judge").select_option(label="newcomer@example.org")
    page.get_by_label("Chair of the panel").check()
    page.get_by_role("button", name="Add to the panel").click()
    page.wait_for_url(re.compile(r"/panel/$"))
    assert (
        "newcomer@example.org is on the panel."
        in page.locator(".messages").inner_text()
    )
    assert PanelMember.objects.get(stage=stage, is_chair=True).judge == newcomer

    page.get_by_role("link", name="Assignments").click()
    page.wait_for_url(re.compile(r"/assignments/$"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Make the assignments").click()
    page.wait_for_url(re.compile(r"/assignments/$"))
    assert (
        "6 assignments made: 3 entries, 2 judges."
        in page.locator(".messages").inner_text()
    )
    assert page.locator("#coverage tbody tr").count() == 3
    assert Assignment.objects.filter(stage=stage).count() == 6

    page.get_by_role("link", name="Conflicts of interest").click()
    page.locator("#id_judge").select_option(label=judges[0].email)
    page.get_by_label("Entry's reference code").fill("NOPE-1")
    page.get_by_label("Reason (seen by staff only)").fill("Former student")
    page.get_by_role("button", name="Set the conflict").click()
    assert (
        "No entry of this stage has this reference code."
        in page.locator("form").last.inner_text()
    )
    assert page.get_by_label("Reason (seen by staff only)").input_value() == (
        "Former student"
    )
    page.check_accessibility()

    reference = Entry.objects.filter(round=stage.round).order_by("reference")[0]
    page.get_by_label("Entry's reference code").fill(reference.reference)
    page.get_by_role("button", name="Set the conflict").click()
    page.wait_for_url(re.compile(r"/conflicts/$"))
    assert Conflict.objects.get().judge == judges[0]
    warning = page.locator(".messages .alert-warning")
    assert "fewer than the minimum of 2" in warning.inner_text()
    warning.get_by_role("link", name="Add or reassign judges").click()
    page.wait_for_url(re.compile(r"show=below"))
    assert page.locator("#coverage tbody tr").count() == 1
