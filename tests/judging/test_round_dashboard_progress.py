"""Judging's section of a round's staff dashboard: each stage's progress (its
state, closing time, entries, judges, scores submitted of the assignments that
count, entries short of judges, judges not finished) in a table, the note of a
round without stages, the section in Chinese, who sees it, and its one query
whatever the number of stages, entries and judges."""

import html
import re

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from artsprize.common.form_fields import HONG_KONG
from artsprize.common.pages import hong_kong_time
from judging.dashboard import round_dashboard_section
from judging.enums import StageState
from judging.models import Assignment, Conflict, Score, Stage
from judging.selectors.progress import round_progress
from submissions.enums import RoundState
from tests import factories
from tests.judging.reminders_fixtures import CLOSES, make_panel, own, submit
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_judging_round,
    make_stage,
)
from tests.submissions.test_dashboard import DASHBOARD_QUERIES
from tests.test_chinese_pages import english_in, visible_text

pytestmark = pytest.mark.django_db


def url(round_):
    return reverse("manage:round_dashboard", args=[round_.pk])


@pytest.fixture
def staff_client(mfa_client):
    return mfa_client(factories.make_staff())


@pytest.fixture
def two_stages():
    """An open first stage whose three judges are at different points (one
    done, one with a submitted score, a draft and a work left, one with a
    conflict and two works left), needing three judges per entry; and a final
    in set-up with two of the entries, one judge and no score."""
    panel = make_panel()
    first = panel.stage
    Stage.objects.filter(pk=first.pk).update(min_judges=3)
    final = make_stage(
        first.round,
        name_en="Final",
        name_zh_hant="決選",
        position=1,
        previous=first,
        closes_at=None,
    )
    judge = factories.make_judge()
    add_to_panel(final, judge, chair=judge)
    entries = first.round.entries.order_by("id")[:2]
    assign_everyone(final, [judge], entries=entries)
    return first, final


def _section(page):
    found = re.search(
        r'<section[^>]*aria-labelledby="judging-progress-heading".*?</section>',
        page,
        re.S,
    )
    return found.group(0) if found else None


