"""Who reaches the judge's pages: roles × stage states × addresses. A judge
reaches their own, unconflicted assignments of a stage that is open or closed;
everything else is "not found", the panel's scores before the stage's rule
shows them and the staff pages are "not allowed"."""

import json

import pytest
from django.urls import reverse

from judging.enums import StageState, Visibility
from judging.models import Conflict, Score, Stage
from judging.services.panels import remove_panel_member
from tests import factories
from tests.judging.judge_fixtures import judge_client, own
from tests.judging_factories import make_open_stage

pytestmark = pytest.mark.django_db

ASSIGNMENT_PAGES = ("judging:entry", "judging:conflict")


def score_json(client, assignment, data=None):
    return client.post(
        reverse("judging:score", args=[assignment.pk]),
        data=json.dumps({"data": data or {"comment": "x"}, "base_version": 0}),
        content_type="application/json",
    )


@pytest.fixture
def setting():
    stage, judges = make_open_stage(entries=2, judges=2)
    return stage, judges, own(stage, judges[0]), own(stage, judges[1])


@pytest.mark.parametrize(
    ("state", "reachable"),
    [
        (StageState.SETUP, False),
        (StageState.OPEN, True),
        (StageState.CLOSED, True),
        (StageState.FINALISED, False),
    ],
)
def test_a_judge_reaches_their_work_while_the_stage_is_open_or_closed(
    client, setting, state, reachable
):
    stage, judges, mine, _theirs = setting
    Stage.objects.filter(pk=stage.pk).update(state=state)
    judge_client(client, judges[0])
    expected = 200 if reachable else 404

    assert client.get(reverse("judging:dashboard")).status_code == 200
    assert client.get(reverse("judging:queue", args=[stage.pk])).status_code == (
        expected
    )
    for name in ASSIGNMENT_PAGES:
        response = client.get(reverse(name, args=[mine[0].pk]))
        assert response.status_code == expected, name


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (StageState.SETUP, 404),
        (StageState.OPEN, 200),
        (StageState.CLOSED, 409),
        (StageState.FINALISED, 404),
    ],
)
def test_a_score_is_saved_only_while_the_stage_is_open(client, setting, state, status):
    stage, judges, mine, _theirs = setting
    Stage.objects.filter(pk=stage.pk).update(state=state)
    judge_client(client, judges[0])

    json_answer = score_json(client, mine[0])
    form_answer = client.post(
        reverse("judging:score", args=[mine[0].pk]), {"comment": "y", "save": "1"}
    )

    assert json_answer.status_code == status
    assert form_answer.status_code == {200: 302}.get(status, status)
    if status == 409:
        assert json_answer.json() == {
            "error": "stage_not_open",
            "message": "This stage is not open for scoring: scores cannot change now.",
            "problems": {},
        }
        assert "scores cannot change now" in form_answer.content.decode()
    assert Score.objects.exists() == (status == 200)


def test_a_closed_stage_shows_the_score_without_a_form(client, setting):
    stage, judges, mine, _theirs = setting
    Stage.objects.filter(pk=stage.pk).update(state=StageState.CLOSED)
    judge_client(client, judges[0])

    page = client.get(reverse("judging:entry", args=[mine[0].pk])).content.decode()

    assert 'id="score-form"' not in page
    assert "The stage is closed: scores cannot change." in page


def test_another_judge_s_assignment_is_not_found(client, setting):
    _stage, judges, _mine, theirs = setting
    judge_client(client, judges[0])

    for name in (*ASSIGNMENT_PAGES, "judging:panel_scores"):
        assert client.get(reverse(name, args=[theirs[0].pk])).status_code == 404
    assert score_json(client, theirs[0]).status_code == 404
    assert not Score.objects.exists()


def test_a_judge_off_the_panel_finds_nothing(client, setting):
    stage, _judges, mine, _theirs = setting
    judge_client(client, factories.make_judge())

    assert client.get(reverse("judging:queue", args=[stage.pk])).status_code == 404
    assert client.get(reverse("judging:entry", args=[mine[0].pk])).status_code == 404
    assert score_json(client, mine[0]).status_code == 404


