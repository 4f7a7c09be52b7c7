"""The staff pages of a stage's results: who may see them, the ranked table
of a hand-made stage (ranks, a tie, the measure switch, the disagreement
filter), one entry's scores by judge, the judges' progress and charts, and
the fixed number of queries."""

import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from judging.enums import StageMode, Vote
from judging.models import Conflict, Score
from judging.selectors.aggregation import aggregate_criteria
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


@pytest.fixture
def hand():
    """Four works, three judges on the panel (A, B, C by their place). A gives
    9, 5, 5, 1; B gives 7, 7, 7, 5; C gives work 4 a 10 and work 1 a 2 — but
    C has a conflict with work 1, so that score does not count. Raw means: 8,
    6, 6, 5.333 (works 2 and 3 tied second); spreads 1.41, 1.41, 1.41, 4.51
    (work 4 disagrees above 2)."""
    round_ = make_judging_round(entries=4)
    stage = make_stage(round_)
    a, b, c = (factories.make_judge() for _ in range(3))
    add_to_panel(stage, a, b, c)
    assign_everyone(stage, [a, b, c])
    works = list(Entry.objects.filter(round=round_).order_by("id"))
    for work, total in zip(works, (9, 5, 5, 1), strict=True):
        score(stage, a, work, total=total, comment=f"A on {work.pk}")
    for work, total in zip(works, (7, 7, 7, 5), strict=True):
        score(
            stage,
            b,
            work,
            total=total,
            comment="<script>alert(1)</script>",
            note="SECRET-NOTE-OF-B",
        )
    score(stage, c, works[3], total=10)
    score(stage, c, works[0], total=2, comment="Conflicted view")
    Conflict.objects.create(judge=c, entry=works[0], reason="My student.")
    works[1].title_en = "<b>Bold</b> work"
    works[1].save(update_fields=["title_en"])
    return stage, (a, b, c), works


@pytest.fixture
def staff():
    return factories.make_staff()


@pytest.fixture
def staff_client(mfa_client, staff):
    return mfa_client(staff)


