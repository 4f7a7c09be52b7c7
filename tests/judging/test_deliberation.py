"""The deliberation page: the chair of a closed stage and staff see the whole
ranked list with every counted score, comment and flag (a work the chair has
a conflict with withheld); other judges see the panel's ranking of their own
works as the stage's rule allows; decisions are noted (audited) while the
stage is closed; staff finalise it from there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.enums import StageState, Visibility
from judging.models import Conflict, DecisionNote
from submissions.models import Entry
from tests import factories
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_judging_round,
    make_stage,
    score,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def make_closed_stage(*, entries=4, visibility=Visibility.AFTER_CLOSE):
    """A closed stage of ``entries`` works, everyone assigned everything; the
    chair (A) and B score every work (B comments, and keeps a private note),
    C scores the first only. B has a conflict with the first work, the chair
    with the second. Returns ``(stage, (chair, b, c), works)``."""
    round_ = make_judging_round(entries=entries)
    stage = make_stage(round_, state=StageState.CLOSED, visibility=visibility)
    chair, b, c = (factories.make_judge() for _ in range(3))
    add_to_panel(stage, chair, b, c, chair=chair)
    assign_everyone(stage, [chair, b, c])
    works = list(Entry.objects.filter(round=round_).order_by("id"))
    for number, work in enumerate(works):
        score(stage, chair, work, total=9 - number % 8)
        score(
            stage,
            b,
            work,
            total=3 + number % 5,
            comment=f"Comment of B on {work.reference}",
            note="PRIVATE-NOTE-OF-B",
        )
    score(stage, c, works[0], total=1, comment="C found it weak")
    Conflict.objects.create(judge=b, entry=works[0], reason="My cousin.")
    if len(works) > 1:
        Conflict.objects.create(judge=chair, entry=works[1], reason="My student.")
    return stage, (chair, b, c), works


def url(stage, **query):
    address = reverse("judging:deliberation", args=[stage.pk])
    if query:
        address += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return address


def rows_of(response):
    return {item.row.entry_id: item for item in response.context["rows"]}


def test_the_chair_sees_the_whole_list_with_scores_comments_and_flags(mfa_client):
    stage, (chair, b, c), works = make_closed_stage()
    answer = mfa_client(chair).get(url(stage, by="raw"))
    assert answer.status_code == 200
    rows = rows_of(answer)
    assert set(rows) == {work.pk for work in works}
    body = answer.content.decode()
    # The work the chair has a conflict with keeps its place, nothing else.
    withheld = rows[works[1].pk]
    assert withheld.withheld and not withheld.scores and not withheld.title
    assert works[1].title_en not in body
    assert f"Comment of B on {works[1].reference}" not in body
    # B's conflicted score of the first work does not count: A and C do.
    first = rows[works[0].pk]
    assert [score.label for score in first.scores] == ["A", "C"]
    assert "C found it weak" in body
    assert f"Comment of B on {works[2].reference}" in body
    assert "PRIVATE-NOTE-OF-B" not in body
    for judge in (chair, b, c):
        assert judge.email not in body


def test_flags_a_tie_a_disagreement_and_too_few_judges(mfa_client):
    # Raw means: 5 (A 9, C 1), 4 (B alone), 6 and 6: the last two tie first.
    stage, (chair, _b, _c), works = make_closed_stage()
    answer = mfa_client(chair).get(url(stage, by="raw"))
    rows = rows_of(answer)
    assert [rows[work.pk].row.rank for work in works] == [3, 4, 1, 1]
    assert rows[works[2].pk].row.tied and rows[works[3].pk].row.tied
    assert rows[works[0].pk].row.disagreement
    assert not rows[works[2].pk].row.disagreement
    # The minimum is two judges: the second work has one counted score.
    assert [rows[work.pk].short for work in works] == [False, True, False, False]
    body = answer.content.decode()
    assert body.count('data-flag="tie"') == 2
    assert body.count('data-flag="disagreement"') == 1
    assert body.count('data-flag="short"') == 1


def test_staff_see_every_work_and_note_and_finalise(mfa_client):
    stage, _judges, _works = make_closed_stage()
    staff = factories.make_staff()
    client = mfa_client(staff)
    answer = client.get(url(stage))
    assert answer.status_code == 200
    assert not any(item.withheld for item in answer.context["rows"])
    assert (
        client.post(url(stage), {"text": "The panel keeps all four."}).status_code
        == 302
    )
    note = DecisionNote.objects.get(stage=stage)
    assert note.author == staff and not note.by_chair
    answer = client.post(
        reverse("manage:stage_finalise", args=[stage.pk]),
        {"from": "deliberation", "finalise-reason": "Decided at the meeting."},
    )
    assert answer.status_code == 302
    assert answer["Location"] == url(stage)
    stage.refresh_from_db()
    assert stage.state == StageState.FINALISED
    page = client.get(url(stage)).content.decode()
    assert "The panel keeps all four." in page
    assert 'id="decision-form"' not in page


def test_the_chair_notes_a_decision_audited(mfa_client):
    stage, (chair, _b, _c), _works = make_closed_stage()
    client = mfa_client(chair)
    answer = client.post(
        url(stage), {"text": "<b>Shortlist</b> the first two.\nUnanimous."}
    )
    assert answer.status_code == 302
    note = DecisionNote.objects.get(stage=stage)
    assert note.by_chair and note.author == chair
    event = AuditEvent.objects.get(verb=AuditVerb.DECISION_NOTED)
    assert event.data["text"] == note.text
    page = client.get(url(stage)).content.decode()
    assert "&lt;b&gt;Shortlist&lt;/b&gt; the first two.<br>Unanimous." in page
    assert "<b>Shortlist</b>" not in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "This field is required."),
        ("Bad \x07 bell", "Please remove control characters."),
    ],
)
def test_a_bad_note_says_why_and_keeps_the_text(mfa_client, text, message):
    stage, (chair, _b, _c), _works = make_closed_stage()
    answer = mfa_client(chair).post(url(stage), {"text": text})
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not DecisionNote.objects.exists()


def test_only_the_chair_or_staff_note_and_only_while_closed(mfa_client):
    stage, (chair, b, _c), _works = make_closed_stage()
    assert mfa_client(b).post(url(stage), {"text": "I decide."}).status_code == 403
    stage.state = StageState.FINALISED
    stage.save(update_fields=["state"])
    client = mfa_client(chair)
    assert client.post(url(stage), {"text": "Too late."}).status_code == 403
    assert not DecisionNote.objects.exists()
    assert 'id="decision-form"' not in client.get(url(stage)).content.decode()


def test_other_judges_see_the_ranking_of_their_own_works(mfa_client):
    stage, (_chair, b, _c), works = make_closed_stage()
    answer = mfa_client(b).get(url(stage))
    assert answer.status_code == 200
    assert set(rows_of(answer)) == {work.pk for work in works[1:]}
    assert not answer.context["whole"]
    assert not answer.context["notes"]
    assert 'id="decision-form"' not in answer.content.decode()


def test_a_judge_assigned_some_works_sees_only_those(mfa_client):
    stage, (_chair, _b, c), works = make_closed_stage()
    stage.assignments.filter(judge=c).exclude(entry=works[0]).delete()
    answer = mfa_client(c).get(url(stage))
    assert set(rows_of(answer)) == {works[0].pk}


@pytest.mark.parametrize(
    ("visibility", "state", "chair_sees", "judge_sees"),
    [
        (Visibility.AFTER_CLOSE, StageState.OPEN, False, False),
        (Visibility.AFTER_OWN, StageState.OPEN, False, False),
        (Visibility.AFTER_CLOSE, StageState.CLOSED, True, True),
        (Visibility.AFTER_OWN, StageState.CLOSED, True, True),
        (Visibility.NEVER, StageState.CLOSED, True, False),
        (Visibility.AFTER_CLOSE, StageState.FINALISED, True, True),
        (Visibility.NEVER, StageState.FINALISED, True, False),
        (Visibility.AFTER_CLOSE, StageState.SETUP, False, False),
    ],
)
def test_judges_see_the_ranking_only_as_the_stage_allows(
    mfa_client, visibility, state, chair_sees, judge_sees
):
    stage, (chair, b, _c), _works = make_closed_stage(visibility=visibility)
    stage.state = state
    stage.save(update_fields=["state"])
    assert mfa_client(chair).get(url(stage)).status_code == (200 if chair_sees else 404)
    assert mfa_client(b).get(url(stage)).status_code == (200 if judge_sees else 404)
    staff = mfa_client(factories.make_staff())
    assert staff.get(url(stage)).status_code == 200
    dashboard = mfa_client(b).get(reverse("judging:dashboard")).content.decode()
    assert ("data-ranking-link" in dashboard) == (
        judge_sees and state != StageState.FINALISED
    )


@pytest.mark.parametrize("who", ["other_judge", "entrant", "judge_off_panel"])
def test_nobody_else_reaches_it(client, mfa_client, who):
    stage, (chair, _b, _c), _works = make_closed_stage()
    if who == "other_judge":
        client = mfa_client(factories.make_judge())
    elif who == "entrant":
        client.force_login(factories.make_entrant())
    else:
        stage.panel.filter(judge=chair).delete()
        client = mfa_client(chair)
    assert client.get(url(stage)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    stage, _judges, _works = make_closed_stage()
    answer = client.get(url(stage))
    assert answer.status_code == 302
    assert "login" in answer["Location"]


def test_the_shared_screen_view_keeps_the_choices(mfa_client):
    stage, (chair, _b, _c), _works = make_closed_stage()
    body = mfa_client(chair).get(url(stage, screen=1, by="raw")).content.decode()
    assert "deliberation-screen" in body
    assert "screen=0" in body


def count(client, address):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_page_reads_a_fixed_number_of_queries(mfa_client):
    figures = []
    for entries in (1, 50):
        stage, (chair, *_others), _works = make_closed_stage(entries=entries)
        client = mfa_client(chair)
        count(client, url(stage))
        figures.append(count(client, url(stage)))
    assert figures[0] == figures[1]


@pytest.mark.parametrize(
    ("mode", "values"),
    [("vote", [{"vote": "yes"}, {"vote": "no"}]), ("ranking", [{"rank": 1}, {}])],
)
def test_a_vote_or_ranking_stage_deliberates_too(mfa_client, mode, values):
    round_ = make_judging_round(entries=2)
    stage = make_stage(round_, state=StageState.CLOSED, mode=mode, ranking_size=1)
    chair, other = factories.make_judge(), factories.make_judge()
    add_to_panel(stage, chair, other, chair=chair)
    assign_everyone(stage, [chair, other])
    works = list(Entry.objects.filter(round=round_).order_by("id"))
    for judge in (chair, other):
        for work, value in zip(works, values, strict=True):
            score(stage, judge, work, comment=f"{mode} comment", **value)
    answer = mfa_client(chair).get(url(stage))
    assert answer.status_code == 200
    rows = answer.context["rows"]
    assert [item.row.entry_id for item in rows] == [work.pk for work in works]
    assert [len(item.scores) for item in rows] == [2, 2]
    assert f"{mode} comment" in answer.content.decode()
