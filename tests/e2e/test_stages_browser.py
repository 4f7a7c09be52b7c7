"""A member of staff sets up a stage in the browser (laptop and 390 px phone):
the form, a criterion, the refusal to open with what is missing, then opening
once the panel is assigned, each move confirmed in the browser's dialog. Every
page visited is checked with axe-core (tests/e2e/conftest.py)."""

import re

import pytest

from judging.enums import StageState
from judging.models import Stage
from submissions.enums import RoundState
from tests import factories
from tests.e2e.session import share_session
from tests.judging.stages_fixtures import hk_minute, later
from tests.judging_factories import add_to_panel, assign_everyone, make_judging_round

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_set_up_and_open_a_stage(live_server, page, client):
    staff = factories.make_staff()
    round_ = make_judging_round(entries=2)
    factories.sign_in_with_two_factor(client, staff)
    share_session(page, live_server, client)
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)

    page.goto(f"{live_server.url}/manage/rounds/{round_.pk}/")
    page.locator("#judging-heading").scroll_into_view_if_needed()
    page.get_by_role("link", name="Judging stages").click()
    page.get_by_role("link", name="Add a stage").click()

    # A mistake first: the form comes back with what was typed.
    page.get_by_label("Name (English)").fill("First <round>")
    page.get_by_label("Name (Chinese)").fill("")
    page.get_by_label(round_.categories.get().name).check()
    page.get_by_label("Closes (Hong Kong time)").fill(hk_minute(later(10)))
    page.get_by_role("button", name="Add stage").click()
    assert page.locator("#form-errors").is_visible()
    assert page.get_by_label("Name (English)").input_value() == "First <round>"

    page.get_by_label("Name (Chinese)").fill("初選")
    page.get_by_role("button", name="Add stage").click()
    stage = Stage.objects.get()
    page.wait_for_url(re.compile(rf"/manage/stages/{stage.pk}/$"))
    assert page.locator("h1").inner_text() == "First <round>"

    page.get_by_role("link", name="Add a criterion").click()
    page.get_by_label("Name (English)").fill("Originality")
    page.get_by_label("Name (Chinese)").fill("原創性")
    page.get_by_label("Weight").fill("2")
    page.get_by_role("button", name="Add criterion").click()
    page.wait_for_url(re.compile(rf"/manage/stages/{stage.pk}/$"))
    problems = page.locator("#stage-problems li").all_inner_texts()
    assert problems == ["Add judges to the panel.", "Assign the entries to the judges."]

    page.get_by_role("button", name="Open now").click()
    page.wait_for_load_state()
    assert (
        "The stage is not ready to open." in page.locator(".alert").first.inner_text()
    )
    stage.refresh_from_db()
    assert stage.state == StageState.SETUP

    judges = [factories.make_judge(), factories.make_judge()]
    add_to_panel(stage, *judges)
    assign_everyone(stage, judges)
    page.reload()
    page.get_by_role("button", name="Open now").click()
    page.wait_for_load_state()
    assert page.locator("#stage-state").inner_text() == "Open for scoring"
    stage.refresh_from_db()
    round_.refresh_from_db()
    assert (stage.state, round_.state) == (StageState.OPEN, RoundState.JUDGING)
    assert asked[0].startswith("Open this stage now?")