def results_url(stage, **query):
    url = reverse("manage:stage_results", args=[stage.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def entry_url(stage, work, **query):
    url = reverse("manage:stage_result_entry", args=[stage.pk, work.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def judges_url(stage):
    return reverse("manage:stage_result_judges", args=[stage.pk])


def table(response):
    return [
        (item.row.entry_id, item.row.rank, item.row.tied)
        for item in response.context["rows"]
    ]


# Who may see them ---------------------------------------------------------------


@pytest.mark.parametrize("page", ["table", "entry", "judges"])
@pytest.mark.parametrize("role", ["anonymous", "entrant", "judge"])
def test_only_staff_see_the_results(client, mfa_client, hand, role, page):
    stage, (a, _b, _c), works = hand
    target = {
        "table": results_url(stage),
        "entry": entry_url(stage, works[0]),
        "judges": judges_url(stage),
    }[page]
    if role == "entrant":
        client.force_login(factories.make_entrant())
    elif role == "judge":
        mfa_client(a)

    response = client.get(target)

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={target}"
    else:
        assert response.status_code == 403


def test_staff_without_a_second_factor_are_sent_to_it(client, hand, staff):
    stage, _judges, _works = hand
    client.force_login(staff)

    response = client.get(results_url(stage))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_a_stage_or_entry_that_does_not_exist_is_not_found(staff_client, hand):
    stage, _judges, _works = hand
    assert (
        staff_client.get(reverse("manage:stage_results", args=[999999])).status_code
        == 404
    )
    assert (
        staff_client.get(
            reverse("manage:stage_result_entry", args=[stage.pk, 999999])
        ).status_code
        == 404
    )


# The ranked table ---------------------------------------------------------------


def test_the_table_ranks_by_raw_mean_with_the_tie_stated(staff_client, hand):
    stage, _judges, (one, two, three, four) = hand

    response = staff_client.get(results_url(stage, by="raw"))

    assert response.status_code == 200
    assert table(response) == [
        (one.pk, 1, False),
        (two.pk, 2, True),
        (three.pk, 2, True),
        (four.pk, 4, False),
    ]
    content = response.content.decode()
    assert '<span aria-hidden="true">=</span>' in content
    assert content.count("(tied)") == 2
    first = response.context["rows"][0].row
    assert first.scores == 2
    assert first.assigned == 2  # C's conflicted assignment does not count
    assert first.mean == 8.0
    assert response.context["rows"][3].row.mean == pytest.approx(16 / 3)
    assert f'href="{entry_url(stage, one)}?back=category%3D' in content
    # The reference and title of each row, escaped.
    assert one.reference in content
    assert "&lt;b&gt;Bold&lt;/b&gt; work" in content
    assert "<b>Bold</b>" not in content


@pytest.mark.parametrize("by", ["raw", "normalised", "calibrated"])
def test_the_measure_chosen_ranks(staff_client, hand, by):
    stage, _judges, _works = hand

    response = staff_client.get(results_url(stage, by=by))

    (expected,) = aggregate_criteria(stage, by=by, disagreement_above=2.0).values()
    assert table(response) == [(row.entry_id, row.rank, row.tied) for row in expected]
    assert response.context["by"] == by
    assert f'<option value="{by}" selected>' in response.content.decode()


def test_calibrated_ranks_by_default_and_a_bad_measure_falls_back(staff_client, hand):
    stage, _judges, _works = hand

    default = staff_client.get(results_url(stage))
    odd = staff_client.get(results_url(stage, by="nonsense"))

    assert default.context["by"] == odd.context["by"] == "calibrated"
    assert table(default) == table(odd)


def test_the_disagreement_filter_and_threshold(staff_client, hand):
    stage, _judges, (one, two, three, four) = hand

    flagged = staff_client.get(results_url(stage, only="disagreements"))
    lower = staff_client.get(results_url(stage, only="disagreements", above="1.2"))
    everything = staff_client.get(results_url(stage, above="1.2"))

    assert [row[0] for row in table(flagged)] == [four.pk]
    assert flagged.context["flagged"] == 1
    assert "data-disagreement" in flagged.content.decode()
    assert {row[0] for row in table(lower)} == {one.pk, two.pk, three.pk, four.pk}
    assert everything.context["flagged"] == 4


def test_a_bad_threshold_says_so_and_uses_the_default(staff_client, hand):
    stage, _judges, _works = hand

    response = staff_client.get(results_url(stage, above="lots"))

    assert response.status_code == 200
    assert response.context["bad_threshold"] is True
    assert response.context["threshold"] == 2.0
    assert 'value="lots"' in response.content.decode()
    assert 'id="above-error"' in response.content.decode()


def test_a_vote_stage_shows_the_counts(staff_client):
    round_ = make_judging_round(entries=2)
    stage = make_stage(round_, mode=StageMode.VOTE, criteria=0)
    a, b = factories.make_judge(), factories.make_judge()
    add_to_panel(stage, a, b)
    assign_everyone(stage, [a, b])
    one, two = Entry.objects.filter(round=round_).order_by("id")
    score(stage, a, one, vote=Vote.YES)
    score(stage, b, one, vote=Vote.MAYBE)
    score(stage, a, two, vote=Vote.NO)

    response = staff_client.get(results_url(stage))

    rows = [item.row for item in response.context["rows"]]
    assert [(row.entry_id, row.yes, row.maybe, row.no, row.rank) for row in rows] == [
        (one.pk, 1, 1, 0, 1),
        (two.pk, 0, 0, 1, 2),
    ]


def test_a_ranking_stage_shows_borda_points(staff_client):
    round_ = make_judging_round(entries=2)
    stage = make_stage(round_, mode=StageMode.RANKING, criteria=0, ranking_size=2)
    a = factories.make_judge()
    add_to_panel(stage, a)
    assign_everyone(stage, [a])
    one, two = Entry.objects.filter(round=round_).order_by("id")
    score(stage, a, one, rank=2)
    score(stage, a, two, rank=1)

    response = staff_client.get(results_url(stage))

    rows = [item.row for item in response.context["rows"]]
    assert [(row.entry_id, row.points, row.saw, row.ranked) for row in rows] == [
        (two.pk, 1.0, 1, 1),
        (one.pk, 0.0, 1, 1),
    ]


def test_the_table_follows_every_change_of_the_scores(staff_client, hand):
    stage, (a, _b, c), (one, two, three, four) = hand
    before = staff_client.get(results_url(stage, by="raw"))
    assert table(before)[0] == (one.pk, 1, False)

    # A score saved again (its version rises, as the scoring service does).
    changed = Score.objects.get(assignment__judge=a, assignment__entry=one)
    changed.total = Decimal("1.000")
    changed.version += 1
    changed.save(update_fields=["total", "version"])
    after_score = staff_client.get(results_url(stage, by="raw"))
    # A new conflict: C's 10 for work 4 stops counting.
    Conflict.objects.create(judge=c, entry=four, reason="My neighbour.")
    after_conflict = staff_client.get(results_url(stage, by="raw"))

    assert table(after_score) == [
        (two.pk, 1, True),
        (three.pk, 1, True),
        (four.pk, 3, False),  # (1 + 5 + 10) / 3
        (one.pk, 4, False),  # (1 + 7) / 2
    ]
    assert table(after_conflict) == [
        (two.pk, 1, True),
        (three.pk, 1, True),
        (one.pk, 3, False),  # 4
        (four.pk, 4, False),  # (1 + 5) / 2
    ]


# One entry's scores -------------------------------------------------------------


def test_an_entrys_scores_by_judge_label(staff_client, hand):
    stage, (a, b, c), (one, *_rest) = hand

    response = staff_client.get(entry_url(stage, one))

    assert response.status_code == 200
    scores = response.context["scores"]
    assert [(item.label, item.total, item.conflicted) for item in scores] == [
        ("A", Decimal("9.000"), False),
        ("B", Decimal("7.000"), False),
        ("C", Decimal("2.000"), True),
    ]
    content = response.content.decode()
    assert 'Judge <code class="text-reset">A</code>' in content
    assert 'Judge <code class="text-reset">C</code>' in content
    assert "Conflict: does not count" in content
    for judge in (a, b, c):
        assert judge.email not in content
    assert "SECRET-NOTE-OF-B" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)</script>" not in content
    assert f"A on {one.pk}" in content


def test_names_only_when_asked(staff_client, hand):
    stage, (a, b, c), (one, *_rest) = hand

    response = staff_client.get(entry_url(stage, one, names="1"))

    content = response.content.decode()
    for judge in (a, b, c):
        assert html.escape(judge.email) in content
    assert 'Judge <code class="text-reset">A</code>' not in content
    assert "SECRET-NOTE-OF-B" not in content


# Judges -------------------------------------------------------------------------


def test_the_judges_progress_and_distribution(staff_client, hand):
    stage, (a, _b, _c), _works = hand

    response = staff_client.get(judges_url(stage))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [
        (row["judge"].label, row["judge"].summary.scores, row["judge"].summary.assigned)
        for row in rows
    ] == [("A", 4, 4), ("B", 4, 4), ("C", 1, 3)]
    # Criteria on a 1–10 scale: bins 1, 2, … 9 (the last closed).
    assert response.context["bin_labels"] == [str(low) for low in range(1, 10)]
    assert list(rows[0]["judge"].bins) == [1, 0, 0, 0, 2, 0, 0, 0, 1]
    assert list(rows[2]["judge"].bins) == [0, 0, 0, 0, 0, 0, 0, 0, 1]
    content = response.content.decode()
    assert content.count("<svg") == 3
    assert 'id="chart-A-table"' in content
    assert a.email not in content
    assert rows[2]["judge"].summary.leniency > 0 > rows[0]["judge"].summary.leniency


def test_a_vote_stages_judges_count_each_vote(staff_client):
    round_ = make_judging_round(entries=3)
    stage = make_stage(round_, mode=StageMode.VOTE, criteria=0)
    judge = factories.make_judge()
    add_to_panel(stage, judge)
    assign_everyone(stage, [judge])
    one, two, three = Entry.objects.filter(round=round_).order_by("id")
    score(stage, judge, one, vote=Vote.YES)
    score(stage, judge, two, vote=Vote.YES)
    score(stage, judge, three, vote=Vote.NO)

    response = staff_client.get(judges_url(stage))

    assert response.context["bin_labels"] == ["Yes", "Maybe", "No"]
    (row,) = response.context["rows"]
    assert list(row["judge"].bins) == [2, 0, 1]
    assert row["judge"].summary.leniency is None
    assert [bar.count for bar in row["chart"].bars] == [2, 0, 1]


# Queries ------------------------------------------------------------------------


def scored_stage(entries):
    round_ = make_judging_round(entries=entries)
    stage = make_stage(round_)
    judges = [factories.make_judge(), factories.make_judge()]
    add_to_panel(stage, *judges)
    assign_everyone(stage, judges)
    for number, work in enumerate(Entry.objects.filter(round=round_).order_by("id")):
        for judge in judges:
            score(stage, judge, work, total=1 + number % 9, comment="Fine.")
    return stage


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_pages_read_a_fixed_number_of_queries(staff_client):
    small, large = scored_stage(1), scored_stage(50)
    first_small = Entry.objects.filter(round=small.round).first()
    first_large = Entry.objects.filter(round=large.round).first()
    # Once each first: the session, and the stages' counted scores cached.
    for stage, first in ((small, first_small), (large, first_large)):
        for url in (results_url(stage), judges_url(stage), entry_url(stage, first)):
            count_queries(staff_client, url)

    assert count_queries(staff_client, results_url(small)) == count_queries(
        staff_client, results_url(large)
    )
    assert count_queries(staff_client, judges_url(small)) == count_queries(
        staff_client, judges_url(large)
    )
    assert count_queries(staff_client, entry_url(small, first_small)) == (
        count_queries(staff_client, entry_url(large, first_large))
    )


def test_each_category_has_its_own_ranking(staff_client):
    round_ = make_judging_round(entries=2, youth=True)
    stage = make_stage(round_)
    judge = factories.make_judge()
    add_to_panel(stage, judge)
    assign_everyone(stage, [judge])
    works = list(Entry.objects.filter(round=round_).order_by("id"))
    for number, work in enumerate(works):
        score(stage, judge, work, total=2 + number)
    adult, youth = stage.categories.order_by("position", "id")

    first = staff_client.get(results_url(stage))
    chosen = staff_client.get(results_url(stage, category=youth.pk))
    unknown = staff_client.get(results_url(stage, category="nonsense"))

    def entries_of(category):
        return sorted(work.pk for work in works if work.category_id == category.pk)

    assert first.context["category"] == adult
    assert sorted(row[0] for row in table(first)) == entries_of(adult)
    assert chosen.context["category"] == youth
    assert sorted(row[0] for row in table(chosen)) == entries_of(youth)
    assert [row[1] for row in table(chosen)] == [1, 2]
    assert unknown.context["category"] == adult
    assert 'id="category-tabs"' in first.content.decode()