def test_a_conflicted_assignment_is_not_found(client, setting):
    _stage, judges, mine, _theirs = setting
    Conflict.objects.create(judge=judges[0], entry_id=mine[0].entry_id, reason="x")
    judge_client(client, judges[0])

    assert client.get(reverse("judging:entry", args=[mine[0].pk])).status_code == 404
    assert (
        client.get(reverse("judging:panel_scores", args=[mine[0].pk])).status_code
        == 404
    )
    assert score_json(client, mine[0]).status_code == 404
    assert client.get(reverse("judging:entry", args=[mine[1].pk])).status_code == 200


@pytest.mark.parametrize(
    ("visibility", "state", "submitted", "status"),
    [
        (Visibility.NEVER, StageState.OPEN, True, 403),
        (Visibility.NEVER, StageState.CLOSED, True, 403),
        (Visibility.AFTER_OWN, StageState.OPEN, False, 403),
        (Visibility.AFTER_OWN, StageState.OPEN, True, 200),
        (Visibility.AFTER_CLOSE, StageState.OPEN, True, 403),
        (Visibility.AFTER_CLOSE, StageState.CLOSED, False, 200),
    ],
)
def test_the_panel_s_scores_follow_the_stage_s_rule(
    client, setting, visibility, state, submitted, status
):
    stage, judges, mine, _theirs = setting
    if submitted:
        Score.objects.create(assignment=mine[0], submitted_at=stage.created_at)
    Stage.objects.filter(pk=stage.pk).update(state=state, visibility=visibility)
    judge_client(client, judges[0])

    response = client.get(reverse("judging:panel_scores", args=[mine[0].pk]))

    assert response.status_code == status


def test_a_judge_without_two_factor_is_sent_to_set_it_up(client, setting):
    stage, judges, mine, _theirs = setting
    client.force_login(judges[0])

    page = client.get(reverse("judging:entry", args=[mine[0].pk]))
    dashboard = client.get(reverse("judging:dashboard"))
    answer = score_json(client, mine[0])

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("mfa_activate_totp"))
    assert dashboard.status_code == 302
    assert answer.status_code == 403
    assert answer.json()["error"] == "two_factor_required"
    assert not Score.objects.exists()
    assert stage.pk


def test_visitors_are_sent_to_sign_in(client, setting):
    stage, _judges, mine, _theirs = setting

    for url in (
        reverse("judging:dashboard"),
        reverse("judging:queue", args=[stage.pk]),
        reverse("judging:entry", args=[mine[0].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_judges_are_not_allowed_on_staff_pages_nor_staff_and_entrants_here(
    client, setting
):
    stage, judges, _mine, _theirs = setting
    judge_client(client, judges[0])
    assert client.get(reverse("manage:rounds")).status_code == 403
    assert client.get(reverse("manage:people")).status_code == 403

    judge_client(client, factories.make_staff())
    assert client.get(reverse("judging:dashboard")).status_code == 403
    assert client.get(reverse("judging:queue", args=[stage.pk])).status_code == 404

    client.force_login(factories.make_entrant())
    assert client.get(reverse("judging:dashboard")).status_code == 403


def test_the_score_address_takes_posts_only(client, setting):
    _stage, judges, mine, _theirs = setting
    judge_client(client, judges[0])

    assert client.get(reverse("judging:score", args=[mine[0].pk])).status_code == 405


def test_a_judge_taken_off_the_panel_no_longer_reaches_their_works(client, setting):
    stage, judges, mine, _theirs = setting
    judge_client(client, judges[0])
    remove_panel_member(stage, judges[0], by=factories.make_staff())

    for name in (*ASSIGNMENT_PAGES, "judging:panel_scores"):
        assert client.get(reverse(name, args=[mine[0].pk])).status_code == 404
    assert client.get(reverse("judging:queue", args=[stage.pk])).status_code == 404
    response = score_json(client, mine[0])
    assert response.status_code == 404
    assert not Score.objects.filter(assignment=mine[0]).exists()