def _cells(section):
    """The text of each row of the section's table, cell by cell."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S)
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_each_stage_shows_its_progress(staff_client, two_stages):
    first, final = two_stages

    response = staff_client.get(url(first.round))

    assert response.status_code == 200
    section = _section(response.text)
    assert _cells(section) == [
        [
            "Stage",
            "State",
            "Closes (Hong Kong time)",
            "Entries",
            "Judges",
            "Scores submitted",
            "Progress",
            "Short of judges",
            "Not finished",
            "Links",
        ],
        # 9 assignments, one conflicted; the done judge's 3 scores and the
        # English judge's 1 submitted (their draft does not count); the work
        # with the conflict has 2 judges whose scores count, below 3.
        [
            "First round",
            "Open for scoring",
            hong_kong_time(CLOSES),
            "3",
            "3",
            "4 of 8",
            "50%",
            "1",
            "2",
            "Results · Judges' progress",
        ],
        [
            "Final",
            "Being set up",
            "—",
            "2",
            "1",
            "0 of 2",
            "0%",
            "2",
            "1",
            "Results · Judges' progress",
        ],
    ]
    assert hong_kong_time(CLOSES) == "Jan. 15, 2027, 6 p.m."
    assert (
        '<progress class="align-middle" max="8" value="4" '
        'aria-label="Progress in First round"></progress>'
    ) in section
    for stage in (first, final):
        for name in ("stage_detail", "stage_results", "stage_result_judges"):
            assert f'href="{reverse(f"manage:{name}", args=[stage.pk])}"' in section
    moment = CLOSES.astimezone(HONG_KONG).isoformat()
    assert f'<time datetime="{moment}">' in section


def test_the_numbers_follow_the_scores_and_conflicts():
    panel = make_panel()
    stage = panel.stage
    _first, drafted, last = own(stage, panel.english)
    # The English judge submits their draft and their last work; the Chinese
    # judge's conflict is lifted, which gives them a third work to score.
    Score.objects.filter(assignment=drafted).update(submitted_at=timezone.now())
    submit(last)
    Conflict.objects.filter(judge=panel.chinese).delete()

    (row,) = round_progress(stage.round_id)

    assert (row.assignments, row.submitted, row.percent) == (9, 6, 66)
    assert (row.below_minimum, row.judges_not_finished) == (0, 1)


def test_a_stage_without_assignments_shows_no_bar(staff_client):
    round_ = make_judging_round(entries=2, state=RoundState.CLOSED)
    stage = make_stage(round_, closes_at=None)

    section = _section(staff_client.get(url(round_)).text)

    assert _cells(section)[1] == [
        "First round",
        "Being set up",
        "—",
        "0",
        "0",
        "0 of 0",
        "—",
        "0",
        "0",
        "Results · Judges' progress",
    ]
    assert "<progress" not in section
    assert stage.pk == round_progress(round_.pk)[0].stage.pk


def test_a_round_without_stages_links_to_its_stages_page(staff_client):
    round_ = make_judging_round(entries=1)

    section = _section(staff_client.get(url(round_)).text)

    stages = reverse("manage:round_stages", args=[round_.pk])
    note = re.search(r'<p id="judging-progress-none">(.*?)</p>', section, re.S)
    assert note.group(1) == (
        f'This round has no judging stages yet. <a href="{stages}">'
        "Set up its stages</a>"
    )
    assert "<table" not in section


def test_the_section_is_in_chinese(staff_client, two_stages):
    first, _final = two_stages
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"

    response = staff_client.get(url(first.round))

    section = _section(response.text)
    heading = re.search(r'id="judging-progress-heading">([^<]+)</h2>', section)
    assert heading.group(1) == "評審工作進度"
    rows = _cells(section)
    assert [row[:2] for row in rows[1:]] == [["初選", "開放評分"], ["決選", "設定中"]]
    assert english_in(visible_text(section)) == []


@pytest.mark.parametrize("role", ["judge", "entrant"])
def test_others_are_refused_the_dashboard(client, mfa_client, two_stages, role):
    first, _final = two_stages
    if role == "judge":
        mfa_client(Assignment.objects.filter(stage=first).first().judge)
    else:
        client.force_login(factories.make_entrant())

    response = client.get(url(first.round))

    assert response.status_code == 403
    assert "judging-progress" not in response.text


def test_the_section_is_drawn_only_for_those_who_manage_judging(two_stages):
    first, _final = two_stages
    request = RequestFactory().get(url(first.round))
    request.user = Assignment.objects.filter(stage=first).first().judge

    assert round_dashboard_section(None, round_=first.round, request=request) is None


# Queries ---------------------------------------------------------------------------


def _round_with(*, entries, stages):
    """A round in judging with ``entries`` entries and ``stages`` open stages,
    each with two judges who score every entry, one with a conflict and the
    other with half their scores submitted."""
    round_ = make_judging_round(entries=entries, state=RoundState.JUDGING)
    for position in range(stages):
        stage = make_stage(round_, position=position, state=StageState.OPEN)
        judges = [factories.make_judge(), factories.make_judge()]
        add_to_panel(stage, *judges, chair=judges[0])
        assign_everyone(stage, judges)
        scored = own(stage, judges[0])
        for assignment in scored[: (len(scored) + 1) // 2]:
            submit(assignment)
        Conflict.objects.get_or_create(
            judge=judges[1],
            entry_id=scored[0].entry_id,
            defaults={"reason": "A relative."},
        )
    return round_


@pytest.mark.parametrize("stages", [1, 3])
@pytest.mark.parametrize("entries", [1, 50])
def test_the_queries_do_not_grow_with_stages_entries_or_judges(
    staff_client, django_assert_num_queries, entries, stages
):
    round_ = _round_with(entries=entries, stages=stages)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = staff_client.get(url(round_))

    assert response.status_code == 200
    rows = _cells(_section(response.text))[1:]
    assert len(rows) == stages
    half = (entries + 1) // 2
    assert {tuple(row[3:9]) for row in rows} == {
        (
            str(entries),
            "2",
            f"{half} of {2 * entries - 1}",
            f"{half * 100 // (2 * entries - 1)}%",
            "1",
            # With one entry, the first judge is done and the second has
            # nothing that counts.
            "2" if entries > 1 else "0",
        )
    }


def test_the_progress_is_read_in_one_query(django_assert_num_queries):
    round_ = _round_with(entries=3, stages=3)

    with django_assert_num_queries(1):
        rows = round_progress(round_.pk)

    assert [row.stage.position for row in rows] == [0, 1, 2]
    assert [(row.assignments, row.submitted) for row in rows] == [(5, 2)] * 3
